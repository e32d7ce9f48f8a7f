import random

import numpy as np

from solutions.gradcheck import gradcheck_naive


def quad(x):
    return np.sum(x**2), 2 * x


def test_passes_on_correct_gradients(capsys):
    assert gradcheck_naive(quad, np.array(123.456))
    assert gradcheck_naive(quad, np.random.default_rng(0).normal(size=(3,)))
    assert gradcheck_naive(quad, np.random.default_rng(1).normal(size=(4, 5)))
    assert "Gradient check passed!" in capsys.readouterr().out


def test_rejects_a_wrong_gradient_and_names_the_first_bad_index(capsys):
    def wrong(x):
        g = 2 * x
        g[1, 2] += 0.1
        return np.sum(x**2), g

    x = np.ones((3, 4))
    result = gradcheck_naive(wrong, x)
    assert not result
    assert result.index == (1, 2)
    assert "First gradient error found at index (1, 2)" in capsys.readouterr().out
    np.testing.assert_array_equal(x, np.ones((3, 4)))  # restored


def test_rejects_a_gradient_off_by_a_factor():
    assert not gradcheck_naive(lambda x: (np.sum(x**3), 2 * x**2), np.ones(3) * 2, verbose=False)


def test_restores_both_random_states_before_every_call():
    # cost depends on fresh random draws; only restoring both generators makes it checkable
    def noisy(x):
        a = random.random()
        b = np.random.rand()
        return (a + b) * np.sum(x**2), 2 * (a + b) * x

    random.seed(1)
    np.random.seed(1)
    assert gradcheck_naive(noisy, np.random.randn(5), verbose=False)


def test_centred_differences_pass_where_one_sided_would_not():
    x0, h = 1.0, 1e-4
    one_sided = (np.exp(3 * (x0 + h)) - np.exp(3 * x0)) / h
    exact = 3 * np.exp(3 * x0)
    assert abs(one_sided - exact) / exact > 1e-5  # a one-sided checker would reject this
    assert gradcheck_naive(lambda x: (np.sum(np.exp(3 * x)), 3 * np.exp(3 * x)), np.ones(4),
                           verbose=False)
