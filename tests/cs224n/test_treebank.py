"""Tests of cs224n.treebank.StanfordSentiment on the fixture SST folder and on the real data.

The fixture (tests/cs224n/fixtures, made by make_fixture.py) holds 215 real SST sentences
with their real PTB trees. Expected values are computed here from the fixture files by other
means than the loader's (mostly from the trees, which are correctly encoded UTF-8), and the
word2vec sampling is compared with a literal transcription of the original handout code.
"""

from __future__ import annotations

import collections
import os
import random
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import cs224n
from cs224n.treebank import (
    LabelsNotFoundError,
    SentenceNotInDictionaryError,
    StanfordSentiment,
    TreeAlignmentError,
    class_midpoint,
    fix_double_encoding,
    parse_ptb_tree,
)

FIXTURES = Path(__file__).parent / "fixtures"
SST = cs224n.sample_sst_dir()  # the SST sample shipped with the package
TREES = FIXTURES / "trainDevTestTrees_PTB" / "trees"
SPLIT_FILES = ("train", "test", "dev")  # split numbers 0, 1, 2


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    """The fixture tests must not see a user's CS224N_SST_* settings."""
    monkeypatch.delenv("CS224N_SST_DIR", raising=False)
    monkeypatch.delenv("CS224N_SST_TREES_DIR", raising=False)


def tree_lines(split: str, trees_dir: Path = TREES) -> list[str]:
    return (trees_dir / f"{split}.txt").read_text(encoding="utf-8").splitlines()


def root_label(line: str) -> int:
    return int(re.match(r"\((\d)", line).group(1))


def tree_words(line: str) -> list[str]:
    """The leaves of a PTB line, found by a regex independent of the loader's."""
    return [m.group(1) for m in re.finditer(r"\(\d ([^()]+?)\)", line)]


def split_ids(sst: Path = SST) -> list[list[int]]:
    """0-based sentence positions per split, read straight from datasetSplit.txt."""
    ids: list[list[int]] = [[], [], []]
    for line in (sst / "datasetSplit.txt").read_text().splitlines()[1:]:
        index, number = map(int, line.split(","))
        ids[number - 1].append(index - 1)
    return ids


def copy_fixture(tmp_path: Path) -> Path:
    """A writable copy of the fixture folders; returns the SST folder."""
    shutil.copytree(SST, tmp_path / "stanfordSentimentTreebank")
    shutil.copytree(FIXTURES / "trainDevTestTrees_PTB", tmp_path / "trainDevTestTrees_PTB")
    return tmp_path / "stanfordSentimentTreebank"


@pytest.fixture(scope="module")
def expected_words() -> list[list[str]]:
    """Every fixture sentence as lower-cased tree leaves, in datasetSentences order."""
    ids = split_ids()
    n = sum(len(s) for s in ids)
    words: list[list[str] | None] = [None] * n
    for split, name in enumerate(SPLIT_FILES):
        for position, line in zip(ids[split], tree_lines(name), strict=True):
            words[position] = [w.lower() for w in tree_words(line)]
    return words


# --------------------------------------------------------------------------------------------
# The original handout code (Python 2), transcribed literally, to compare the random draws.
# --------------------------------------------------------------------------------------------


def original_all_sentences(dataset: StanfordSentiment) -> list[list[str]]:
    sentences = dataset.sentences()
    rejectProb = dataset.rejectProb()
    tokens = dataset.tokens()
    allsentences = [
        [w for w in s if 0 >= rejectProb[tokens[w]] or random.random() >= rejectProb[tokens[w]]]
        for s in sentences * 30
    ]
    return [s for s in allsentences if len(s) > 1]


def original_random_context(allsent: list[list[str]], C: int) -> tuple[str, list[str]]:
    sentID = random.randint(0, len(allsent) - 1)
    sent = allsent[sentID]
    wordID = random.randint(0, len(sent) - 1)
    context = sent[max(0, wordID - C) : wordID]
    if wordID + 1 < len(sent):
        context += sent[wordID + 1 : min(len(sent), wordID + C + 1)]
    centerword = sent[wordID]
    context = [w for w in context if w != centerword]
    if len(context) > 0:
        return centerword, context
    return original_random_context(allsent, C)


def original_sample_table(dataset: StanfordSentiment, tablesize: int) -> list[int]:
    nTokens = len(dataset.tokens())
    samplingFreq = np.zeros((nTokens,))
    for i in range(nTokens):
        freq = 1.0 * dataset.tokenfreq[dataset.revtokens[i]]
        samplingFreq[i] = freq**0.75
    samplingFreq /= np.sum(samplingFreq)
    samplingFreq = np.cumsum(samplingFreq) * tablesize
    table = [0] * tablesize
    j = 0
    for i in range(tablesize):
        while i > samplingFreq[j]:
            j += 1
        table[i] = j
    return table


# --------------------------------------------------------------------------------------------
# Text handling
# --------------------------------------------------------------------------------------------


def test_fix_double_encoding():
    assert fix_double_encoding("clichÃ©s".encode()) == "clichés"
    assert fix_double_encoding("cliché".encode()) == "cliché"  # already right: unchanged
    assert fix_double_encoding(b"plain") == "plain"
    assert fix_double_encoding("Ã¢".encode()) == "â"
    assert fix_double_encoding("őz".encode()) == "őz"  # not Latin-1: unchanged


def test_parse_ptb_tree():
    tree = parse_ptb_tree("(3 (2 It) (4 (2 -LRB-) (3 lovely\xa0film)))")
    assert tree.label == 3
    assert tree.leaves() == ["It", "-LRB-", "lovely\xa0film"]
    assert [t.label for t in tree.subtrees()] == [3, 2, 4, 2, 3]
    for bad in ("(3 (2 It)", "(x It)", "(3 It) extra", "It"):
        with pytest.raises(ValueError):
            parse_ptb_tree(bad)


def test_sentences_are_decoded_like_the_trees(expected_words):
    """The double-encoded bytes of datasetSentences.txt decode to the trees' words."""
    dataset = StanfordSentiment(SST)
    sentences = dataset.sentences()
    assert dataset.numSentences() == len(expected_words)
    assert sentences == expected_words
    words = {w for s in sentences for w in s}
    assert {"cliché", "amélie", "château", "8\xa01\\/2", "-lrb-"} <= words
    assert not any("Ã" in w or "Â" in w for w in words)


def test_tokens(expected_words):
    dataset = StanfordSentiment(SST)
    tokens = dataset.tokens()
    counts = collections.Counter(w for s in expected_words for w in s)

    assert len(tokens) == len(counts) + 1
    assert dataset.wordcount == sum(counts.values()) + 1  # + 1 for "UNK", as the original
    assert tokens["UNK"] == len(tokens) - 1
    assert dataset.revtokens[-1] == "UNK"
    assert [tokens[w] for w in dataset.revtokens] == list(range(len(tokens)))
    assert dataset.tokenfreq == {**counts, "UNK": 1}
    # Ids in order of first appearance.
    first_seen = list(dict.fromkeys(w for s in expected_words for w in s))
    assert dataset.revtokens[:-1] == first_seen


def test_reject_prob():
    dataset = StanfordSentiment(SST)
    reject = dataset.rejectProb()
    threshold = 1e-5 * dataset.wordcount
    for i, w in enumerate(dataset.revtokens):
        expected = max(0.0, 1 - (threshold / dataset.tokenfreq[w]) ** 0.5)
        assert reject[i] == pytest.approx(expected, abs=1e-15)
    assert reject[dataset.tokens()["the"]] > 0.5  # frequent words are subsampled
    # The fixture is so small that even words seen once are sometimes dropped.
    assert reject[dataset.tokens()["UNK"]] == pytest.approx(1 - threshold**0.5)


# --------------------------------------------------------------------------------------------
# word2vec sampling: same draws as the original for the same seed
# --------------------------------------------------------------------------------------------


def test_all_sentences_and_contexts_match_the_original():
    random.seed(314)
    dataset = StanfordSentiment(SST)
    ours = dataset.allSentences()
    ours_contexts = [dataset.getRandomContext(C) for C in (5, 1, 3) * 20]
    state = random.getstate()

    random.seed(314)
    reference = StanfordSentiment(SST)
    theirs = original_all_sentences(reference)
    theirs_contexts = [original_random_context(theirs, C) for C in (5, 1, 3) * 20]

    assert ours == theirs
    assert ours_contexts == theirs_contexts
    assert random.getstate() == state
    assert dataset.allSentences() is ours  # cached

    n_words = sum(len(s) for s in dataset.sentences())
    assert 0 < sum(len(s) for s in ours) < 30 * n_words  # frequent words were dropped
    assert all(len(s) > 1 for s in ours)
    for center, context in ours_contexts:
        assert center not in context


def test_random_context_properties():
    random.seed(1)
    dataset = StanfordSentiment(SST)
    for C in (1, 2, 5):
        for _ in range(200):
            center, context = dataset.getRandomContext(C)
            assert 1 <= len(context) <= 2 * C
            assert center not in context
            assert center in dataset.tokens()


@pytest.mark.parametrize("tablesize", [1_000_000, 997])
def test_sample_table_matches_the_original_loop(tablesize):
    dataset = StanfordSentiment(SST, tablesize=tablesize)
    table = dataset.sampleTable()
    assert table.shape == (tablesize,)
    assert table.tolist() == original_sample_table(dataset, tablesize)


def test_sample_table_frequencies():
    dataset = StanfordSentiment(SST)
    table = dataset.sampleTable()
    weights = np.array([dataset.tokenfreq[w] ** 0.75 for w in dataset.revtokens])
    expected = weights / weights.sum() * dataset.tablesize
    counts = np.bincount(table, minlength=len(weights))
    assert np.all(np.abs(counts - expected) <= 1.0 + 1e-9)


def test_sample_token_idx_is_seeded():
    dataset = StanfordSentiment(SST, tablesize=1000)
    table = dataset.sampleTable().tolist()
    random.seed(7)
    draws = [dataset.sampleTokenIdx() for _ in range(50)]
    random.seed(7)
    assert draws == [table[random.randint(0, 999)] for _ in range(50)]
    assert all(isinstance(d, int) for d in draws)


def test_sample_table_consumes_the_same_random_state_as_all_sentences():
    """The original builds allSentences() inside sampleTable(); the random state shows it."""
    random.seed(5)
    StanfordSentiment(SST).sampleTable()
    after_table = random.random()
    random.seed(5)
    StanfordSentiment(SST).allSentences()
    assert random.random() == after_table


# --------------------------------------------------------------------------------------------
# Labels and splits
# --------------------------------------------------------------------------------------------


def test_splits():
    dataset = StanfordSentiment(SST)
    ids = split_ids()
    assert dataset.dataset_split() == ids
    sizes = [len(tree_lines(name)) for name in SPLIT_FILES]
    assert [len(s) for s in ids] == sizes == [120, 55, 40]
    assert len(dataset.getTrainSentences()) == sizes[0]
    assert len(dataset.getTestSentences()) == sizes[1]
    assert len(dataset.getDevSentences()) == sizes[2]


@pytest.mark.parametrize("source", ["dictionary", "trees"])
def test_classes_are_the_tree_root_labels(source, expected_words):
    dataset = StanfordSentiment(SST, label_source=source, trees_dir=TREES)
    assert dataset.label_source == source
    for split, name in enumerate(SPLIT_FILES):
        expected = [root_label(line) for line in tree_lines(name)]
        got = dataset.getSplitSentences(split)
        assert [c for _, c in got] == expected
        assert [w for w, _ in got] == [expected_words[i] for i in split_ids()[split]]


def test_the_two_label_sources_agree():
    by_dictionary = StanfordSentiment(SST)
    by_trees = StanfordSentiment(SST, label_source="trees", trees_dir=TREES)
    assert by_dictionary.label_source == "dictionary"  # auto: dictionary.txt is present
    for split in range(3):
        assert by_dictionary.getSplitSentences(split) == by_trees.getSplitSentences(split)
    assert by_trees.tree_alignment == {"train": (120, 120), "test": (55, 55), "dev": (40, 40)}
    assert set(by_trees.sent_labels()) <= {0.1, 0.3, 0.5, 0.7, 0.9}
    # The fixture's dictionary values are spread over each class interval, boundaries included.
    assert {0.2, 0.4, 0.6, 0.8} & set(by_dictionary.sent_labels())


def test_trees_are_used_when_there_is_no_dictionary(tmp_path):
    sst = copy_fixture(tmp_path)
    (sst / "dictionary.txt").unlink()
    dataset = StanfordSentiment(sst)
    assert dataset.label_source == "trees"
    assert dataset.getDevSentences() == StanfordSentiment(SST).getDevSentences()


def test_trees_dir_from_the_environment(tmp_path, monkeypatch):
    sst = tmp_path / "elsewhere" / "sst"
    shutil.copytree(SST, sst)
    (sst / "dictionary.txt").unlink()
    monkeypatch.setenv("CS224N_SST_TREES_DIR", str(TREES))
    dataset = StanfordSentiment(sst)
    assert dataset.trees_dir == TREES
    assert dataset.getTestSentences() == StanfordSentiment(SST).getTestSentences()


def test_no_labels_is_a_clear_error(tmp_path):
    sst = tmp_path / "sst"
    shutil.copytree(SST, sst)
    (sst / "dictionary.txt").unlink()
    dataset = StanfordSentiment(sst)
    assert len(dataset.tokens()) > 100  # the words need no labels
    with pytest.raises(LabelsNotFoundError, match="dictionary.txt.*trees"):
        dataset.getTrainSentences()


def test_sentence_missing_from_dictionary(tmp_path):
    sst = copy_fixture(tmp_path)
    dataset = StanfordSentiment(sst)
    victim = 5
    text = " ".join(dataset.sentences()[victim]).replace("-lrb-", "(").replace("-rrb-", ")")
    lines = (sst / "dictionary.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if line.rsplit("|", 1)[0].lower() != text]
    assert len(kept) == len(lines) - 1
    (sst / "dictionary.txt").write_text("".join(kept), encoding="utf-8")

    with pytest.raises(SentenceNotInDictionaryError, match=f"sentence {victim} ") as err:
        StanfordSentiment(sst).getTrainSentences()
    assert isinstance(err.value, ValueError)
    assert err.value.index == victim


def test_dictionary_spellings(tmp_path):
    """A double-encoded dictionary, or one with -LRB- escapes, gives the same labels."""
    expected = StanfordSentiment(SST).sent_labels()
    sst = copy_fixture(tmp_path)
    text = (sst / "dictionary.txt").read_text(encoding="utf-8")
    assert "(" in text and not text.isascii()

    (sst / "dictionary.txt").write_bytes(text.encode("utf-8").decode("latin-1").encode("utf-8"))
    assert StanfordSentiment(sst).sent_labels() == expected

    escaped = text.replace("(", "-LRB-").replace(")", "-RRB-")
    (sst / "dictionary.txt").write_text(escaped, encoding="utf-8")
    assert StanfordSentiment(sst).sent_labels() == expected


def test_wrong_trees_are_rejected(tmp_path):
    sst = copy_fixture(tmp_path)
    (sst / "dictionary.txt").unlink()
    trees = tmp_path / "trainDevTestTrees_PTB" / "trees"
    lines = tree_lines("train")
    (trees / "train.txt").write_text("\n".join(lines[1:] + lines[:1]) + "\n", encoding="utf-8")
    with pytest.raises(TreeAlignmentError, match="train"):
        StanfordSentiment(sst).sent_labels()

    (trees / "train.txt").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(TreeAlignmentError, match="119 trees"):
        StanfordSentiment(sst).sent_labels()


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.0, 0), (0.2, 0), (0.20001, 1), (0.4, 1), (0.5, 2), (0.6, 2), (0.8, 3), (0.80001, 4),
     (1.0, 4)],
)  # fmt: skip
def test_categorify(value, label):
    assert StanfordSentiment.categorify(value) == label


def test_class_midpoint():
    assert [class_midpoint(c) for c in range(5)] == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert [StanfordSentiment.categorify(class_midpoint(c)) for c in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        class_midpoint(5)


def test_random_train_sentence():
    dataset = StanfordSentiment(SST)
    train = dict((tuple(w), c) for w, c in dataset.getTrainSentences())
    random.seed(3)
    for _ in range(20):
        words, label = dataset.getRandomTrainSentence()
        assert train[tuple(words)] == label


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert StanfordSentiment().path == Path("data/stanfordSentimentTreebank")
    with pytest.raises(FileNotFoundError, match="cs224n-download"):
        StanfordSentiment().tokens()
    monkeypatch.setenv("CS224N_SST_DIR", str(SST))
    dataset = StanfordSentiment()
    assert dataset.path == SST
    assert dataset.trees_dir == SST.parent / "trainDevTestTrees_PTB" / "trees"  # the sibling
    assert dataset.numSentences() == 215


def test_bad_label_source():
    with pytest.raises(ValueError, match="label_source"):
        StanfordSentiment(SST, label_source="magic")


# --------------------------------------------------------------------------------------------
# The real SST (CS224N_SST_DIR); skipped when it is not set
# --------------------------------------------------------------------------------------------

REAL_DIR = os.environ.get("CS224N_SST_DIR")
needs_real_sst = pytest.mark.skipif(
    not REAL_DIR or Path(REAL_DIR).resolve() == SST.resolve(),
    reason="CS224N_SST_DIR is not set (or points at the test fixture, not the real SST)",
)


@pytest.fixture(scope="module")
def real() -> StanfordSentiment:
    return StanfordSentiment(REAL_DIR)


@pytest.mark.realdata
@needs_real_sst
def test_real_vocabulary(real):
    start = time.perf_counter()
    tokens = real.tokens()
    assert time.perf_counter() - start < 10
    assert real.numSentences() == 11_855
    assert len(tokens) == 19_539  # published: 19,539 types including UNK
    assert real.wordcount == 227_242 + 1  # published: 227,242 word tokens (+1 for UNK)
    assert {"cliché", "amélie", "the", "-lrb-"} <= tokens.keys()
    assert not any("Ã" in w for w in tokens)
    assert real.revtokens[:4] == ["the", "rock", "is", "destined"]


@pytest.mark.realdata
@needs_real_sst
def test_real_splits_and_labels(real):
    trees_dir = real.trees_dir
    assert [len(real.getTrainSentences()), len(real.getTestSentences())] == [8_544, 2_210]
    dev = real.getDevSentences()
    assert len(dev) == 1_101
    if real.label_source == "trees":
        # At least as well aligned as the published check (8,541, 2,209 and 1,101 equal).
        same = real.tree_alignment
        assert same["train"][0] >= 8_541 and same["test"][0] >= 2_209
        assert same["dev"][0] == 1_101
    for split, name in enumerate(SPLIT_FILES):
        expected = [root_label(line) for line in tree_lines(name, trees_dir)]
        assert [c for _, c in real.getSplitSentences(split)] == expected
    assert collections.Counter(c for _, c in dev) == collections.Counter(
        root_label(line) for line in tree_lines("dev", trees_dir)
    )


@pytest.mark.realdata
@needs_real_sst
def test_real_seeded_draws_are_reproducible():
    random.seed(314)
    first = StanfordSentiment(REAL_DIR)
    draws = [first.getRandomContext(5) for _ in range(3)] + [first.sampleTokenIdx()]

    random.seed(314)
    again = StanfordSentiment(REAL_DIR)
    assert [again.getRandomContext(5) for _ in range(3)] + [again.sampleTokenIdx()] == draws
    assert again.sampleTable().tolist() == original_sample_table(again, again.tablesize)
