"""Problem 3, vectorised: word2vec with negative sampling, one numpy pass per SGD batch.

The per-window reference (solutions.word2vec) loops over 50 windows and, inside each, over the
context words, calling negSamplingCostAndGradient once per (centre, context) pair. Here the
whole batch is a handful of array operations on the same samples, and the cost and gradient
equal the reference's (to rounding) when both see the same windows and negatives.

Shapes: N windows in a batch, P (centre, context) pairs = context words over all windows,
K negatives per prediction, V vocabulary size, D vector dimension, T corpus length (tokens),
S sentences, L negative-sampling table length.
wordVectors is (2V, D): rows [:V] are input (centre) vectors v, rows [V:] output vectors u.

Sampling mirrors StanfordSentiment.getRandomContext and getNegativeSamples: a window picks a
sentence uniformly, then a position in it uniformly; its context is up to C1 words either
side inside the sentence, minus any copy of the centre word; a window left with no context is
redrawn (same C1). Negatives come from the unigram^0.75 table, redrawn where equal to the
target. Randomness comes from np.random by default, whose state the project's sgd
checkpoints save, so a resumed batched run continues exactly; a numpy Generator also works.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from solutions.neural import sigmoid
from solutions.sgd import ANNEAL_EVERY, SAVE_PARAMS_EVERY, sgd
from solutions.word2vec import BATCH_SIZE, DEFAULT_NEGATIVES

MAX_REDRAW_ROUNDS = 10_000


class UniformSource(Protocol):
    """Anything with random(size) -> floats in [0, 1): np.random, RandomState, Generator."""

    def random(self, size: int | tuple[int, ...]) -> np.ndarray: ...


# ---------------------------------------------------------------------------------------------
# Samples
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """A tokenised corpus flattened for vectorised window sampling.

    Attributes:
        words: (T,) token ids of all sentences, concatenated.
        starts: (S,) offset of each sentence in words.
        lengths: (S,) length of each sentence (>= 1).
        table: (L,) token ids to draw negatives from (unigram^0.75 frequencies).
    """

    words: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    table: np.ndarray

    @classmethod
    def from_ids(cls, sentences: Sequence[Sequence[int]], table: np.ndarray) -> "Corpus":
        """Corpus from sentences of token ids; empty sentences are dropped."""
        sentences = [s for s in sentences if len(s) > 0]
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.intp, count=len(sentences))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.intp)  # (S,)
        words = np.fromiter(
            (w for s in sentences for w in s), dtype=np.intp, count=int(lengths.sum())
        )  # (T,)
        return cls(words, starts, lengths, np.asarray(table, dtype=np.intp))

    @classmethod
    def from_dataset(cls, dataset) -> "Corpus":
        """Corpus of dataset.allSentences() (words mapped by dataset.tokens()) and its table."""
        tokens = dataset.tokens()
        ids = [[tokens[w] for w in s] for s in dataset.allSentences()]
        return cls.from_ids(ids, dataset.sampleTable())


@dataclass(frozen=True)
class Windows:
    """N context windows; the context words of all windows are concatenated in window order.

    Attributes:
        centre: (N,) centre word ids.
        context: (P,) context word ids; window n's words are left context then right context,
            in sentence order, as getRandomContext returns them.
        window: (P,) index in 0..N-1 of the window each context word belongs to
            (non-decreasing; every window has at least one context word).
        C1: (N,) the context size each window was drawn with.
        position: (N,) index of each centre word in the corpus' flat words array.
    """

    centre: np.ndarray
    context: np.ndarray
    window: np.ndarray
    C1: np.ndarray
    position: np.ndarray


@dataclass(frozen=True)
class Batch:
    """Skip-gram samples for one step: P (centre, context) pairs, each with K negatives.

    Attributes:
        centre: (P,) input word id of each pair.
        target: (P,) output (context) word id of each pair.
        negatives: (P, K) negative word ids; never equal to the pair's target.
        n_windows: N, the number of windows the cost and gradient are averaged over.
    """

    centre: np.ndarray
    target: np.ndarray
    negatives: np.ndarray
    n_windows: int


@dataclass(frozen=True)
class CbowBatch:
    """CBOW samples for one step: N windows, each predicting its centre word.

    Attributes:
        context: (P,) input word ids, windows concatenated.
        window: (P,) window index in 0..N-1 of each context word (non-decreasing).
        target: (N,) the centre word of each window.
        negatives: (N, K) negative word ids; never equal to the window's target.
    """

    context: np.ndarray
    window: np.ndarray
    target: np.ndarray
    negatives: np.ndarray

    @property
    def n_windows(self) -> int:
        return int(self.target.shape[0])


def _randint(rng: UniformSource, high: np.ndarray | int, size: int | tuple[int, ...]) -> np.ndarray:
    """Integers uniform in [0, high) (elementwise high), drawn with rng.random only."""
    return (rng.random(size) * high).astype(np.intp)


def sample_windows(corpus: Corpus, N: int, C: int, rng: UniformSource = np.random) -> Windows:
    """Draw N windows as getRandomContext(C1) does, with C1 uniform in 1..C per window.

    Returns:
        Windows with N windows and P >= N context words in all.
    """
    C1 = 1 + _randint(rng, C, N)  # (N,)
    position = np.empty(N, dtype=np.intp)
    mask = np.empty((N, 2 * C), dtype=bool)
    ctx = np.empty((N, 2 * C), dtype=np.intp)
    todo = np.arange(N)  # windows still without a non-empty context
    for _ in range(MAX_REDRAW_ROUNDS):
        sent = _randint(rng, len(corpus.lengths), len(todo))  # (n,) uniform over sentences
        pos = _randint(rng, corpus.lengths[sent], len(todo))  # (n,) uniform within each
        position[todo], mask[todo], ctx[todo] = _neighbours(corpus, sent, pos, C1[todo], C)
        todo = todo[~mask[todo].any(axis=1)]
        if len(todo) == 0:
            break
    else:
        raise ValueError("could not draw a window with a non-empty context")

    window = np.nonzero(mask)[0]  # (P,) row-major, so windows stay in order
    return Windows(corpus.words[position], ctx[mask], window, C1, position)


def _neighbours(
    corpus: Corpus, sent: np.ndarray, pos: np.ndarray, C1: np.ndarray, C: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2C neighbours of n centre words, and which of them are the centre's context.

    Args:
        sent, pos, C1: (n,) sentence, position in the sentence, context size of each window.
    Returns:
        position: (n,) index of each centre in corpus.words.
        mask: (n, 2C) bool, neighbour inside the sentence, within C1, not the centre word.
        ctx: (n, 2C) word ids of the neighbours at offsets -C..-1, 1..C.
    """
    offsets = np.concatenate((np.arange(-C, 0), np.arange(1, C + 1)))  # (2C,)
    position = corpus.starts[sent] + pos  # (n,)
    rel = pos[:, None] + offsets  # (n, 2C) neighbour positions within the sentence
    inside = (rel >= 0) & (rel < corpus.lengths[sent][:, None]) & (np.abs(offsets) <= C1[:, None])
    # neighbours outside the sentence read other sentences' words (wrapping at the corpus
    # ends); the mask drops them
    ctx = corpus.words.take(position[:, None] + offsets, mode="wrap")  # (n, 2C)
    centre = corpus.words[position]  # (n,)
    return position, inside & (ctx != centre[:, None]), ctx


def sample_negatives(
    table: np.ndarray, target: np.ndarray, K: int, rng: UniformSource = np.random
) -> np.ndarray:
    """K draws from table for each target, redrawing any draw equal to its target.

    Args:
        table: (L,) token ids.
        target: (M,) token ids.
    Returns:
        (M, K) negative ids.
    """
    negatives = table[_randint(rng, len(table), (len(target), K))]  # (M, K)
    for _ in range(MAX_REDRAW_ROUNDS):
        bad = negatives == target[:, None]  # (M, K)
        n_bad = int(bad.sum())
        if n_bad == 0:
            return negatives
        negatives[bad] = table[_randint(rng, len(table), n_bad)]
    raise ValueError("the sample table holds nothing but the target word")


def skipgram_batch(
    windows: Windows, table: np.ndarray, K: int, rng: UniformSource = np.random
) -> Batch:
    """Skip-gram samples: one pair per context word, K negatives per pair."""
    negatives = sample_negatives(table, windows.context, K, rng)  # (P, K)
    centre = windows.centre[windows.window]  # (P,)
    return Batch(centre, windows.context, negatives, len(windows.centre))


def cbow_batch(
    windows: Windows, table: np.ndarray, K: int, rng: UniformSource = np.random
) -> CbowBatch:
    """CBOW samples: one prediction per window, K negatives each."""
    negatives = sample_negatives(table, windows.centre, K, rng)  # (N, K)
    return CbowBatch(windows.context, windows.window, windows.centre, negatives)


# ---------------------------------------------------------------------------------------------
# Cost and gradient
# ---------------------------------------------------------------------------------------------


def scatter_rows(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """Sum rows of values into an (n_rows, D) zero array; repeated rows accumulate.

    Same result as `out = zeros; np.add.at(out, rows, values)`, but one np.bincount over the
    flattened (row, column) index, several times faster than np.add.at on 2-D values.

    Args:
        rows: (R,) target row of each value row, in 0..n_rows-1.
        values: (R, D).
    Returns:
        (n_rows, D) new array.
    """
    D = values.shape[1]
    flat = (rows[:, None] * D + np.arange(D)).ravel()  # (R * D,) index into out.ravel()
    out = np.bincount(flat, weights=values.ravel(), minlength=n_rows * D)  # (n_rows * D,)
    return out.reshape(n_rows, D)


def neg_sampling_rows(
    predicted: np.ndarray, target: np.ndarray, negatives: np.ndarray, outputVectors: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """negSamplingFromSamples for M predictions at once, output gradient left unscattered.

    Args:
        predicted: (M, D) predicted vectors v.
        target: (M,) true output word o of each prediction.
        negatives: (M, K) negative word ids.
        outputVectors: (V, D) U.
    Returns:
        cost: summed over the M predictions.
        gradPred: (M, D) d cost / d v per prediction.
        out_rows: (M (1 + K),) rows of U receiving gradient: per prediction, its target
            then its K negatives.
        out_grad: (M (1 + K), D) their gradients; sum them with scatter_rows.
    """
    M, K = negatives.shape
    out_rows = np.concatenate((target[:, None], negatives), axis=1)  # (M, 1 + K)
    # take(axis=0) gathers rows like outputVectors[out_rows], several times faster
    u = outputVectors.take(out_rows, axis=0)  # (M, 1 + K, D): u_o, then the negatives' u_k
    sign = np.concatenate(([1.0], np.full(K, -1.0)))  # (1 + K,) score u_o.v, then -u_k.v
    s = sigmoid(sign * (u @ predicted[:, :, None])[:, :, 0])  # (M, 1 + K)
    cost = -float(np.sum(np.log(s)))

    g = sign * (s - 1.0)  # (M, 1 + K) d cost / d (u.v): s_pos - 1, then 1 - s_neg
    gradPred = (g[:, None, :] @ u)[:, 0, :]  # (M, D) sum_j g_j u_j
    out_grad = g[:, :, None] * predicted[:, None, :]  # (M, 1 + K, D) g_j v
    out_rows = out_rows.ravel()  # (M (1 + K),)
    out_grad = out_grad.reshape(M * (1 + K), -1)  # (M (1 + K), D), rows match out_rows
    return cost, gradPred, out_rows, out_grad


def skipgram_neg_sampling_batch(wordVectors: np.ndarray, batch: Batch) -> tuple[float, np.ndarray]:
    """Skip-gram negative-sampling cost and gradient of a batch, averaged over its windows.

    Equals word2vec_sgd_wrapper(skipgram, ..., negSamplingCostAndGradient) on the same
    windows and negatives.

    Args:
        wordVectors: (2V, D) input rows then output rows.
        batch: P pairs from N windows.
    Returns:
        cost: sum of the pairs' costs / N.
        grad: (2V, D).
    """
    V = wordVectors.shape[0] // 2
    predicted = wordVectors.take(batch.centre, axis=0)  # (P, D) v_c of each pair
    cost, gradPred, out_rows, out_grad = neg_sampling_rows(
        predicted, batch.target, batch.negatives, wordVectors[V:]
    )
    rows = np.concatenate((batch.centre, V + out_rows))  # (P + P(1 + K),) rows of grad
    values = np.concatenate((gradPred, out_grad)) / batch.n_windows  # (P + P(1 + K), D)
    return cost / batch.n_windows, scatter_rows(rows, values, 2 * V)


def cbow_neg_sampling_batch(wordVectors: np.ndarray, batch: CbowBatch) -> tuple[float, np.ndarray]:
    """CBOW negative-sampling cost and gradient of a batch, averaged over its windows.

    Equals word2vec_sgd_wrapper(cbow, ..., negSamplingCostAndGradient) on the same samples.

    Args:
        wordVectors: (2V, D) input rows then output rows.
        batch: N windows with P context words in all.
    Returns:
        cost: sum of the windows' costs / N.
        grad: (2V, D).
    """
    V = wordVectors.shape[0] // 2
    N = batch.n_windows
    first = np.searchsorted(batch.window, np.arange(N))  # (N,) first context word of each window
    v = wordVectors.take(batch.context, axis=0)  # (P, D)
    predicted = np.add.reduceat(v, first, axis=0)  # (N, D) sum over each window
    cost, gradPred, out_rows, out_grad = neg_sampling_rows(
        predicted, batch.target, batch.negatives, wordVectors[V:]
    )
    rows = np.concatenate((batch.context, V + out_rows))  # (P + N(1 + K),)
    values = np.concatenate((gradPred[batch.window], out_grad)) / N  # (P + N(1 + K), D)
    return cost / N, scatter_rows(rows, values, 2 * V)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

Model = Literal["skipgram", "cbow"]


def batched_objective(
    corpus: Corpus,
    C: int,
    K: int = DEFAULT_NEGATIVES,
    batch_size: int = BATCH_SIZE,
    model: Model = "skipgram",
    rng: UniformSource = np.random,
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """f(wordVectors) -> (cost, grad (2V, D)) on a fresh random batch each call, for sgd."""
    if model == "skipgram":
        make, cost_and_grad = skipgram_batch, skipgram_neg_sampling_batch
    elif model == "cbow":
        make, cost_and_grad = cbow_batch, cbow_neg_sampling_batch
    else:
        raise ValueError(f"unknown model {model!r}")

    def f(wordVectors: np.ndarray) -> tuple[float, np.ndarray]:
        windows = sample_windows(corpus, batch_size, C, rng)
        return cost_and_grad(wordVectors, make(windows, corpus.table, K, rng))

    return f


def init_word_vectors(V: int, dim: int) -> np.ndarray:
    """The assignment's start: input rows uniform in [-0.5, 0.5) / dim, output rows zero.

    Returns:
        (2V, dim), drawn from np.random.
    """
    return np.concatenate(((np.random.rand(V, dim) - 0.5) / dim, np.zeros((V, dim))), axis=0)


def train_word2vec(
    dataset,
    dim: int = 10,
    C: int = 5,
    step: float = 0.3,
    iterations: int = 40000,
    *,
    model: Model = "skipgram",
    K: int = DEFAULT_NEGATIVES,
    batch_size: int = BATCH_SIZE,
    seeds: tuple[int, int] | None = (31415, 9265),
    useSaved: bool = False,
    checkpoint_dir=".",
    save_every: int = SAVE_PARAMS_EVERY,
    anneal_every: int = ANNEAL_EVERY,
    PRINT_EVERY: int = 10,
    progress=None,
    rng: UniformSource | None = None,
    corpus: Corpus | None = None,
) -> np.ndarray:
    """Train word vectors as the assignment's run script does, with the batched cost.

    Seeds `random` and np.random with `seeds` (unless None), draws the starting vectors,
    builds the flattened corpus (dataset.allSentences() may consume `random` draws for its
    subsampling), then runs the project's sgd, so checkpoints, resuming and step annealing
    are the same code as the per-window run.

    Args:
        dataset: provides tokens(), allSentences(), sampleTable().
        rng: source of the batches' randomness; None uses np.random, which sgd checkpoints.
        corpus: Corpus.from_dataset(dataset) built beforehand (e.g. to time it apart, or to
            reuse it across runs); None builds it here, after seeding.
    Returns:
        (2V, dim) word vectors, input rows then output rows.
    """
    if seeds is not None:
        random.seed(seeds[0])
        np.random.seed(seeds[1])
    wordVectors = init_word_vectors(len(dataset.tokens()), dim)  # (2V, dim)
    if corpus is None:
        corpus = Corpus.from_dataset(dataset)
    f = batched_objective(corpus, C, K, batch_size, model, np.random if rng is None else rng)
    return sgd(
        f,
        wordVectors,
        step,
        iterations,
        None,
        useSaved,
        PRINT_EVERY,
        checkpoint_dir=checkpoint_dir,
        save_every=save_every,
        anneal_every=anneal_every,
        progress=progress,
    )
