"""Problem 4: sentence features and regularised softmax regression for 5-class sentiment."""

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from cs224n.classifier import accuracy, trainSoftmaxRegression


def getSentenceFeatures(
    tokens: dict[str, int], wordVectors: np.ndarray, sentence: list[str]
) -> np.ndarray:
    """Average of the sentence's word vectors.

    Args:
        tokens: dict word -> row of wordVectors.
        wordVectors: (V, D).
        sentence: list of words, all in tokens.
    Returns:
        (D,) the mean word vector; zeros for an empty sentence.
    """
    if not sentence:
        return np.zeros(wordVectors.shape[1])
    rows = [tokens[word] for word in sentence]
    return wordVectors[rows].mean(axis=0)  # (len, D) -> (D,)


def sentence_matrix(tokens, wordVectors, sentences) -> np.ndarray:
    """Stack getSentenceFeatures for a list of sentences: (N, D)."""
    return np.array([getSentenceFeatures(tokens, wordVectors, s) for s in sentences])


def getRegularizationValues() -> list[float]:
    """Regularisation strengths to try: 13 values log-spaced from 1e-4 to 1e2."""
    return sorted(np.logspace(-4, 2, num=13).tolist())


@dataclass
class SweepResult:
    """One point of the regularisation sweep (accuracies in percent)."""

    reg: float
    clf: LogisticRegression
    train: float
    dev: float
    test: float

    def __getitem__(self, key: str):  # the assignment indexes results as dicts
        return getattr(self, key)


def chooseBestModel(results: list) -> object:
    """The result with the highest dev accuracy (the first one on ties)."""
    return max(results, key=lambda r: r["dev"])


def regularization_sweep(train, dev, test, regValues=None) -> list[SweepResult]:
    """Fit one model per regularisation value.

    train, dev, test: (features (N, D), labels (N,)) pairs.
    Returns one SweepResult per value, in the order of regValues.
    """
    results = []
    for reg in regValues if regValues is not None else getRegularizationValues():
        clf = trainSoftmaxRegression(*train, reg)
        results.append(
            SweepResult(
                reg=float(reg),
                clf=clf,
                train=accuracy(train[1], clf.predict(train[0])),
                dev=accuracy(dev[1], clf.predict(dev[0])),
                test=accuracy(test[1], clf.predict(test[0])),
            )
        )
    return results
