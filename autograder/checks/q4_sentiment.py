"""Hidden checks for problem 4: sentence features and model selection (4 points)."""

import numpy as np

from autograder.checks.model import Check, Hint, close
from autograder.kernel.probe import Call

FEATURES_PART = "4(a) getSentenceFeatures"
FEATURES_CELL = "q4_features_hidden"
SELECTION_PART = "4(c) getRegularizationValues and chooseBestModel"
SELECTION_CELL = "q4_selection_hidden"


def _features(rng):
    calls = []
    for _ in range(3):
        V, D = int(rng.integers(5, 15)), int(rng.integers(2, 8))
        tokens = {f"t{i}": int(j) for i, j in enumerate(rng.permutation(V))}
        words = list(tokens)
        sentence = [words[int(i)] for i in rng.integers(V, size=int(rng.integers(2, 9)))]
        sentence += sentence[:1]  # a repeated word counts twice in the mean
        calls.append(Call("getSentenceFeatures", (tokens, rng.normal(size=(V, D)), sentence)))
    return calls


def _one_word(rng):
    V, D = 4, int(rng.integers(2, 6))
    tokens = {f"u{i}": i for i in range(V)}
    return [Call("getSentenceFeatures", (tokens, rng.normal(size=(V, D)), ["u2"]))]


def _regularization_values(rng):
    return [Call("getRegularizationValues")]


def _sensible_values(student, reference):
    values = np.asarray(student[0].value, dtype=float).ravel()
    if values.size < 5:
        return f"only {values.size} values; try at least 5"
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        return "values must be positive and finite"
    if values.max() / values.min() < 100:
        return "the values span less than two orders of magnitude; space them logarithmically"
    return None


def _results(rng):
    """Sweep results whose best train, dev and test accuracies are at different values."""
    n = 6
    regs = np.sort(rng.uniform(1e-4, 10, size=n))
    order = rng.permutation(n)
    train, dev, test = (rng.uniform(20, 40, size=n) for _ in range(3))
    train[order[0]], dev[order[1]], test[order[2]] = 60.0, 50.0, 55.0
    results = [
        {"reg": float(r), "train": float(a), "dev": float(b), "test": float(c)}
        for r, a, b, c in zip(regs, train, dev, test, strict=True)
    ]
    return [Call("chooseBestModel", (results,))]


def _same_reg(student, reference):
    got, want = student[0].value, reference[0].value
    if not isinstance(got, dict) or "reg" not in got:
        return "return one of the result dicts"
    return None if got["reg"] == want["reg"] else "chose a model that is not the best on dev"


CHECKS = (
    Check(
        name="sentence_features_mean",
        cell=FEATURES_CELL,
        part=FEATURES_PART,
        points=1.5,
        description="the mean of the sentence's word vectors (repeated words included)",
        calls=_features,
        compare=close(),
        hints=(Hint("Average (not sum) the vectors of all words of the sentence."),),
    ),
    Check(
        name="sentence_features_shape",
        cell=FEATURES_CELL,
        part=FEATURES_PART,
        points=0.5,
        description="a one-word sentence gives that word's vector, shape (D,)",
        calls=_one_word,
        compare=close(),
        hints=(Hint("Return a 1-D vector of the word-vector dimension."),),
    ),
    Check(
        name="regularization_values",
        cell=SELECTION_CELL,
        part=SELECTION_PART,
        points=1.0,
        description="at least 5 positive values spanning two orders of magnitude",
        calls=_regularization_values,
        compare=_sensible_values,
        hints=(Hint("Search a logarithmic range, e.g. np.logspace(-4, 2, 13)."),),
    ),
    Check(
        name="choose_best_model",
        cell=SELECTION_CELL,
        part=SELECTION_PART,
        points=1.0,
        description="chooses the model with the best DEV accuracy",
        calls=_results,
        compare=_same_reg,
        hints=(Hint("Pick by dev accuracy: the test set is for the final report only, the train "
        "accuracy rewards overfitting."),),
    ),
)
