"""The Stanford Sentiment Treebank (SST) as used by the assignment.

This is a Python 3 rewrite of the handout's ``utils/treebank.py``. The method names, the
order of token ids and, above all, the way the random draws use Python's :mod:`random`
module are kept exactly as in the original, so that a seeded run draws the same contexts
and negative samples every time::

    random.seed(314)
    dataset = StanfordSentiment()
    tokens = dataset.tokens()          # {"the": 0, "rock": 1, ..., "UNK": 19538}
    center, context = dataset.getRandomContext(5)

Where the data comes from
-------------------------
``path`` (default: the ``CS224N_SST_DIR`` environment variable, else
``data/stanfordSentimentTreebank``) is the folder of the official SST archive. The loader
reads ``datasetSentences.txt`` and ``datasetSplit.txt``, and for the sentiment labels either

* ``dictionary.txt`` + ``sentiment_labels.txt`` (phrase -> id -> positivity in [0, 1]),
  exactly like the original code, or
* when ``dictionary.txt`` is absent, SST's PTB-format trees
  (``trainDevTestTrees_PTB/trees/{train,dev,test}.txt``) whose root label is the 5-class
  label of the sentence. Tree ``i`` of a split belongs to the ``i``-th sentence of that
  split in ``datasetSentences.txt`` order; the loader checks that their words agree.

A note on the text encoding
---------------------------
``datasetSentences.txt`` is UTF-8 that was encoded twice: "cliché" is stored as the UTF-8
bytes of "clichÃ©". The original Python 2 code repaired this with
``w.lower().decode("utf-8").encode("latin1")``. We do the same and then decode once more, so
the words are ordinary Python strings ("cliché"). On the real data this gives the published
vocabulary: 19,539 token types (including "UNK") and 227,242 word tokens; like the original,
``wordcount`` also counts the one "UNK" and so equals 227,243.
"""

from __future__ import annotations

import os
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_SST_DIR",
    "LabelsNotFoundError",
    "SentenceNotInDictionaryError",
    "StanfordSentiment",
    "TreeAlignmentError",
    "Tree",
    "class_midpoint",
    "fix_double_encoding",
    "parse_ptb_tree",
    "read_ptb_trees",
]

DEFAULT_SST_DIR = Path("data") / "stanfordSentimentTreebank"
"""Where the SST folder is looked for when neither ``path`` nor ``CS224N_SST_DIR`` is given."""

SPLIT_NAMES = ("train", "test", "dev")
"""Split number -> name. ``datasetSplit.txt`` numbers them 1, 2, 3; we use 0, 1, 2."""

CONTEXT_REPLICAS = 30
"""``allSentences()`` repeats the corpus this many times before subsampling (as the original)."""

MIN_ALIGNMENT = 0.99
"""Fewest fraction of sentences that must equal their PTB tree for the trees to be trusted."""


class LabelsNotFoundError(FileNotFoundError):
    """Neither ``dictionary.txt`` nor the PTB trees were found, so there are no labels."""


class SentenceNotInDictionaryError(ValueError):
    """A sentence of ``datasetSentences.txt`` has no entry in ``dictionary.txt``.

    Attributes:
        index: the 0-based position of the sentence (``datasetSentences.txt`` index - 1).
        sentence: the sentence text that was looked up.
    """

    def __init__(self, index: int, sentence: str) -> None:
        super().__init__(
            f"sentence {index} (sentence_index {index + 1} in datasetSentences.txt) is not in "
            f"dictionary.txt: {sentence!r}. Are dictionary.txt and datasetSentences.txt from "
            "the same SST release?"
        )
        self.index = index
        self.sentence = sentence


class TreeAlignmentError(ValueError):
    """The PTB trees do not line up with the sentences of ``datasetSplit.txt``."""


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def fix_double_encoding(raw: bytes) -> str:
    """Decode one word of ``datasetSentences.txt``, undoing its double UTF-8 encoding.

    The bytes are decoded as UTF-8, which yields mojibake such as "clichÃ©"; mapping those
    characters back to bytes with Latin-1 gives the real UTF-8 bytes of "cliché", which we
    decode again. Text that was encoded only once (e.g. "é" as two bytes) fails one of the
    two extra steps and is returned after the first decode, so the function is safe on
    correctly encoded files such as the PTB trees.

    >>> fix_double_encoding("clichÃ©".encode("utf-8"))
    'cliché'
    >>> fix_double_encoding("cliché".encode("utf-8"))
    'cliché'
    """
    text = raw.decode("utf-8")
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _phrase_key(text: str) -> str:
    """The key under which a phrase is looked up in ``dictionary.txt``.

    As in the original: lower case, and the PTB escapes ``-LRB-``/``-RRB-`` of the sentence
    file written as the real brackets that ``dictionary.txt`` uses.
    """
    return text.lower().replace("-lrb-", "(").replace("-rrb-", ")")


_BRACKETS = {
    "-lrb-": "(",
    "-rrb-": ")",
    "-lsb-": "[",
    "-rsb-": "]",
    "-lcb-": "{",
    "-rcb-": "}",
}


def _comparable(words: list[str]) -> str:
    """A loose form of a sentence for checking that a PTB tree belongs to it.

    Lower case, PTB bracket escapes replaced by brackets, and accents removed ("é" -> "e"),
    because the two files spell a few words differently.
    """
    text = " ".join(_BRACKETS.get(w.lower(), w.lower()) for w in words)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def class_midpoint(label: int) -> float:
    """The middle of the positivity interval of a 5-class label: 0 -> 0.1, ..., 4 -> 0.9.

    Used as the "sentiment value" of a sentence when labels come from the PTB trees, so
    that :meth:`StanfordSentiment.categorify` maps it back to ``label``.
    """
    if label not in range(5):
        raise ValueError(f"a sentiment class is 0..4, not {label!r}")
    return round(0.1 + 0.2 * label, 1)


# ---------------------------------------------------------------------------------------------
# PTB trees
# ---------------------------------------------------------------------------------------------


@dataclass
class Tree:
    """A node of an SST parse tree: a sentiment class and either a word or two children."""

    label: int
    word: str | None = None
    children: list[Tree] = field(default_factory=list)

    def leaves(self) -> list[str]:
        """The words under this node, left to right."""
        if self.word is not None:
            return [self.word]
        return [w for child in self.children for w in child.leaves()]

    def subtrees(self) -> Iterator[Tree]:
        """This node and every node below it (pre-order)."""
        yield self
        for child in self.children:
            yield from child.subtrees()


# A token of a PTB line: a bracket, or a run of anything else but spaces. Only the ASCII space
# separates tokens: a few SST words contain a no-break space ("8\xa01\/2").
_PTB_TOKEN = re.compile(r"[()]|[^() ]+")


def parse_ptb_tree(line: str) -> Tree:
    """Parse one line of SST's PTB trees, e.g. ``(3 (2 It) (4 (2 's) (3 lovely)))``.

    Raises:
        ValueError: if the line is not a well-formed tree.
    """
    tokens = _PTB_TOKEN.findall(line.strip())
    pos = 0

    def node() -> Tree:
        nonlocal pos
        if tokens[pos : pos + 1] != ["("]:
            raise ValueError(f"expected '(' at token {pos} of PTB tree {line[:60]!r}")
        try:
            label = int(tokens[pos + 1])
        except (IndexError, ValueError):
            raise ValueError(f"expected a label after '(' in PTB tree {line[:60]!r}") from None
        pos += 2
        tree = Tree(label)
        if pos < len(tokens) and tokens[pos] not in "()":
            tree.word = tokens[pos]
            pos += 1
        else:
            while pos < len(tokens) and tokens[pos] == "(":
                tree.children.append(node())
        if tokens[pos : pos + 1] != [")"]:
            raise ValueError(f"expected ')' at token {pos} of PTB tree {line[:60]!r}")
        pos += 1
        return tree

    tree = node()
    if pos != len(tokens):
        raise ValueError(f"text after the end of PTB tree {line[:60]!r}")
    return tree


def read_ptb_trees(path: str | Path) -> list[Tree]:
    """All trees of a PTB file such as ``trees/dev.txt``, one per non-empty line."""
    with open(path, encoding="utf-8") as f:
        return [parse_ptb_tree(line) for line in f if line.strip()]


_PTB_ROOT = re.compile(r"\s*\((\d+)[ (]")
_PTB_LEAF = re.compile(r"\(\d+ ([^() ]+)\)")


def _root_label_and_leaves(line: str) -> tuple[int, list[str]]:
    """The root label and the words of a PTB tree line, without building the tree.

    Ten times faster than :func:`parse_ptb_tree`, which matters for the 11,855 SST trees.
    """
    root = _PTB_ROOT.match(line)
    if root is None:
        raise ValueError(f"not a PTB tree: {line[:60]!r}")
    return int(root.group(1)), _PTB_LEAF.findall(line)


# ---------------------------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------------------------


class StanfordSentiment:
    """The SST sentences, their vocabulary and sentiment labels, and word2vec sampling.

    Everything is computed lazily on first use and cached, as in the original.

    Args:
        path: the SST folder (with ``datasetSentences.txt``). Default: the environment
            variable ``CS224N_SST_DIR``, else ``data/stanfordSentimentTreebank``.
        tablesize: the number of entries of the negative-sampling table.
        trees_dir: the folder with the PTB trees ``train.txt``, ``dev.txt``, ``test.txt``.
            Default: ``CS224N_SST_TREES_DIR``, else ``trainDevTestTrees_PTB/trees`` next to
            ``path``.
        label_source: ``"auto"`` (``dictionary.txt`` if present, else the trees),
            ``"dictionary"`` or ``"trees"``.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        tablesize: int = 1_000_000,
        *,
        trees_dir: str | Path | None = None,
        label_source: str = "auto",
    ) -> None:
        if path is None:
            path = os.environ.get("CS224N_SST_DIR") or DEFAULT_SST_DIR
        self.path = Path(path)
        if trees_dir is None:
            trees_dir = os.environ.get("CS224N_SST_TREES_DIR") or (
                self.path.parent / "trainDevTestTrees_PTB" / "trees"
            )
        self.trees_dir = Path(trees_dir)
        if label_source not in ("auto", "dictionary", "trees"):
            raise ValueError(f"label_source must be auto, dictionary or trees: {label_source!r}")
        self._label_source = label_source
        self.tablesize = int(tablesize)

        self._sentences: list[list[str]] | None = None
        self._tokens: dict[str, int] | None = None
        self._revtokens: list[str] = []
        self._tokenfreq: dict[str, int] = {}
        self._wordcount = 0
        self._allsentences: list[list[str]] | None = None
        self._split: list[list[int]] | None = None
        self._sent_labels: list[float] | None = None
        self._sampleTable: np.ndarray | None = None
        self._rejectProb: np.ndarray | None = None
        self.tree_alignment: dict[str, tuple[int, int]] | None = None
        """With labels from the trees: split name -> (sentences equal to their tree, total)."""

    # -- files ------------------------------------------------------------------------------

    def _file(self, name: str) -> Path:
        """The path of one SST file, with a helpful error when it is missing."""
        file = self.path / name
        if not file.is_file():
            raise FileNotFoundError(
                f"{file} not found. Download the Stanford Sentiment Treebank with "
                "`cs224n-download sst`, or point CS224N_SST_DIR at the folder that holds "
                "datasetSentences.txt."
            )
        return file

    # -- sentences and vocabulary -----------------------------------------------------------

    def sentences(self) -> list[list[str]]:
        """Every sentence of ``datasetSentences.txt`` as a list of lower-cased words."""
        if self._sentences is not None:
            return self._sentences

        sentences = []
        with open(self._file("datasetSentences.txt"), "rb") as f:
            next(f)  # the header "sentence_index\tsentence"
            for line in f:
                # bytes.split() splits on ASCII whitespace only, so the no-break space
                # inside "8\xa01\/2" stays part of the word, as in the original.
                if line.strip():
                    words = line.strip().split()[1:]
                    sentences.append([fix_double_encoding(w.lower()) for w in words])

        self._sentences = sentences
        return sentences

    def numSentences(self) -> int:
        """The number of sentences (11,855 in the real SST)."""
        return len(self.sentences())

    def tokens(self) -> dict[str, int]:
        """The vocabulary: word -> id, in order of first appearance, with "UNK" last.

        Also fills :attr:`revtokens` (id -> word), :attr:`tokenfreq` (word -> count) and
        :attr:`wordcount` (the number of word tokens plus one for "UNK").
        """
        if self._tokens is not None:
            return self._tokens

        tokens: dict[str, int] = {}
        tokenfreq: dict[str, int] = {}
        revtokens: list[str] = []
        wordcount = 0
        for sentence in self.sentences():
            for w in sentence:
                wordcount += 1
                if w in tokens:
                    tokenfreq[w] += 1
                else:
                    tokens[w] = len(revtokens)
                    revtokens.append(w)
                    tokenfreq[w] = 1

        tokens["UNK"] = len(revtokens)
        revtokens.append("UNK")
        tokenfreq["UNK"] = 1
        wordcount += 1

        self._tokens = tokens
        self._revtokens = revtokens
        self._tokenfreq = tokenfreq
        self._wordcount = wordcount
        return tokens

    @property
    def revtokens(self) -> list[str]:
        """Token id -> word (the inverse of :meth:`tokens`)."""
        self.tokens()
        return self._revtokens

    @property
    def tokenfreq(self) -> dict[str, int]:
        """Word -> number of occurrences in the corpus ("UNK" counts 1)."""
        self.tokens()
        return self._tokenfreq

    @property
    def wordcount(self) -> int:
        """Number of word tokens in the corpus plus one for "UNK" (227,243 in the real SST)."""
        self.tokens()
        return self._wordcount

    # -- word2vec sampling ------------------------------------------------------------------

    def rejectProb(self) -> np.ndarray:
        """Per token id, the probability of dropping a word when building contexts.

        Frequent words are subsampled (Mikolov et al. 2013): with ``t = 1e-5 * wordcount``,
        a word seen ``f`` times is dropped with probability ``max(0, 1 - sqrt(t / f))``.
        """
        if self._rejectProb is not None:
            return self._rejectProb

        self.tokens()
        threshold = 1e-5 * self._wordcount
        freq = np.array([self._tokenfreq[w] for w in self._revtokens], dtype=np.float64)
        self._rejectProb = np.maximum(0.0, 1.0 - np.sqrt(threshold / freq))
        return self._rejectProb

    def allSentences(self) -> list[list[str]]:
        """The corpus repeated 30 times with frequent words randomly dropped.

        This is where contexts are drawn from. It consumes ``random.random()`` draws (one per
        word whose reject probability is positive), exactly as the original, and is cached.
        As in the original, sentences left with fewer than two words are dropped, because
        they have no context.
        """
        if self._allsentences is not None:
            return self._allsentences

        tokens = self.tokens()
        reject_prob = self.rejectProb()
        # A plain dict of Python floats is much faster than indexing the numpy array, and
        # compares exactly the same.
        reject = {w: float(reject_prob[i]) for w, i in tokens.items()}
        rand = random.random
        allsentences = [
            [w for w in s if reject[w] <= 0 or rand() >= reject[w]]
            for s in self.sentences() * CONTEXT_REPLICAS
        ]
        self._allsentences = [s for s in allsentences if len(s) > 1]
        return self._allsentences

    def getRandomContext(self, C: int = 5) -> tuple[str, list[str]]:
        """A random centre word and the (up to ``2C``) words around it.

        Draws a sentence and a position with ``random.randint``; the context is the ``C``
        words on either side, without repeats of the centre word. When that leaves no
        context, it draws again.
        """
        allsent = self.allSentences()
        while True:
            sent = allsent[random.randint(0, len(allsent) - 1)]
            word_id = random.randint(0, len(sent) - 1)
            centerword = sent[word_id]
            context = sent[max(0, word_id - C) : word_id] + sent[word_id + 1 : word_id + C + 1]
            context = [w for w in context if w != centerword]
            if context:
                return centerword, context

    def sampleTable(self) -> np.ndarray:
        """The negative-sampling table: ``tablesize`` token ids, each id ``j`` filling a share
        of the table proportional to ``count(j) ** 0.75``.

        Built with :func:`numpy.searchsorted`; entry ``i`` is the first id whose cumulative
        share (scaled to the table size) is ``>= i``, the same as the original loop.
        """
        if self._sampleTable is not None:
            return self._sampleTable

        self.tokens()
        # The original calls allSentences() here; keep it so that the random state after the
        # first call is the same whichever of the two methods is called first.
        self.allSentences()
        # Python's float power, as the original (numpy's vectorised pow may differ in the
        # last bit on some CPUs).
        freq = np.array([float(self._tokenfreq[w]) ** 0.75 for w in self._revtokens])
        freq /= np.sum(freq)
        cumulative = np.cumsum(freq) * self.tablesize
        table = np.searchsorted(cumulative, np.arange(self.tablesize), side="left")
        self._sampleTable = np.minimum(table, len(freq) - 1)
        return self._sampleTable

    def sampleTokenIdx(self) -> int:
        """A random token id drawn from the unigram distribution raised to the 3/4."""
        return int(self.sampleTable()[random.randint(0, self.tablesize - 1)])

    # -- labels and splits ------------------------------------------------------------------

    @property
    def label_source(self) -> str:
        """Where the labels come from: ``"dictionary"`` or ``"trees"``."""
        if self._label_source != "auto":
            return self._label_source
        if (self.path / "dictionary.txt").is_file():
            return "dictionary"
        if all((self.trees_dir / f"{name}.txt").is_file() for name in SPLIT_NAMES):
            return "trees"
        raise LabelsNotFoundError(
            f"No sentiment labels: neither {self.path / 'dictionary.txt'} nor the PTB trees "
            f"{self.trees_dir}/{{train,dev,test}}.txt exist. Run `cs224n-download sst`, or set "
            "CS224N_SST_TREES_DIR to the trees folder."
        )

    def sent_labels(self) -> list[float]:
        """The sentiment of every sentence, a positivity value in [0, 1].

        From ``dictionary.txt`` these are SST's phrase values; from the PTB trees they are
        the midpoints 0.1, 0.3, 0.5, 0.7, 0.9 of the five classes.
        """
        if self._sent_labels is None:
            if self.label_source == "dictionary":
                self._sent_labels = self._labels_from_dictionary()
            else:
                self._sent_labels = self._labels_from_trees()
        return self._sent_labels

    def _labels_from_dictionary(self) -> list[float]:
        """Sentence labels via ``dictionary.txt`` (phrase|id) and ``sentiment_labels.txt``."""
        dictionary: dict[str, int] = {}
        with open(self._file("dictionary.txt"), "rb") as f:
            for line in f:
                line = line.rstrip(b"\r\n")
                if line.strip():
                    phrase, phrase_id = line.rsplit(b"|", 1)
                    dictionary[_phrase_key(fix_double_encoding(phrase))] = int(phrase_id)

        values: dict[int, float] = {}
        with open(self._file("sentiment_labels.txt"), encoding="utf-8") as f:
            next(f)  # the header "phrase ids|sentiment values"
            for line in f:
                if line.strip():
                    phrase_id, value = line.strip().split("|")
                    values[int(phrase_id)] = float(value)

        labels = []
        for i, sentence in enumerate(self.sentences()):
            text = " ".join(sentence)
            phrase_id = dictionary.get(_phrase_key(text))
            if phrase_id is None:
                raise SentenceNotInDictionaryError(i, text)
            if phrase_id not in values:
                raise ValueError(
                    f"phrase id {phrase_id} of sentence {i} is not in sentiment_labels.txt"
                )
            labels.append(values[phrase_id])
        return labels

    def _labels_from_trees(self) -> list[float]:
        """Sentence labels from the root labels of the PTB trees, matched in split order."""
        split = self.dataset_split()
        sentences = self.sentences()
        labels: list[float | None] = [None] * len(sentences)
        alignment = {}
        for number, name in enumerate(SPLIT_NAMES):
            file = self.trees_dir / f"{name}.txt"
            if not file.is_file():
                raise LabelsNotFoundError(f"PTB trees {file} not found")
            with open(file, encoding="utf-8") as f:
                trees = [_root_label_and_leaves(line) for line in f if line.strip()]
            ids = split[number]
            if len(trees) != len(ids):
                raise TreeAlignmentError(
                    f"{file} has {len(trees)} trees but datasetSplit.txt has {len(ids)} "
                    f"{name} sentences: the trees do not belong to this SST folder."
                )
            same = 0
            for sent_id, (root_label, leaves) in zip(ids, trees, strict=True):
                same += _comparable(sentences[sent_id]) == _comparable(leaves)
                labels[sent_id] = class_midpoint(root_label)
            alignment[name] = (same, len(ids))
            if ids and same < MIN_ALIGNMENT * len(ids):
                raise TreeAlignmentError(
                    f"only {same} of the {len(ids)} {name} sentences equal their tree in "
                    f"{file}: the trees do not belong to this SST folder."
                )
        missing = [i for i, label in enumerate(labels) if label is None]
        if missing:
            raise ValueError(
                f"{len(missing)} sentences are in no split, e.g. sentence "
                f"{missing[0]}; is datasetSplit.txt complete?"
            )
        self.tree_alignment = alignment
        return [float(label) for label in labels if label is not None]

    def dataset_split(self) -> list[list[int]]:
        """Sentence positions (0-based) of each split: ``[train, test, dev]``."""
        if self._split is not None:
            return self._split

        split: list[list[int]] = [[], [], []]
        with open(self._file("datasetSplit.txt"), encoding="utf-8") as f:
            next(f)  # the header "sentence_index,splitset_label"
            for line in f:
                if line.strip():
                    sentence_index, label = line.strip().split(",")
                    split[int(label) - 1].append(int(sentence_index) - 1)
        self._split = split
        return split

    @staticmethod
    def categorify(label: float) -> int:
        """Map a positivity value to SST's five classes.

        [0, 0.2] -> 0 (very negative), (0.2, 0.4] -> 1, (0.4, 0.6] -> 2 (neutral),
        (0.6, 0.8] -> 3, (0.8, 1] -> 4 (very positive).
        """
        if label <= 0.2:
            return 0
        elif label <= 0.4:
            return 1
        elif label <= 0.6:
            return 2
        elif label <= 0.8:
            return 3
        else:
            return 4

    def getSplitSentences(self, split: int = 0) -> list[tuple[list[str], int]]:
        """(words, class) for every sentence of a split: 0 train, 1 test, 2 dev."""
        sentences = self.sentences()
        labels = self.sent_labels()
        return [(sentences[i], self.categorify(labels[i])) for i in self.dataset_split()[split]]

    def getTrainSentences(self) -> list[tuple[list[str], int]]:
        """(words, class) for the 8,544 training sentences."""
        return self.getSplitSentences(0)

    def getTestSentences(self) -> list[tuple[list[str], int]]:
        """(words, class) for the 2,210 test sentences."""
        return self.getSplitSentences(1)

    def getDevSentences(self) -> list[tuple[list[str], int]]:
        """(words, class) for the 1,101 development sentences."""
        return self.getSplitSentences(2)

    def getRandomTrainSentence(self) -> tuple[list[str], int]:
        """A random training sentence and its class, drawn with ``random.randint``."""
        train = self.dataset_split()[0]
        sent_id = train[random.randint(0, len(train) - 1)]
        return self.sentences()[sent_id], self.categorify(self.sent_labels()[sent_id])
