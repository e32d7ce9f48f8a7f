"""Pretrained GloVe word vectors (Pennington, Socher and Manning, 2014).

The assignment uses ``glove.6B.50d.txt`` from the ``glove.6B.zip`` archive: one word per line
followed by its 50 numbers, separated by single spaces::

    the 0.418 0.24968 -0.41242 0.1217 ...

:func:`loadWordVectors` picks the vectors of the words in a vocabulary (such as
``StanfordSentiment().tokens()``) out of that file, reading it one line at a time: the real
file is 170 MB and has 400,000 words, and we only need a few thousand of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_GLOVE_PATH", "GloveFormatError", "loadWordVectors"]

DEFAULT_GLOVE_PATH = Path("data") / "glove.6B.50d.txt"
"""Where the vectors are looked for when neither ``filepath`` nor ``CS224N_GLOVE_PATH`` is
given."""


class GloveFormatError(ValueError):
    """A line of the GloVe file is not ``word`` followed by ``dimensions`` numbers."""


def loadWordVectors(
    tokens: Mapping[str, int],
    filepath: str | Path | None = None,
    dimensions: int = 50,
) -> np.ndarray:
    """Read pretrained GloVe vectors for the words of a vocabulary.

    Args:
        tokens: word -> row index, e.g. ``StanfordSentiment().tokens()``. Indices must be
            ``0 .. len(tokens) - 1``.
        filepath: the GloVe text file. Default: the environment variable
            ``CS224N_GLOVE_PATH``, else ``data/glove.6B.50d.txt``.
        dimensions: the length of the vectors in the file.

    Returns:
        A ``(len(tokens), dimensions)`` float64 array whose row ``tokens[w]`` is the GloVe
        vector of ``w``; words that GloVe does not know (such as "UNK") get a row of zeros.

    Raises:
        FileNotFoundError: if the file does not exist.
        GloveFormatError: if a line does not hold a word and exactly ``dimensions`` numbers
            (the message gives the line number).
    """
    if filepath is None:
        filepath = os.environ.get("CS224N_GLOVE_PATH") or DEFAULT_GLOVE_PATH
    filepath = Path(filepath)
    if not filepath.is_file():
        raise FileNotFoundError(
            f"{filepath} not found. Download GloVe with `cs224n-download glove`, or point "
            "CS224N_GLOVE_PATH at glove.6B.50d.txt."
        )

    wordVectors = np.zeros((len(tokens), dimensions))
    # Read bytes and decode line by line, so that a bad line can be reported by number.
    with open(filepath, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n").rstrip(" ")
            except UnicodeDecodeError as err:
                raise GloveFormatError(f"{filepath}, line {number}: not UTF-8 ({err})") from None
            if not line:
                continue
            # GloVe separates fields by single ASCII spaces; split on those only, as a word
            # may contain other white space (e.g. a no-break space).
            fields = line.split(" ")
            if len(fields) != dimensions + 1:
                raise GloveFormatError(
                    f"{filepath}, line {number}: expected a word and {dimensions} numbers, "
                    f"found {len(fields) - 1} numbers. Is this a {dimensions}-d GloVe file? "
                    "(pass dimensions= to match the file)"
                )
            index = tokens.get(fields[0])
            if index is None:
                continue
            try:
                wordVectors[index] = [float(x) for x in fields[1:]]
            except ValueError as err:
                raise GloveFormatError(f"{filepath}, line {number}: {err}") from None
    return wordVectors
