"""Throughput of word2vec training on the real SST: per-window reference, batched, gensim.

Not a test: prints a table. Needs the Stanford Sentiment Treebank folder in CS224N_SST_DIR.

    CS224N_SST_DIR=/path/to/stanfordSentimentTreebank python benchmarks/bench_word2vec.py
    ... --quick               # a smoke run of a few seconds
    ... --iterations 10000    # a shorter batched run

Every path runs pinned to one CPU with the BLAS/OpenMP thread pools set to one thread, so
the figures compare the algorithms, not the number of cores. Throughput is in centre words
(windows) per second: the reference and the batched trainer take 50 windows per SGD
iteration; gensim trains every word of the corpus once per epoch as a centre word.

1. per-window: solutions.word2vec.word2vec_sgd_wrapper (skip-gram, negative sampling) inside
   the project's sgd, for a few hundred iterations (median over repeats), extrapolated to the
   assignment's 40,000 iterations.
2. batched: solutions.word2vec_batched.train_word2vec for the full run, with the assignment's
   settings (dim 10, C 5, step 0.3, random.seed(314) before the dataset, then 31415 / 9265).
3. gensim Word2Vec (sg=1, negative=10, window=5, vector_size=10, workers=1, min_count=1) for
   one epoch over the same subsampled sentences (allSentences(): SST x 30, frequent words
   already dropped), so sample=0: subsampling twice would train on fewer words.
"""

from __future__ import annotations

import os

# Before numpy is imported: one thread in every BLAS / OpenMP pool.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "source" / "ps1"))

from solutions.sgd import sgd  # noqa: E402
from solutions.word2vec import (  # noqa: E402
    BATCH_SIZE,
    negSamplingCostAndGradient,
    skipgram,
    word2vec_sgd_wrapper,
)
from solutions.word2vec_batched import (  # noqa: E402
    Corpus,
    init_word_vectors,
    sample_windows,
    skipgram_batch,
    skipgram_neg_sampling_batch,
    train_word2vec,
)

ASSIGNMENT_ITERATIONS = 40_000
DIM, C, STEP, K = 10, 5, 0.3, 10


@dataclass
class Row:
    """One line of the results table."""

    name: str
    work: str  # what was timed, e.g. "300 it x 3"
    seconds: float  # median wall time of one repeat
    centre_words: int  # centre words trained in one repeat

    @property
    def rate(self) -> float:
        return self.centre_words / self.seconds


def pin_to_one_cpu(cpu: int | None) -> int:
    """Restrict this process to one CPU (default: the first it may use); return its number."""
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen


def load_dataset():
    """StanfordSentiment after random.seed(314), as the assignment's run script."""
    from cs224n.treebank import StanfordSentiment

    random.seed(314)
    dataset = StanfordSentiment()
    dataset.tokens()
    return dataset


def bench_per_window(iterations: int, repeats: int) -> Row:
    """The reference wrapper inside sgd; the corpus and table are built before timing."""
    dataset = load_dataset()
    tokens = dataset.tokens()
    dataset.allSentences()  # built lazily at the first draw otherwise; not part of the rate
    dataset.sampleTable()
    times = []
    for _ in range(repeats):
        random.seed(31415)
        np.random.seed(9265)
        x0 = init_word_vectors(len(tokens), DIM)  # (2V, D)

        def f(vec: np.ndarray) -> tuple[float, np.ndarray]:
            return word2vec_sgd_wrapper(
                skipgram, tokens, vec, dataset, C, negSamplingCostAndGradient
            )

        start = time.perf_counter()
        sgd(f, x0, STEP, iterations, PRINT_EVERY=0)
        times.append(time.perf_counter() - start)
    work = f"{iterations} it x {repeats}"
    return Row("per-window reference", work, statistics.median(times), BATCH_SIZE * iterations)


@dataclass
class BatchedRun:
    row: Row
    build_seconds: float
    final_ema: float
    mean_cost: float
    mean_context: float
    corpus: Corpus
    sentences: list[list[str]]


def bench_batched(iterations: int) -> BatchedRun:
    """One full batched training with the assignment's seeds."""
    dataset = load_dataset()
    start = time.perf_counter()
    corpus = Corpus.from_dataset(dataset)  # allSentences() + table + flattening
    build_seconds = time.perf_counter() - start

    costs: list[float] = []
    start = time.perf_counter()
    vectors = train_word2vec(
        dataset,
        DIM,
        C,
        STEP,
        iterations,
        seeds=(31415, 9265),
        corpus=corpus,
        PRINT_EVERY=10,
        progress=lambda it, expcost: costs.append(expcost),
    )
    seconds = time.perf_counter() - start

    # the cost of the final vectors on fresh batches, less noisy than sgd's moving average
    rng = np.random.default_rng(0)
    fresh = [
        skipgram_batch(sample_windows(corpus, BATCH_SIZE, C, rng), corpus.table, K, rng)
        for _ in range(200)
    ]
    mean_cost = float(np.mean([skipgram_neg_sampling_batch(vectors, b)[0] for b in fresh]))
    mean_context = float(np.mean([len(b.target) for b in fresh])) / BATCH_SIZE
    row = Row(
        "batched (word2vec_batched)", f"{iterations} it x 1", seconds, BATCH_SIZE * iterations
    )
    return BatchedRun(
        row,
        build_seconds,
        costs[-1] if costs else float("nan"),
        mean_cost,
        mean_context,
        corpus,
        dataset.allSentences(),
    )


def bench_gensim(sentences: list[list[str]], repeats: int) -> Row | str:
    """gensim skip-gram, one epoch over the sentences; vocabulary built before timing."""
    try:
        import gensim
        from gensim.models import Word2Vec
    except ImportError:
        return "gensim is not installed (pip install gensim): skipped"
    times, words = [], 0
    for seed in range(repeats):
        model = Word2Vec(
            vector_size=DIM,
            window=C,
            sg=1,
            hs=0,
            negative=K,
            min_count=1,
            sample=0,
            workers=1,
            seed=seed + 1,
        )
        model.build_vocab(sentences)
        start = time.perf_counter()
        words, _ = model.train(sentences, total_examples=model.corpus_count, epochs=1)
        times.append(time.perf_counter() - start)
    return Row(
        f"gensim {gensim.__version__} Word2Vec sg",
        f"1 epoch x {repeats}",
        statistics.median(times),
        words,
    )


def print_table(rows: list[Row]) -> None:
    print(f"{'path':<30} {'timed':>16} {'seconds':>9} {'centre words':>13} {'words/s':>10}")
    for r in rows:
        print(f"{r.name:<30} {r.work:>16} {r.seconds:>9.2f} {r.centre_words:>13,} {r.rate:>10,.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--iterations",
        type=int,
        default=ASSIGNMENT_ITERATIONS,
        help="batched SGD iterations (default: the assignment's 40000)",
    )
    parser.add_argument(
        "--reference-iterations",
        type=int,
        default=300,
        help="per-window SGD iterations per repeat (default 300)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="repeats of the per-window and gensim timings (median; default 3)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2000 batched, 50 per-window iterations, 1 repeat, "
        "gensim on a tenth of the sentences",
    )
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: first)")
    args = parser.parse_args(argv)
    gensim_share = 1.0
    if args.quick:
        args.iterations, args.reference_iterations, args.repeats = 2000, 50, 1
        gensim_share = 0.1

    if not os.environ.get("CS224N_SST_DIR"):
        print(
            "CS224N_SST_DIR is not set: skipping the word2vec benchmark. Point it at the "
            "stanfordSentimentTreebank folder (with datasetSentences.txt) to run it."
        )
        return 0

    cpu = pin_to_one_cpu(args.cpu)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"word2vec skip-gram, negative sampling on SST: dim {DIM}, C {C}, K {K}, step {STEP},"
        f" {BATCH_SIZE} windows per iteration"
    )
    print(
        f"pinned to CPU {cpu}, BLAS/OpenMP threads 1, numpy {np.__version__}, "
        f"Python {sys.version.split()[0]}, load average {load}"
    )

    batched = bench_batched(args.iterations)
    corpus = batched.corpus
    print(
        f"corpus: {len(corpus.lengths):,} subsampled sentences, {len(corpus.words):,} tokens,"
        f" V = {len(load_dataset().tokens()):,}; {batched.mean_context:.2f} context words"
        " per window"
    )
    print(
        f"batched: corpus build {batched.build_seconds:.2f} s (not in the rate), "
        f"final cost {batched.final_ema:.3f} (sgd's moving average), "
        f"{batched.mean_cost:.3f} (mean over 200 fresh batches)"
    )
    reference = bench_per_window(args.reference_iterations, args.repeats)
    n_gensim = max(1, round(gensim_share * len(batched.sentences)))
    gensim_row = bench_gensim(batched.sentences[:n_gensim], args.repeats)

    rows = [reference, batched.row] + ([gensim_row] if isinstance(gensim_row, Row) else [])
    print()
    print_table(rows)
    print()
    b = batched.row
    full = ASSIGNMENT_ITERATIONS
    print(
        f"{full:,} iterations: per-window {full / reference.rate * BATCH_SIZE:,.0f} s "
        f"(extrapolated), batched {full / b.rate * BATCH_SIZE:,.1f} s"
        + (" (measured)" if args.iterations == full else " (extrapolated)")
    )
    print(f"batched / per-window: {b.rate / reference.rate:,.1f}x")
    if isinstance(gensim_row, Row):
        print(f"batched / gensim:     {b.rate / gensim_row.rate:,.2f}x")
    else:
        print(gensim_row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
