"""The reference runs of problems 3 and 4: word vectors on SST, then sentiment classification.

    cs224n-reference --sample                      # the bundled SST sample, seconds
    cs224n-reference --data data/stanfordSentimentTreebank --glove data/glove.6B.50d.txt

Writes to --out: q3_word_vectors.npy and .png, checkpoints/, q4_reg_v_acc.png,
q4_dev_conf.png, q4_dev_pred.txt and sweep tables (own vectors, and GloVe when given).
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import cs224n
from cs224n.glove import loadWordVectors
from cs224n.plotting import (
    VISUALIZE_WORDS,
    outputConfusionMatrix,
    outputPredictions,
    plot_word_vectors,
    plotRegVsAccuracy,
)
from cs224n.treebank import StanfordSentiment
from solutions.sentiment import (
    SweepResult,
    chooseBestModel,
    getRegularizationValues,
    regularization_sweep,
    sentence_matrix,
)
from solutions.word2vec_batched import train_word2vec

log = logging.getLogger("cs224n.reference")


def run_word2vec(dataset: StanfordSentiment, out: Path, iterations: int,
                 show_progress: bool = True) -> np.ndarray:
    """Train skip-gram with negative sampling (dim 10, C = 5, step 0.3), resumable.

    Returns the (2V, 10) word vectors; saves them and the 2-D plot of the handout's words.
    """
    checkpoints = out / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=iterations, desc="word2vec", unit="it", disable=not show_progress)

    last = {"cost": float("nan")}

    def progress(it: int, expcost: float) -> None:
        last["cost"] = expcost
        bar.n = it
        bar.set_postfix(cost=f"{expcost:.3f}", refresh=False)
        bar.refresh()

    started = time.perf_counter()
    vectors = train_word2vec(dataset, iterations=iterations, useSaved=True,
                             checkpoint_dir=checkpoints, progress=progress)
    bar.close()
    log.info("word2vec: %d iterations in %.1f s, final cost %.3f (moving average)",
             iterations, time.perf_counter() - started, last["cost"])
    np.save(out / "q3_word_vectors.npy", vectors)
    tokens = dataset.tokens()
    words = [w for w in VISUALIZE_WORDS if w in tokens]
    plot_word_vectors(tokens, vectors[: len(tokens)], out / "q3_word_vectors.png", words)
    return vectors


def sentiment_features(dataset: StanfordSentiment, tokens, wordVectors):
    """(features (N, D), labels (N,)) for train, dev and test, plus the dev sentences."""
    splits = [dataset.getTrainSentences(), dataset.getDevSentences(), dataset.getTestSentences()]
    data = [(sentence_matrix(tokens, wordVectors, [w for w, _ in s]),
             np.array([label for _, label in s])) for s in splits]
    return data, splits[1]


def run_sentiment(dataset: StanfordSentiment, wordVectors: np.ndarray, out: Path,
                  name: str, regValues=None) -> SweepResult:
    """The regularisation sweep; writes the plots and predictions; returns the best model."""
    regValues = getRegularizationValues() if regValues is None else regValues
    (train, dev, test), devset = sentiment_features(dataset, dataset.tokens(), wordVectors)
    results = regularization_sweep(train, dev, test, regValues)
    log.info("sentiment (%s):\n%s", name, format_sweep(results))
    best = chooseBestModel(results)
    log.info("best (%s): reg %.3g  train %.1f%%  dev %.1f%%  test %.1f%%",
             name, best.reg, best.train, best.dev, best.test)
    suffix = "" if name == "own" else f"_{name}"
    plotRegVsAccuracy(regValues, results, out / f"q4_reg_v_acc{suffix}.png")
    outputConfusionMatrix(*dev, best.clf, out / f"q4_dev_conf{suffix}.png")
    outputPredictions(devset, *dev, best.clf, out / f"q4_dev_pred{suffix}.txt")
    (out / f"q4_sweep{suffix}.txt").write_text(format_sweep(results) + "\n")
    return best


def format_sweep(results) -> str:
    lines = ["reg          train    dev     test"]
    lines += [f"{r.reg:<10.3g} {r.train:6.2f}  {r.dev:6.2f}  {r.test:6.2f}" for r in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cs224n-reference", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help="SST folder (default: $CS224N_SST_DIR or "
                        "data/stanfordSentimentTreebank)")
    source.add_argument("--sample", action="store_true", help="use the bundled SST sample")
    parser.add_argument("--out", type=Path, default=Path("out/reference"), help="output folder")
    parser.add_argument("--iterations", type=int, default=None,
                        help="SGD iterations (default 40000; 2000 with --sample)")
    parser.add_argument("--glove", type=Path, help="glove.6B.50d.txt, for the GloVe sweep")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    path = cs224n.sample_sst_dir() if args.sample else args.data
    iterations = args.iterations or (2000 if args.sample else 40000)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        random.seed(314)
        dataset = StanfordSentiment(path)
        dataset.tokens()
    except FileNotFoundError as exc:
        parser.exit(2, f"cs224n-reference: {exc}\nDownload the data with `cs224n-download sst`, "
                       "or try --sample.\n")
    log.info("SST: %d sentences, %d token types", dataset.numSentences(), len(dataset.tokens()))

    vectors = run_word2vec(dataset, args.out, iterations, not args.no_progress)
    V = len(dataset.tokens())
    own = np.concatenate([vectors[:V], vectors[V:]], axis=1)  # (V, 20): input | output
    run_sentiment(dataset, own, args.out, "own")
    if args.glove:
        glove = loadWordVectors(dataset.tokens(), args.glove)
        run_sentiment(dataset, glove, args.out, "glove")
    log.info("outputs in %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
