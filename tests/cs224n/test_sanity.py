"""The visible sanity checks accept exactly the equivalent forms the graders accept."""

import numpy as np
import pytest

from cs224n.sanity import equivalent_shape, expect_close


def test_an_equivalent_form_passes_with_a_note(capsys):
    expect_close(np.array([[0.25, 0.75]]), [0.25, 0.75], "softmax([1, 2])")
    expect_close(np.array([3.0]), 3.0, "cost")
    assert "accepted" in capsys.readouterr().out


@pytest.mark.parametrize("actual, expected, words", [
    (np.ones((2, 1)), np.ones((1, 2)), "expected shape (1, 2)"),
    (np.ones(3), np.ones((1, 3)), "expected shape (1, 3)"),
    (None, np.ones(2), "returned None"),
    (np.array([0.5, 0.5]), [0.25, 0.75], "expected"),
])
def test_wrong_results_raise_in_words(actual, expected, words):
    with pytest.raises(AssertionError) as raised:
        expect_close(actual, expected, "f(x)")
    assert words in str(raised.value)


def test_the_rule_is_the_graders():
    from autograder.checks import model

    assert model.equivalent_shape is equivalent_shape
    assert equivalent_shape((1, 1), ()) and not equivalent_shape((2,), ())
    assert equivalent_shape((4, 1), (4,)) and not equivalent_shape((4, 4), (4, 4, 1))
