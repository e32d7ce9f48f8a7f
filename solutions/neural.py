"""Problem 2: sigmoid and a one-hidden-layer network (sigmoid hidden, softmax output).

Cost convention: the network's cross-entropy is SUMMED over the N examples of a batch (not
averaged), as in the 2017 assignment's reference. (word2vec's SGD wrapper, like the
assignment's, averages its cost over the 50 windows of a batch instead.)
"""

import numpy as np

from solutions.softmax import softmax


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), elementwise, stable for large |x|.

    For x >= 0 we use 1 / (1 + exp(-x)); for x < 0 the equal form exp(x) / (1 + exp(x)), so the
    exponent is never positive and nothing overflows.

    Args:
        x: any shape.
    Returns:
        Same shape as x, values in [0, 1].
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(s: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, given its VALUE s = sigmoid(x): sigma'(x) = s (1 - s).

    Args:
        s: any shape, the output of sigmoid.
    Returns:
        Same shape as s.
    """
    return s * (1.0 - s)


def unpack_params(params: np.ndarray, dimensions: tuple[int, int, int]):
    """Split the flat parameter vector into W1 (Dx, H), b1 (1, H), W2 (H, Dy), b2 (1, Dy).

    The order is the assignment's: W1, b1, W2, b2, each flattened row-major.
    Returns views into params.
    """
    Dx, H, Dy = dimensions
    shapes = [(Dx, H), (1, H), (H, Dy), (1, Dy)]
    expected = (Dx + 1) * H + (H + 1) * Dy
    if params.size != expected:
        raise ValueError(
            f"params has {params.size} entries, dimensions {tuple(dimensions)} need "
            f"(Dx + 1) * H + (H + 1) * Dy = {expected}"
        )
    out, ofs = [], 0
    for rows, cols in shapes:
        out.append(params[ofs : ofs + rows * cols].reshape(rows, cols))
        ofs += rows * cols
    return out


def forward_backward_prop(
    X: np.ndarray, labels: np.ndarray, params: np.ndarray, dimensions: tuple[int, int, int]
) -> tuple[float, np.ndarray]:
    """Forward and backward pass of a two-layer network.

    h = sigmoid(X W1 + b1), y_hat = softmax(h W2 + b2), cost = -sum(labels * log y_hat).

    Args:
        X: (N, Dx) inputs.
        labels: (N, Dy) one-hot rows.
        params: ((Dx + 1) * H + (H + 1) * Dy,) flat W1, b1, W2, b2.
        dimensions: (Dx, H, Dy).
    Returns:
        cost: cross-entropy summed over the N examples.
        grad: same shape as params, gradient flattened in the same order.
    """
    W1, b1, W2, b2 = unpack_params(params, dimensions)

    # forward
    h = sigmoid(X @ W1 + b1)  # (N, H)
    y_hat = softmax(h @ W2 + b2)  # (N, Dy)
    cost = -np.sum(labels * np.log(y_hat))

    # backward
    delta2 = y_hat - labels  # (N, Dy): d cost / d scores
    gradW2 = h.T @ delta2  # (H, Dy)
    gradb2 = delta2.sum(axis=0, keepdims=True)  # (1, Dy)
    delta1 = (delta2 @ W2.T) * sigmoid_grad(h)  # (N, H)
    gradW1 = X.T @ delta1  # (Dx, H)
    gradb1 = delta1.sum(axis=0, keepdims=True)  # (1, H)

    grad = np.concatenate([g.ravel() for g in (gradW1, gradb1, gradW2, gradb2)])
    return float(cost), grad
