import warnings

import numpy as np
import pytest

from solutions.gradcheck import gradcheck_naive
from solutions.neural import forward_backward_prop, sigmoid, sigmoid_grad, unpack_params


def test_sigmoid_handout_values():
    x = np.array([[1, 2], [-1, -2]])
    f = sigmoid(x)
    np.testing.assert_allclose(f, [[0.73105858, 0.88079708], [0.26894142, 0.11920292]], rtol=1e-7)
    np.testing.assert_allclose(
        sigmoid_grad(f), [[0.19661193, 0.10499359], [0.19661193, 0.10499359]], rtol=1e-7
    )


def test_sigmoid_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0])


def test_sigmoid_grad_matches_finite_difference():
    x = np.linspace(-5, 5, 11)
    h = 1e-6
    numerical = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)
    np.testing.assert_allclose(sigmoid_grad(sigmoid(x)), numerical, atol=1e-9)


def _network(N, Dx, H, Dy, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, Dx))
    labels = np.zeros((N, Dy))
    labels[np.arange(N), rng.integers(Dy, size=N)] = 1
    params = rng.normal(size=(Dx + 1) * H + (H + 1) * Dy)
    return X, labels, params, (Dx, H, Dy)


@pytest.mark.parametrize("shape,seed", [((20, 10, 5, 10), 0), ((3, 4, 7, 2), 1), ((1, 2, 1, 3), 2)])
def test_forward_backward_prop_gradcheck(shape, seed):
    X, labels, params, dims = _network(*shape, seed)
    assert gradcheck_naive(lambda p: forward_backward_prop(X, labels, p, dims), params,
                           verbose=False)


def test_cost_is_summed_over_examples():
    X, labels, params, dims = _network(6, 3, 4, 5, seed=3)
    total, grad = forward_backward_prop(X, labels, params, dims)
    parts = [forward_backward_prop(X[i : i + 1], labels[i : i + 1], params, dims) for i in range(6)]
    assert total == pytest.approx(sum(c for c, _ in parts))
    np.testing.assert_allclose(grad, sum(g for _, g in parts))


def test_forward_matches_explicit_computation():
    X, labels, params, dims = _network(4, 3, 2, 3, seed=4)
    W1, b1, W2, b2 = unpack_params(params, dims)
    h = 1 / (1 + np.exp(-(X @ W1 + b1)))
    scores = h @ W2 + b2
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    cost, _ = forward_backward_prop(X, labels, params, dims)
    assert cost == pytest.approx(-np.sum(labels * np.log(probs)))


def test_wrong_parameter_count_is_a_clear_error():
    X, labels, params, dims = _network(2, 3, 4, 5, seed=5)
    with pytest.raises(ValueError, match="params has"):
        forward_backward_prop(X, labels, params[:-1], dims)
