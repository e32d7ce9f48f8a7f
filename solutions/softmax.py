"""Problem 1: a numerically stable softmax."""

import numpy as np


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax of a vector, or of each row of a matrix.

    softmax(x) = softmax(x + c) for any constant c, so we shift each row by its maximum: the
    largest exponent becomes exp(0) = 1, nothing overflows, and the sum is at least 1.

    Args:
        x: shape (D,) or (N, D).
    Returns:
        Array of the same shape as x; each row is a probability distribution.
    """
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=-1, keepdims=True)  # (N, D) or (D,); max entry is 0
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)
