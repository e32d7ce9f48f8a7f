"""Plots and reports for problems 3 and 4 (given to students; nothing here is graded)."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

# The 25 words the handout asks to plot.
VISUALIZE_WORDS = (
    "the", "a", "an", ",", ".", "?", "!", "``", "''", "--",
    "good", "great", "cool", "brilliant", "wonderful", "well", "amazing",
    "worth", "sweet", "enjoyable", "boring", "bad", "waste", "dumb", "annoying",
)  # fmt: skip
CLASS_NAMES = ("- -", "-", "neut", "+", "+ +")


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in {"agg", "module://matplotlib_inline.backend_inline"}:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def svd_projection(vectors: np.ndarray) -> np.ndarray:
    """Project vectors (N, D) onto the top two principal directions: (N, 2).

    The directions are the leading singular vectors of the centred vectors' covariance.
    """
    centred = vectors - vectors.mean(axis=0)  # (N, D)
    covariance = centred.T @ centred / len(vectors)  # (D, D)
    U, _, _ = np.linalg.svd(covariance)
    return centred @ U[:, :2]  # (N, 2)


def plot_word_vectors(tokens: dict[str, int], wordVectors: np.ndarray, path: str | Path,
                      words: Sequence[str] = VISUALIZE_WORDS) -> np.ndarray:
    """Save a 2-D SVD plot of the given words' vectors to path; returns the (N, 2) coordinates.

    wordVectors: (V, D) rows indexed by tokens.
    """
    plt = _pyplot()
    coords = svd_projection(wordVectors[[tokens[w] for w in words]])
    fig, ax = plt.subplots(figsize=(7, 6))
    for (x, y), word in zip(coords, words, strict=True):
        ax.text(x, y, word, bbox={"facecolor": "green", "alpha": 0.1})
    pad = 0.1 * (np.ptp(coords, axis=0) + 1e-12)
    ax.set_xlim(coords[:, 0].min() - pad[0], coords[:, 0].max() + pad[0])
    ax.set_ylim(coords[:, 1].min() - pad[1], coords[:, 1].max() + pad[1])
    ax.set_title("Word vectors: 2-D SVD projection")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return coords


def plotRegVsAccuracy(regValues: Sequence[float], results: Sequence, filename: str | Path):
    """Train and dev accuracy against regularisation (log x-axis), saved to filename.

    results: items indexable by "train" and "dev" (accuracies in percent), one per value.
    """
    plt = _pyplot()
    fig, ax = plt.subplots()
    ax.semilogx(regValues, [r["train"] for r in results], "o-", label="train")
    ax.semilogx(regValues, [r["dev"] for r in results], "s-", label="dev")
    ax.set_xlabel("regularization")
    ax.set_ylabel("accuracy (%)")
    ax.legend(loc="best")
    fig.savefig(filename, dpi=100, bbox_inches="tight")
    plt.close(fig)


def outputConfusionMatrix(features: np.ndarray, labels: np.ndarray, clf,
                          filename: str | Path) -> np.ndarray:
    """Save the confusion matrix of clf on (features (N, D), labels (N,)); returns it (5, 5)."""
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    plt = _pyplot()
    matrix = confusion_matrix(labels, clf.predict(features), labels=range(len(CLASS_NAMES)))
    display = ConfusionMatrixDisplay(matrix, display_labels=CLASS_NAMES)
    display.plot(cmap="Blues", colorbar=True)
    display.ax_.set_title("Confusion matrix (dev)")
    display.figure_.savefig(filename, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)
    return matrix


def outputPredictions(sentences: Sequence, features: np.ndarray, labels: np.ndarray, clf,
                      filename: str | Path) -> None:
    """Write 'true<TAB>predicted<TAB>sentence' lines for every example to filename.

    sentences: list of (words, label) pairs as getDevSentences() returns them.
    """
    predictions = clf.predict(features)
    with open(filename, "w", encoding="utf-8") as f:
        print("True\tPredicted\tText", file=f)
        for (words, _), label, pred in zip(sentences, labels, predictions, strict=True):
            print(f"{int(label)}\t{int(pred)}\t{' '.join(words)}", file=f)
