"""The batched word2vec path against the per-window reference, its sampler and its trainer."""

import random

import numpy as np
import pytest

from solutions import word2vec as ref
from solutions.gradcheck import gradcheck_naive
from solutions.word2vec_batched import (
    Batch,
    CbowBatch,
    Corpus,
    batched_objective,
    cbow_batch,
    cbow_neg_sampling_batch,
    sample_negatives,
    sample_windows,
    scatter_rows,
    skipgram_batch,
    skipgram_neg_sampling_batch,
    train_word2vec,
)

TOL = 1e-10


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def random_corpus(rng: np.random.Generator, V: int, S: int = 40, max_len: int = 12) -> Corpus:
    """S sentences of 2..max_len words over a V-word vocabulary, skewed frequencies.

    A small V makes repeats of the centre word inside its window, repeated context words
    and repeated negatives common.
    """
    p = rng.random(V) + 0.1
    p /= p.sum()  # (V,)
    sentences = [rng.choice(V, size=rng.integers(2, max_len + 1), p=p) for _ in range(S)]
    table = rng.choice(V, size=1000, p=p**0.75 / np.sum(p**0.75))  # (1000,)
    return Corpus.from_ids(sentences, table)


def word_vectors(rng: np.random.Generator, V: int, D: int) -> np.ndarray:
    """(2V, D) vectors large enough that the sigmoids are far from 1/2."""
    return rng.standard_normal((2 * V, D))


class ReplayDataset:
    """Stands in for StanfordSentiment: replays recorded windows and negatives in order."""

    def __init__(self, windows: list[tuple[int, list[int]]], negatives: np.ndarray):
        self.windows = windows
        self.negatives = [int(k) for k in negatives.ravel()]
        self.next_window = 0
        self.next_negative = 0

    def getRandomContext(self, C: int) -> tuple[int, list[int]]:
        window = self.windows[self.next_window]
        self.next_window += 1
        return window

    def sampleTokenIdx(self) -> int:
        k = self.negatives[self.next_negative]
        self.next_negative += 1
        return k

    def exhausted(self) -> bool:
        return self.next_window == len(self.windows) and self.next_negative == len(self.negatives)


def as_lists(windows) -> list[tuple[int, list[int]]]:
    """(centre, [context words]) per window, as getRandomContext returns them."""
    return [
        (int(c), [int(w) for w in windows.context[windows.window == n]])
        for n, c in enumerate(windows.centre)
    ]


def reference(model, cost_fn, vectors, V, replay) -> tuple[float, np.ndarray]:
    """word2vec_sgd_wrapper on the replayed samples (tokens are the ids themselves)."""
    tokens = {i: i for i in range(V)}
    cost, grad = ref.word2vec_sgd_wrapper(model, tokens, vectors, replay, 5, cost_fn)
    assert replay.exhausted()
    return cost, grad


# ---------------------------------------------------------------------------------------------
# (a) equal to the per-window reference on the same samples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("V,D,N", [(3, 2, 50), (6, 4, 50), (11, 5, 7), (25, 3, 50)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_skipgram_batch_equals_per_window_reference(V, D, N, seed, monkeypatch):
    monkeypatch.setattr(ref, "BATCH_SIZE", N)
    rng = np.random.default_rng(seed)
    corpus = random_corpus(rng, V)
    vectors = word_vectors(rng, V, D)
    windows = sample_windows(corpus, N, 5, rng)
    batch = skipgram_batch(windows, corpus.table, 10, rng)

    cost, grad = skipgram_neg_sampling_batch(vectors, batch)
    replay = ReplayDataset(as_lists(windows), batch.negatives)
    cost_ref, grad_ref = reference(ref.skipgram, ref.negSamplingCostAndGradient, vectors, V, replay)

    assert abs(cost - cost_ref) <= TOL
    np.testing.assert_allclose(grad, grad_ref, rtol=0, atol=TOL)
    assert np.abs(grad_ref).max() > 1e-3  # not trivially zero


@pytest.mark.parametrize("V,D,N", [(3, 2, 50), (8, 4, 50), (20, 3, 9)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cbow_batch_equals_per_window_reference(V, D, N, seed, monkeypatch):
    monkeypatch.setattr(ref, "BATCH_SIZE", N)
    rng = np.random.default_rng(100 + seed)
    corpus = random_corpus(rng, V)
    vectors = word_vectors(rng, V, D)
    windows = sample_windows(corpus, N, 5, rng)
    batch = cbow_batch(windows, corpus.table, 10, rng)

    cost, grad = cbow_neg_sampling_batch(vectors, batch)
    replay = ReplayDataset(as_lists(windows), batch.negatives)
    cost_ref, grad_ref = reference(ref.cbow, ref.negSamplingCostAndGradient, vectors, V, replay)

    assert abs(cost - cost_ref) <= TOL
    np.testing.assert_allclose(grad, grad_ref, rtol=0, atol=TOL)


def test_equality_cases_include_repeats():
    """The samples the equality tests use do contain every kind of repeat."""
    rng = np.random.default_rng(0)
    corpus = random_corpus(rng, 6)
    windows = sample_windows(corpus, 50, 5, rng)
    batch = skipgram_batch(windows, corpus.table, 10, rng)
    repeated_negative = any(len(set(row)) < len(row) for row in batch.negatives.tolist())
    repeated_context = any(len(set(ctx)) < len(ctx) for _, ctx in as_lists(windows))
    repeated_centre = len(set(windows.centre.tolist())) < len(windows.centre)
    negative_is_other_pairs_target = bool(np.isin(batch.negatives, batch.target).any())
    assert repeated_negative and repeated_context and repeated_centre
    assert negative_is_other_pairs_target


def test_hand_made_batch_with_duplicates():
    """A pair listed twice and a negative drawn K times count once per occurrence."""
    rng = np.random.default_rng(7)
    V, D = 4, 3
    vectors = word_vectors(rng, V, D)
    batch = Batch(
        centre=np.array([2, 2, 0]),
        target=np.array([1, 1, 3]),
        negatives=np.array([[3, 3, 3], [0, 3, 2], [1, 1, 2]]),
        n_windows=2,
    )
    cost, grad = skipgram_neg_sampling_batch(vectors, batch)

    cost_ref, grad_ref = 0.0, np.zeros_like(vectors)
    for c, o, negs in zip(batch.centre, batch.target, batch.negatives, strict=True):
        cj, gpred, gout = ref.negSamplingFromSamples(vectors[c], o, negs, vectors[V:])
        cost_ref += cj / 2
        grad_ref[c] += gpred / 2
        grad_ref[V:] += gout / 2
    assert abs(cost - cost_ref) <= TOL
    np.testing.assert_allclose(grad, grad_ref, rtol=0, atol=TOL)


def test_scatter_rows_matches_add_at():
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 5, size=40)  # (40,) many repeats
    values = rng.standard_normal((40, 3))
    expected = np.zeros((7, 3))
    np.add.at(expected, rows, values)
    np.testing.assert_allclose(scatter_rows(rows, values, 7), expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# (b) gradient check
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_batched_gradcheck(model):
    rng = np.random.default_rng(11)
    V, D = 5, 3
    corpus = random_corpus(rng, V)
    vectors = 0.5 * word_vectors(rng, V, D)
    windows = sample_windows(corpus, 8, 3, rng)
    if model == "skipgram":
        batch = skipgram_batch(windows, corpus.table, 4, rng)
        result = gradcheck_naive(
            lambda x: skipgram_neg_sampling_batch(x, batch), vectors, verbose=False
        )
    else:
        batch = cbow_batch(windows, corpus.table, 4, rng)
        result = gradcheck_naive(
            lambda x: cbow_neg_sampling_batch(x, batch), vectors, verbose=False
        )
    assert result, result


def test_gradcheck_through_the_sampling_objective():
    """f draws its batch from np.random, which gradcheck_naive restores before each call."""
    np.random.seed(5)
    rng = np.random.default_rng(5)
    corpus = random_corpus(rng, 6)
    f = batched_objective(corpus, C=3, K=5, batch_size=6)
    assert gradcheck_naive(f, 0.5 * word_vectors(rng, 6, 2), verbose=False)


# ---------------------------------------------------------------------------------------------
# (c) the sampler
# ---------------------------------------------------------------------------------------------


def reference_context(corpus: Corpus, position: int, C1: int) -> list[int]:
    """The context getRandomContext(C1) returns for the centre at a flat corpus position."""
    s = int(np.searchsorted(corpus.starts, position, side="right")) - 1
    sent = corpus.words[corpus.starts[s] : corpus.starts[s] + corpus.lengths[s]].tolist()
    i = position - corpus.starts[s]
    context = sent[max(0, i - C1) : i] + sent[i + 1 : i + C1 + 1]
    return [w for w in context if w != sent[i]]


@pytest.mark.parametrize("rng_kind", ["np.random", "generator"])
def test_windows_follow_get_random_context(rng_kind):
    rng = np.random.default_rng(21)
    corpus = random_corpus(rng, V=5, S=30, max_len=9)
    if rng_kind == "np.random":
        np.random.seed(21)
        rng = np.random
    C = 4
    windows = sample_windows(corpus, 2000, C, rng)

    assert set(windows.C1.tolist()) == set(range(1, C + 1))  # C1 uniform in 1..C: all occur
    assert np.all(np.diff(windows.window) >= 0)
    for n, (centre, context) in enumerate(as_lists(windows)):
        position, C1 = int(windows.position[n]), int(windows.C1[n])
        assert corpus.words[position] == centre
        assert context, "empty contexts must be redrawn"
        assert centre not in context
        assert context == reference_context(corpus, position, C1)  # in-sentence, within C1


def test_windows_never_cross_sentences():
    """Each sentence has its own words, so any leak across a boundary would show."""
    sentences = [list(range(10 * s, 10 * s + 2 + s % 5)) for s in range(20)]
    corpus = Corpus.from_ids(sentences, np.arange(200))
    windows = sample_windows(corpus, 3000, 5, np.random.default_rng(0))
    sentence_of = windows.centre // 10  # (N,)
    np.testing.assert_array_equal(windows.context // 10, sentence_of[windows.window])


def test_sentence_drawn_uniformly_not_by_length():
    """As getRandomContext: a uniform sentence, then a uniform word in it."""
    # 50 sentences of 2 distinct words, 50 of 20: a flat draw would hit short ones 1/11
    sentences = [[2 * s, 2 * s + 1] for s in range(50)]
    sentences += [list(range(1000 + 20 * s, 1020 + 20 * s)) for s in range(50)]
    corpus = Corpus.from_ids(sentences, np.arange(10))
    windows = sample_windows(corpus, 20000, 5, np.random.default_rng(1))
    share_short = np.mean(windows.centre < 100)
    assert abs(share_short - 0.5) < 0.02


def test_empty_windows_are_redrawn_with_the_same_C1():
    # sentence 0 is all the same word: every window in it is empty after removing the centre
    corpus = Corpus.from_ids([[7] * 30, [1, 2]], np.array([1, 2, 7]))
    windows = sample_windows(corpus, 500, 3, np.random.default_rng(2))
    assert set(windows.centre.tolist()) <= {1, 2}
    assert len(windows.context) == 500


def test_negatives_never_equal_target_and_follow_the_table():
    rng = np.random.default_rng(4)
    V = 8
    counts = np.array([400, 250, 150, 80, 60, 40, 15, 5])  # (V,) table share of each word
    table = rng.permutation(np.repeat(np.arange(V), counts))  # (1000,)
    target = np.zeros(4000, dtype=np.intp)  # word 0 fills 40% of the table: many redraws
    negatives = sample_negatives(table, target, 10, rng)  # (4000, 10)

    assert negatives.shape == (4000, 10)
    assert not np.any(negatives == 0)
    observed = np.bincount(negatives.ravel(), minlength=V)[1:]  # (V - 1,)
    expected = negatives.size * counts[1:] / counts[1:].sum()  # conditioned on != target
    chi2 = np.sum((observed - expected) ** 2 / expected)
    df = V - 2
    assert chi2 < df + 6 * np.sqrt(2 * df), (chi2, observed, expected)


def test_negatives_of_mixed_targets_exclude_each_own_target():
    rng = np.random.default_rng(8)
    table = np.array([0, 0, 0, 1, 1, 2])
    target = rng.integers(0, 3, size=500)
    negatives = sample_negatives(table, target, 6, rng)
    assert not np.any(negatives == target[:, None])
    assert set(np.unique(negatives)) == {0, 1, 2}


def test_negatives_raise_when_only_the_target_is_in_the_table():
    with pytest.raises(ValueError):
        sample_negatives(np.array([3, 3]), np.array([3]), 2, np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# (d) training
# ---------------------------------------------------------------------------------------------


class TopicDataset:
    """A tiny StanfordSentiment stand-in: two topics whose words co-occur only within."""

    def __init__(self, seed: int = 0, V: int = 16, S: int = 300):
        rng = np.random.default_rng(seed)
        half = V // 2
        self._tokens = {f"w{i}": i for i in range(V)}
        self._sentences = []
        for s in range(S):
            topic = np.arange(half) + half * (s % 2)  # (V/2,) this sentence's words
            ids = rng.choice(topic, size=rng.integers(3, 9))
            self._sentences.append([f"w{i}" for i in ids])
        self._table = np.repeat(np.arange(V), 10)

    def tokens(self) -> dict[str, int]:
        return self._tokens

    def allSentences(self) -> list[list[str]]:
        return self._sentences

    def sampleTable(self) -> np.ndarray:
        return self._table


def mean_cost(vectors: np.ndarray, batches: list[Batch | CbowBatch], model: str) -> float:
    fn = skipgram_neg_sampling_batch if model == "skipgram" else cbow_neg_sampling_batch
    return float(np.mean([fn(vectors, b)[0] for b in batches]))


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_short_training_lowers_the_cost(model):
    dataset = TopicDataset()
    corpus = Corpus.from_dataset(dataset)
    rng = np.random.default_rng(99)
    make = skipgram_batch if model == "skipgram" else cbow_batch
    held = [make(sample_windows(corpus, 50, 3, rng), corpus.table, 5, rng) for _ in range(10)]

    random.seed(31415)
    np.random.seed(9265)
    start = np.concatenate(((np.random.rand(16, 6) - 0.5) / 6, np.zeros((16, 6))))
    costs = []
    trained = train_word2vec(
        dataset,
        dim=6,
        C=3,
        step=0.3,
        iterations=300,
        model=model,
        K=5,
        PRINT_EVERY=10,
        progress=lambda it, c: costs.append(c),
    )
    assert trained.shape == (32, 6)
    assert len(costs) == 30
    before, after = mean_cost(start, held, model), mean_cost(trained, held, model)
    assert after < 0.8 * before, (before, after)
    assert costs[-1] < costs[0]


def test_resumed_training_equals_uninterrupted(tmp_path):
    """The sampler draws from np.random, whose state sgd's checkpoints save and restore."""
    dataset = TopicDataset()
    kwargs = dict(dim=4, C=3, iterations=30, K=4, PRINT_EVERY=0, save_every=10)
    whole = train_word2vec(dataset, checkpoint_dir=tmp_path / "a", useSaved=False, **kwargs)

    (tmp_path / "b").mkdir()
    train_word2vec(dataset, checkpoint_dir=tmp_path / "b", useSaved=True, **kwargs)
    for it in (20, 30):
        (tmp_path / "b" / f"saved_params_{it}.npz").unlink()
    resumed = train_word2vec(dataset, checkpoint_dir=tmp_path / "b", useSaved=True, **kwargs)
    np.testing.assert_array_equal(resumed, whole)


def test_unknown_model_is_rejected():
    corpus = Corpus.from_ids([[0, 1]], np.array([0, 1]))
    with pytest.raises(ValueError, match="unknown model"):
        batched_objective(corpus, 2, model="glove")


def test_windows_raise_when_no_window_has_a_context():
    corpus = Corpus.from_ids([[3, 3, 3], [5]], np.array([3, 5]))
    with pytest.raises(ValueError, match="non-empty context"):
        sample_windows(corpus, 4, 2, np.random.default_rng(0))
