import warnings

import numpy as np
import pytest

from solutions.softmax import softmax


def test_handout_values():
    np.testing.assert_allclose(softmax(np.array([1, 2])), [0.26894142, 0.73105858], rtol=1e-7)
    np.testing.assert_allclose(
        softmax(np.array([[1001, 1002], [3, 4]])),
        [[0.26894142, 0.73105858], [0.26894142, 0.73105858]], rtol=1e-7,
    )
    np.testing.assert_allclose(softmax(np.array([[-1001, -1002]])), [[0.73105858, 0.26894142]])


@pytest.mark.parametrize("x", [[1000.0, 1001.0], [-1000.0, -1000.0], [1e300, -1e300, 0.0]])
def test_no_overflow_or_invalid_value_warning(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax(np.array(x))
    assert np.all(np.isfinite(out))
    assert out.sum() == pytest.approx(1.0)


def test_rows_are_independent_and_shape_kept():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 5)) * 50
    out = softmax(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.sum(axis=1), np.ones(7))
    for i in range(7):
        np.testing.assert_allclose(out[i], softmax(x[i]))
        e = np.exp(x[i] - x[i].max())
        np.testing.assert_allclose(out[i], e / e.sum())


def test_shift_invariance():
    x = np.array([[0.5, -2.0, 3.0]])
    np.testing.assert_allclose(softmax(x), softmax(x + 1234.5))


def test_does_not_modify_input():
    x = np.array([[1.0, 2.0]])
    softmax(x)
    np.testing.assert_array_equal(x, [[1.0, 2.0]])
