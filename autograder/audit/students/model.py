"""What a realistic student is: their code, and the verdict a careful TA gives each function."""

from __future__ import annotations

from dataclasses import dataclass

# The functions every student writes (getNegativeSamples is given, locked, in the notebook).
GRADED: tuple[str, ...] = (
    "softmax",
    "sigmoid",
    "sigmoid_grad",
    "gradcheck_naive",
    "forward_backward_prop",
    "normalizeRows",
    "softmaxCostAndGradient",
    "negSamplingCostAndGradient",
    "skipgram",
    "cbow",
    "sgd",
    "getSentenceFeatures",
    "getRegularizationValues",
    "chooseBestModel",
)


@dataclass(frozen=True)
class Student:
    """One student's complete solutions and the TA's verdict on them.

    name: unique id.
    style: how this student writes code, in a few words.
    source: the student's functions, as run in their notebooks' namespace.
    expected: function -> the checks it must fail (an empty tuple: right, full marks). The
        verdict was decided by reading the code against the handout and the notebooks' text,
        before the grader was run.
    """

    name: str
    style: str
    source: str
    expected: dict[str, tuple[str, ...]]


def student(name: str, style: str, source: str,
            wrong: dict[str, tuple[str, ...]] | None = None) -> Student:
    """A Student whose functions are all right except those in `wrong`."""
    wrong = dict(wrong or {})
    unknown = set(wrong) - set(GRADED)
    if unknown:
        raise ValueError(f"{name}: verdicts for functions that are not graded: {unknown}")
    return Student(name, style, source, {f: tuple(wrong.get(f, ())) for f in GRADED})
