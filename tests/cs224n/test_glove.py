"""Tests of cs224n.glove.loadWordVectors on the tiny GloVe fixture (and on broken files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cs224n
from cs224n.glove import GloveFormatError, loadWordVectors
from cs224n.treebank import StanfordSentiment

FIXTURES = Path(__file__).parent / "fixtures"
GLOVE = FIXTURES / "glove.6B.50d.txt"
SST = cs224n.sample_sst_dir()  # the SST sample shipped with the package


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("CS224N_GLOVE_PATH", raising=False)


def glove_rows() -> dict[str, list[float]]:
    """The fixture's vectors, parsed here independently of the loader."""
    rows = {}
    for line in GLOVE.read_text(encoding="utf-8").splitlines():
        word, *numbers = line.split(" ")
        rows[word] = [float(x) for x in numbers]
    return rows


def test_vectors_land_on_their_token_rows():
    tokens = StanfordSentiment(SST).tokens()
    rows = glove_rows()
    vectors = loadWordVectors(tokens, GLOVE)

    assert vectors.shape == (len(tokens), 50)
    assert vectors.dtype == np.float64
    known = [w for w in rows if w in tokens]
    assert {"the", "amélie", "8\xa01\\/2"} <= set(known)  # accents, no-break space
    assert len(known) >= 30
    for word in known:
        np.testing.assert_array_equal(vectors[tokens[word]], rows[word])
    unknown = [i for w, i in tokens.items() if w not in rows]
    assert tokens["UNK"] in unknown
    assert not vectors[unknown].any()  # words GloVe does not know get zeros


def test_words_not_in_the_vocabulary_are_ignored():
    vectors = loadWordVectors({"quokka": 1, "zyzzyva": 0, "nonesuch": 2}, GLOVE)
    rows = glove_rows()
    np.testing.assert_array_equal(vectors[0], rows["zyzzyva"])
    np.testing.assert_array_equal(vectors[1], rows["quokka"])
    assert not vectors[2].any()


def test_path_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="cs224n-download glove"):
        loadWordVectors({"the": 0})
    monkeypatch.setenv("CS224N_GLOVE_PATH", str(GLOVE))
    np.testing.assert_array_equal(loadWordVectors({"the": 0})[0], glove_rows()["the"])


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_short_line_is_an_error_with_its_number(tmp_path):
    good = " ".join(["0.5"] * 50)
    short = " ".join(["0.5"] * 49)
    path = write(tmp_path / "g.txt", [f"a {good}", f"b {good}", f"c {short}", f"d {good}"])
    with pytest.raises(GloveFormatError, match=r"line 3: .*50 numbers, found 49"):
        loadWordVectors({"a": 0}, path)  # even for a word we do not need


def test_wrong_dimensions(tmp_path):
    with pytest.raises(GloveFormatError, match="line 1"):
        loadWordVectors({"the": 0}, GLOVE, dimensions=100)
    path = write(tmp_path / "g.txt", ["a 1 2 3", "b 4 5 6"])
    np.testing.assert_array_equal(loadWordVectors({"b": 0}, path, dimensions=3), [[4, 5, 6]])


def test_a_bad_number_is_an_error(tmp_path):
    path = write(tmp_path / "g.txt", ["a 1 2 3", "b 4 x 6"])
    with pytest.raises(GloveFormatError, match="line 2"):
        loadWordVectors({"b": 0}, path, dimensions=3)


def test_words_with_odd_white_space(tmp_path):
    """Fields are split on ASCII spaces only: a no-break space belongs to the word."""
    path = write(tmp_path / "g.txt", ["8\xa01/2 1 2 3", "", "x 7 8 9  "])
    vectors = loadWordVectors({"8\xa01/2": 0, "x": 1}, path, dimensions=3)
    np.testing.assert_array_equal(vectors, [[1, 2, 3], [7, 8, 9]])
