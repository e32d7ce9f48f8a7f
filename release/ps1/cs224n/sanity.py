"""The handout's small sanity fixtures, shared by the notebooks' visible tests.

A five-word vocabulary a..e with ten random unit vectors: rows 0-4 are the input (centre)
vectors, rows 5-9 the output (context) vectors.
"""

import random

import numpy as np

DUMMY_WORDS = ("a", "b", "c", "d", "e")


class DummyDataset:
    """Stands in for StanfordSentiment: uniform word draws from Python's `random`."""

    def __init__(self, words=DUMMY_WORDS):
        self.words = list(words)

    def sampleTokenIdx(self) -> int:
        return random.randint(0, len(self.words) - 1)

    def getRandomContext(self, C: int) -> tuple[str, list[str]]:
        n = len(self.words) - 1
        center = self.words[random.randint(0, n)]
        return center, [self.words[random.randint(0, n)] for _ in range(2 * C)]


def dummy_setup(seed_random: int = 31415, seed_numpy: int = 9265):
    """(dataset, vectors (10, 3) with unit rows, tokens {a: 0, ..., e: 4}) as in the handout.

    Seeds both generators first, exactly as the handout's test does.
    """
    random.seed(seed_random)
    np.random.seed(seed_numpy)
    vectors = np.random.randn(10, 3)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # (10, 3) unit rows
    tokens = {w: i for i, w in enumerate(DUMMY_WORDS)}
    return DummyDataset(), vectors, tokens


def equivalent_shape(got: tuple[int, ...], want: tuple[int, ...]) -> bool:
    """The equivalent forms the graders accept too: a size-1 or 0-d array for a scalar, and a
    (1, D) or (D, 1) array for a vector of shape (D,)."""
    if want == ():
        return int(np.prod(got)) == 1
    if len(want) == 1:
        return got in ((1, want[0]), (want[0], 1))
    return False


def expect_close(actual, expected, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise AssertionError with a readable message unless actual matches expected.

    An equivalent form (see `equivalent_shape`) passes with a printed note, as in grading.
    what: a short description shown to the student, e.g. "softmax([1, 2])".
    """
    expected = np.asarray(expected, dtype=float)
    if actual is None:
        raise AssertionError(f"{what}: your function returned None (did you forget `return`?)")
    actual = np.asarray(actual, dtype=float)
    if actual.shape != expected.shape:
        if not equivalent_shape(actual.shape, expected.shape):
            raise AssertionError(f"{what}: expected shape {expected.shape}, got {actual.shape}")
        print(f"Note: {what} has shape {actual.shape} where {expected.shape} is expected; "
              "accepted, as the values are what count.")
        actual = actual.reshape(expected.shape)
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        raise AssertionError(
            f"{what}:\n  expected {np.array2string(expected, precision=8)}"
            f"\n  got      {np.array2string(actual, precision=8)}"
        )
