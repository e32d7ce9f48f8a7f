"""Hidden checks for problem 4: sentence features and model selection (4 points).

The inputs are built so that each known mistake (autograder/mutants/q4_sentiment.py) fails on
every seed: sentences with a repeated word whose length is neither D nor V; sweeps whose best
dev model is never first or last, differs from the best train and best test models and from
the best by dev + test, and is beaten on test by the first model; no ties.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.model import Check, Compared, Hint, close
from autograder.kernel.probe import Call

FEATURES_PART = "4(a) getSentenceFeatures"
FEATURES_CELL = "q4_features_hidden"
SELECTION_PART = "4(c) getRegularizationValues and chooseBestModel"
SELECTION_CELL = "q4_selection_hidden"
MAX_STEP_RATIO = 10.0  # log-spacing: the largest log-step at most 10 x the smallest

# ---------------------------------------------------------------- getSentenceFeatures


def _vocabulary(rng, V: int) -> dict[str, int]:
    return {f"t{i}": int(j) for i, j in enumerate(rng.permutation(V))}


def _features(rng):
    """Sentences with a repeated word, of a length that is neither D nor V."""
    calls = []
    for _ in range(3):
        V, D = int(rng.integers(5, 15)), int(rng.integers(2, 8))
        tokens = _vocabulary(rng, V)
        words = list(tokens)
        m = int(rng.choice([n for n in range(3, 10) if n not in (D, V)]))
        sentence = [words[int(i)] for i in rng.integers(V, size=m - 1)]
        sentence.insert(int(rng.integers(1, m)), sentence[0])  # a word that occurs twice
        calls.append(Call("getSentenceFeatures", (tokens, rng.normal(size=(V, D)), sentence)))
    return calls


def _one_word(rng):
    """A one-word sentence: that word's vector, shape (D,)."""
    V, D = 4, int(rng.integers(2, 6))
    tokens = {f"u{i}": i for i in range(V)}
    return [Call("getSentenceFeatures", (tokens, rng.normal(size=(V, D)), ["u2"]))]


def _shape_d(student, reference) -> Compared:
    """The exact shape (D,): the given code stacks the features into an (N, D) matrix."""
    for s, r in zip(student, reference, strict=True):
        got, want = np.shape(np.asarray(s.value, dtype=float)), np.shape(r.value)
        if got != want:
            return Compared(f"your sentVector has shape {got}; it must have shape {want}, "
                            "(D,), so that the features of N sentences stack into an (N, D) "
                            "matrix")
    return close()(student, reference)


# ---------------------------------------------------------------- getRegularizationValues


def _regularization_values(rng):
    return [Call("getRegularizationValues")]


def _sensible_values(student, reference) -> str | None:
    if student[0].value is None:
        return "getRegularizationValues returned None (a missing return?)"
    values = np.asarray(student[0].value, dtype=float).ravel()
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        return "the values must be positive and finite"
    distinct = np.unique(values)
    if distinct.size < 5:
        return f"only {distinct.size} different values; use at least 5"
    if distinct[-1] / distinct[0] < 100:
        return ("the values span less than two orders of magnitude (the largest must be at "
                "least 100 times the smallest)")
    steps = np.diff(np.log10(distinct))
    if steps.max() > MAX_STEP_RATIO * steps.min():
        return ("the values are not spaced logarithmically: sorted, the factor from one value "
                "to the next should be about the same everywhere (np.logspace), but your "
                "largest step is more than 10 times your smallest on a log scale")
    return None


# ---------------------------------------------------------------- chooseBestModel


def _sweep(rng, n: int, best: int) -> list[dict]:
    """n >= 7 results, no ties, whose best dev accuracy is at index `best`.

    Each wrong rule picks another result: the best test accuracy is at `top_test` (low on
    dev); the best dev + test at `rival` (second on dev); the best train accuracy at
    `top_train`; the lowest dev accuracy at `worst`; none of them first or last. Unless the
    best is first, a choice that starts from results[0] and switches only when dev and test
    both improve keeps results[0] (second on test, low on dev).
    """
    inner = [i for i in range(1, n - 1) if i != best]
    rival, top_test, top_train, worst = (int(i) for i in rng.permutation(inner)[:4])
    train = rng.uniform(30, 40, size=n)
    dev = rng.uniform(25, 33, size=n)
    test = rng.uniform(26, 31, size=n)
    dev[best] = dev.max() + rng.uniform(0.5, 1.5)
    dev[rival] = dev[best] - rng.uniform(0.1, 0.4)
    low = dev.min()
    if best != 0:
        dev[0] = low = low - rng.uniform(1.0, 1.5)
    dev[top_test] = low - rng.uniform(0.5, 1.0)
    dev[worst] = dev[top_test] - rng.uniform(0.5, 1.0)
    test[best] = test.min() - rng.uniform(0.5, 1.5)
    test[top_test] = test.max() + rng.uniform(2.0, 3.0)
    if best != 0:
        test[0] = test[top_test] - rng.uniform(0.1, 0.2)
    test[rival] = test[top_test] - rng.uniform(0.3, 0.6)
    train[top_train] = train.max() + rng.uniform(1.0, 2.0)
    regs = np.sort(10.0 ** rng.uniform(-5, 2, size=n))
    return [{"reg": float(r), "clf": None, "train": float(a), "dev": float(b), "test": float(c)}
            for r, a, b, c in zip(regs, train, dev, test, strict=True)]


PLACES = ("second", "second to last", "middle", "last", "first")


def _results(rng):
    """Five sweeps: the best dev model second, second to last, elsewhere in between (no
    rule but the right one passes these), then last and first (a loop that skips an end)."""
    calls = []
    for where in PLACES:
        n = int(rng.integers(7, 11))
        best = {"second": 1, "second to last": n - 2, "last": n - 1, "first": 0}.get(where)
        if best is None:
            best = int(rng.integers(2, n - 2))
        calls.append(Call("chooseBestModel", (_sweep(rng, n, best),)))
    return calls


def _tied(rng):
    """A sweep in which two results share the best dev accuracy (neither first nor last)."""
    results = _sweep(rng, int(rng.integers(7, 11)), 1)
    twin = int(rng.integers(2, len(results) - 1))
    results[twin]["dev"] = results[1]["dev"]
    return [Call("chooseBestModel", (results,))]


def _returned_the_dict(student, reference) -> str | None:
    for i, (s, r) in enumerate(zip(student, reference, strict=True)):
        got, want = s.value, r.value
        if not isinstance(got, dict):
            return (f"sweep {i + 1}: your chooseBestModel returned {_short(got)}, not one of "
                    "the result dicts: return the dict itself")
        if got != want:
            chosen = got.get("reg", "?")
            return (f"sweep {i + 1}: you chose the result with reg = {_short(chosen)}, which "
                    "is not the one with the highest dev accuracy")
    return None


def _short(value) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _returned(kind: type):
    def predicate(student, reference) -> bool:
        return any(isinstance(s.value, kind) and not isinstance(s.value, bool)
                   for s in student)

    return predicate


def _evenly_spaced(student, reference) -> bool:
    """Whether the values are (nearly) evenly spaced on a linear scale."""
    values = np.unique(np.asarray(student[0].value, dtype=float).ravel())
    steps = np.diff(values)
    return values.size >= 3 and bool(np.allclose(steps, steps[0], rtol=1e-3))


CHECKS = (
    Check(
        name="sentence_features_mean",
        cell=FEATURES_CELL,
        part=FEATURES_PART,
        points=1.5,
        description="the mean of the sentence's word vectors, a repeated word counting each "
                    "time",
        calls=_features,
        compare=close(),
        hints=(
            Hint("that is the SUM of the word vectors: divide by the number of words.",
                 mutant="features_sum"),
            Hint("a repeated word is counted once: average over every word of the sentence, "
                 "not over set(sentence).", mutant="features_distinct"),
            Hint("divide by the number of words in the sentence, len(sentence), not by the "
                 "dimension D.", mutant="features_divide_by_D"),
        ),
    ),
    Check(
        name="sentence_features_shape",
        cell=FEATURES_CELL,
        part=FEATURES_PART,
        points=0.5,
        description="a one-word sentence gives that word's vector, with shape (D,)",
        calls=_one_word,
        compare=_shape_d,
        hints=(
            Hint("keepdims=True (or np.matrix, or a (1, D) start value) gives shape (1, D); "
                 "return a vector of shape (D,): average with axis=0 and no keepdims.",
                 mutant="features_row"),
            Hint("average over the words (axis=0), not over the dimensions (axis=1).",
                 mutant="features_wrong_axis"),
        ),
    ),
    Check(
        name="regularization_values",
        cell=SELECTION_CELL,
        part=SELECTION_PART,
        points=1.0,
        description="at least 5 different positive values, spaced logarithmically over at "
                    "least two orders of magnitude",
        calls=_regularization_values,
        compare=_sensible_values,
        hints=(
            Hint("np.linspace spaces the values evenly, so nearly all of them fall in the top "
                 "order of magnitude: use np.logspace, e.g. np.logspace(-4, 2, 13).",
                 when=_evenly_spaced),
        ),
    ),
    Check(
        name="choose_best_model",
        cell=SELECTION_CELL,
        part=SELECTION_PART,
        points=1.0,
        description="returns the result dict with the best DEV accuracy, in sweeps where the "
                    "best train, dev and test models differ",
        calls=_results,
        compare=_returned_the_dict,
        hints=(
            Hint("you chose by train accuracy: choose by dev accuracy.",
                 mutant="best_by_train"),
            Hint("you chose by test accuracy: the test set may not take part in any decision; "
                 "choose by dev accuracy.", mutant="best_by_test"),
            Hint("choose by the dev accuracy alone, not by dev and test together: the test set "
                 "may not take part in any decision.", mutant="best_by_dev_plus_test"),
            Hint("you kept results[0], switching only to a result whose dev AND test "
                 "accuracies are both higher; compare dev accuracies only.",
                 mutant="best_both_improve"),
            Hint("return the element of results (the dict), not its index.",
                 when=_returned(int)),
            Hint("return the whole dict, not its reg value or its accuracy.",
                 when=_returned(float)),
        ),
    ),
    Check(
        name="choose_best_model_ties",
        cell=SELECTION_CELL,
        part=SELECTION_PART,
        points=0.0,
        description="advice, worth no points: on a tie for the best dev accuracy, the first "
                    "of the tied results (as the notebook asks)",
        calls=_tied,
        compare=_returned_the_dict,
        hints=(Hint("on a tie your chooseBestModel returns a later result: keep the first one "
                    "(compare with >, not >=; max(results, key=...) does this). This is advice, "
                    "worth no points.", mutant="best_loop"),),
    ),
)
