"""Problem 3: word2vec (skip-gram and CBOW) with softmax and negative-sampling costs.

Shapes: V vocabulary size, D vector dimension, K negative samples.
Input ("centre") vectors v are rows of inputVectors (V, D); output ("context") vectors u are
rows of outputVectors (V, D). Every cost function is `f(...) -> (cost, gradients)` so one
gradient checker and one SGD serve all.
"""

import random

import numpy as np

from solutions.neural import sigmoid
from solutions.softmax import softmax

DEFAULT_NEGATIVES = 10
BATCH_SIZE = 50


def normalizeRows(x: np.ndarray) -> np.ndarray:
    """Scale each row of x to unit Euclidean length.

    Args:
        x: (N, D).
    Returns:
        (N, D) new array; an all-zero row stays zero.
    """
    norms = np.linalg.norm(x, axis=1, keepdims=True)  # (N, 1)
    return x / np.where(norms == 0, 1.0, norms)


def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
    """Cross-entropy of softmax(U v_c) against the one-hot of `target`.

    Args:
        predicted: (D,) the predicted vector v_c.
        target: index o of the true output word.
        outputVectors: (V, D) U, one row per word.
        dataset: unused; kept so every cost function has one signature.
    Returns:
        cost: -log y_hat[o].
        gradPred: (D,) d cost / d v_c = U^T (y_hat - y).
        grad: (V, D) d cost / d U = (y_hat - y) v_c^T.
    """
    y_hat = softmax(outputVectors @ predicted)  # (V,)
    cost = -np.log(y_hat[target])
    delta = y_hat.copy()
    delta[target] -= 1.0  # (V,) y_hat - y
    gradPred = outputVectors.T @ delta  # (D,)
    grad = np.outer(delta, predicted)  # (V, D)
    return cost, gradPred, grad


def getNegativeSamples(target, dataset, K):
    """Draw K word indices from dataset.sampleTokenIdx(), redrawing any that equal target.

    Returns:
        list of K ints (repeats allowed).
    """
    indices = []
    while len(indices) < K:
        idx = dataset.sampleTokenIdx()
        if idx != target:
            indices.append(idx)
    return indices


def negSamplingCostAndGradient(predicted, target, outputVectors, dataset, K=DEFAULT_NEGATIVES):
    """Negative-sampling cost -log s(u_o.v_c) - sum_k log s(-u_k.v_c).

    A word drawn several times among the K negatives counts once per draw: its gradient
    rows accumulate (np.add.at), they do not overwrite each other.

    Args:
        predicted: (D,) v_c.
        target: index o.
        outputVectors: (V, D) U.
        dataset: provides sampleTokenIdx().
        K: number of negative samples.
    Returns:
        cost, gradPred (D,), grad (V, D).
    """
    negatives = np.array(getNegativeSamples(target, dataset, K), dtype=int)  # (K,)
    return negSamplingFromSamples(predicted, target, negatives, outputVectors)


def negSamplingFromSamples(predicted, target, negatives, outputVectors):
    """negSamplingCostAndGradient for given negative indices (K,); same returns."""
    u_o = outputVectors[target]  # (D,)
    u_neg = outputVectors[negatives]  # (K, D)
    s_pos = sigmoid(u_o @ predicted)  # scalar
    s_neg = sigmoid(-(u_neg @ predicted))  # (K,)
    cost = -np.log(s_pos) - np.sum(np.log(s_neg))

    gradPred = (s_pos - 1.0) * u_o + (1.0 - s_neg) @ u_neg  # (D,)
    grad = np.zeros_like(outputVectors)  # (V, D)
    grad[target] += (s_pos - 1.0) * predicted
    np.add.at(grad, negatives, np.outer(1.0 - s_neg, predicted))  # repeats accumulate
    return cost, gradPred, grad


def skipgram(
    currentWord,
    C,
    contextWords,
    tokens,
    inputVectors,
    outputVectors,
    dataset,
    word2vecCostAndGradient=softmaxCostAndGradient,
):
    """Skip-gram: predict every context word from the centre word's input vector.

    Args:
        currentWord: the centre word (str).
        C: context size (unused here; part of the assignment's signature).
        contextWords: list of up to 2C words.
        tokens: dict word -> index.
        inputVectors: (V, D) centre vectors.
        outputVectors: (V, D) context vectors.
        dataset: passed to the cost function (negative sampling).
        word2vecCostAndGradient: softmaxCostAndGradient or negSamplingCostAndGradient.
    Returns:
        cost: summed over the context words.
        gradIn: (V, D); only the centre word's row is non-zero.
        gradOut: (V, D).
    """
    c = tokens[currentWord]
    predicted = inputVectors[c]  # (D,)
    cost = 0.0
    gradIn = np.zeros_like(inputVectors)
    gradOut = np.zeros_like(outputVectors)
    for word in contextWords:
        cost_j, gradPred, grad = word2vecCostAndGradient(
            predicted, tokens[word], outputVectors, dataset
        )
        cost += cost_j
        gradIn[c] += gradPred
        gradOut += grad
    return cost, gradIn, gradOut


def cbow(
    currentWord,
    C,
    contextWords,
    tokens,
    inputVectors,
    outputVectors,
    dataset,
    word2vecCostAndGradient=softmaxCostAndGradient,
):
    """CBOW: predict the centre word from the SUM of the context words' input vectors.

    Same arguments and returns as skipgram; gradIn has a row per context word, a word that
    appears twice in the context receiving twice the gradient.
    """
    context = [tokens[word] for word in contextWords]
    predicted = inputVectors[context].sum(axis=0)  # (D,)
    cost, gradPred, gradOut = word2vecCostAndGradient(
        predicted, tokens[currentWord], outputVectors, dataset
    )
    gradIn = np.zeros_like(inputVectors)
    np.add.at(gradIn, context, gradPred)  # each occurrence gets d cost / d predicted
    return cost, gradIn, gradOut


def word2vec_sgd_wrapper(
    word2vecModel, tokens, wordVectors, dataset, C, word2vecCostAndGradient=softmaxCostAndGradient
):
    """Average cost and gradient over a batch of 50 random context windows.

    Args:
        word2vecModel: skipgram or cbow.
        tokens: dict word -> index, V words.
        wordVectors: (2V, D); rows [:V] are input vectors, rows [V:] output vectors.
        dataset: provides getRandomContext(C1) and sampleTokenIdx().
        C: maximum context size; each window uses C1 = random.randint(1, C).
    Returns:
        cost (mean over the batch), grad (2V, D).
    """
    cost = 0.0
    grad = np.zeros_like(wordVectors)
    V = wordVectors.shape[0] // 2
    inputVectors = wordVectors[:V]  # (V, D) view
    outputVectors = wordVectors[V:]  # (V, D) view
    for _ in range(BATCH_SIZE):
        C1 = random.randint(1, C)
        centerword, context = dataset.getRandomContext(C1)
        c, gin, gout = word2vecModel(
            centerword,
            C1,
            context,
            tokens,
            inputVectors,
            outputVectors,
            dataset,
            word2vecCostAndGradient,
        )
        cost += c / BATCH_SIZE
        grad[:V] += gin / BATCH_SIZE
        grad[V:] += gout / BATCH_SIZE
    return cost, grad
