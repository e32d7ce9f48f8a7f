"""Mutants of problem 3: normalizeRows, the two cost functions, skip-gram, CBOW and sgd.

Where the notebook gives part of a function (the sampling lines of negSamplingCostAndGradient,
everything of sgd but the loop body), a mutant changes only what a student writes: the given
lines are put around its body, as in the notebook.
"""

import textwrap

from autograder.mutants.model import EQUIVALENT, ERROR, Mutant


def _mutant(function: str):
    def make(name: str, kind: str, about: str, source: str, blame: tuple[str, ...] = ()
             ) -> Mutant:
        return Mutant(name, kind, blame or (function,), about, source)

    return make


_normalize = _mutant("normalizeRows")
_softmax_cost = _mutant("softmaxCostAndGradient")
_neg = _mutant("negSamplingCostAndGradient")
_skipgram = _mutant("skipgram")
_cbow = _mutant("cbow")
_sgd = _mutant("sgd")


def _indent(body: str, spaces: int) -> str:
    return textwrap.indent(textwrap.dedent(body).strip("\n"), " " * spaces)


NEG_HEAD = """
def negSamplingCostAndGradient(predicted, target, outputVectors, dataset, K=10):
    indices = [target]
    indices.extend(getNegativeSamples(target, dataset, K))
"""


def _neg_body(body: str) -> str:
    """The given sampling lines, then the student's body."""
    return NEG_HEAD + _indent(body, 4) + "\n"


SGD_HEAD = """
from cs224n.checkpoints import (
    ANNEAL_EVERY,
    CHECKPOINT_DIR,
    SAVE_PARAMS_EVERY,
    load_saved_params,
    save_params,
)


def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10, *,
        checkpoint_dir=CHECKPOINT_DIR, progress=None):
    start_iter = 0
    x = np.array(x0, dtype=float)
    if useSaved:
        start_iter, saved_x, states = load_saved_params(checkpoint_dir)
        if start_iter > 0:
            x = saved_x
            step *= 0.5 ** (start_iter // ANNEAL_EVERY)
            random.setstate(states[0])
            np.random.set_state(states[1])
    if postprocessing is None:
        postprocessing = lambda x: x

    expcost = None
    for it in range(start_iter + 1, iterations + 1):
"""
SGD_TAIL = """
        if PRINT_EVERY and it % PRINT_EVERY == 0:
            expcost = cost if expcost is None else 0.95 * expcost + 0.05 * cost
            if progress is not None:
                progress(it, expcost)
            else:
                print(f"iter {it}: {expcost:f}")
        if useSaved and it % SAVE_PARAMS_EVERY == 0:
            save_params(it, x, checkpoint_dir)
        if it % ANNEAL_EVERY == 0:
            step *= 0.5
    return x
"""


def _sgd_body(body: str, after: str = "") -> str:
    """The notebook's sgd with the student's loop body (and lines after the loop)."""
    tail = SGD_TAIL if not after else SGD_TAIL.replace(
        "    return x\n", _indent(after, 4) + "\n    return x\n")
    return SGD_HEAD + _indent(body, 8) + "\n" + tail


NORMALIZE = (
    _normalize("normalize_first_column", ERROR, "divides each row by its first entry", """
        def normalizeRows(x):
            return x / x[:, [0]]
        """),
    _normalize("normalize_columns", ERROR, "divides by the column norms (axis 0)", """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=0, keepdims=True)
        """),
    _normalize("normalize_global_norm", ERROR, "divides by the norm of the whole matrix", """
        def normalizeRows(x):
            return x / np.linalg.norm(x)
        """),
    _normalize("normalize_squared_norm", ERROR, "divides by the squared norm", """
        def normalizeRows(x):
            return x / np.sum(x ** 2, axis=1, keepdims=True)
        """),
    _normalize("normalize_no_keepdims", ERROR, "row norms without keepdims (shape (N,))", """
        def normalizeRows(x):
            return x / np.sqrt(np.sum(x ** 2, axis=1))
        """),
    _normalize("normalize_l1", ERROR, "divides by the sum of absolute values", """
        def normalizeRows(x):
            return x / np.sum(np.abs(x), axis=1, keepdims=True)
        """),
    _normalize("normalize_max", ERROR, "divides by the largest absolute entry of each row", """
        def normalizeRows(x):
            return x / np.max(np.abs(x), axis=1, keepdims=True)
        """),
    _normalize("normalize_zeros", ERROR, "returns zeros", """
        def normalizeRows(x):
            return np.zeros_like(x)
        """),
    _normalize("normalize_nan", ERROR, "returns NaN", """
        def normalizeRows(x):
            return np.full(np.shape(x), np.nan)
        """),
    _normalize("normalize_returns_input", ERROR, "returns its input", """
        def normalizeRows(x):
            return x
        """),
    _normalize("normalize_row_loop", EQUIVALENT, "a loop over the rows", """
        def normalizeRows(x):
            out = np.zeros(x.shape)
            for i in range(x.shape[0]):
                out[i] = x[i] / np.sqrt(np.dot(x[i], x[i]))
            return out
        """),
    _normalize("normalize_matrix", EQUIVALENT, "np.matrix arithmetic", """
        def normalizeRows(x):
            m = np.matrix(x)
            return m / np.sqrt(np.multiply(m, m).sum(axis=1))
        """),
    _normalize("normalize_list", EQUIVALENT, "returns a nested list", """
        def normalizeRows(x):
            return (x / np.linalg.norm(x, axis=1).reshape(-1, 1)).tolist()
        """),
    _normalize("normalize_in_place", EQUIVALENT, "divides its argument in place", """
        def normalizeRows(x):
            x /= np.sqrt((x * x).sum(axis=1))[:, np.newaxis]
            return x
        """),
)


SOFTMAX_COST = (
    _softmax_cost("softmax_cost_grad_transposed", ERROR, "grad is (D, V), transposed", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            delta = y_hat.copy()
            delta[target] -= 1
            return -np.log(y_hat[target]), outputVectors.T @ delta, np.outer(predicted, delta)
        """),
    _softmax_cost("softmax_cost_gradPred_no_target", ERROR, "gradPred = U^T y_hat (no -u_o)",
                  """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = outputVectors.T @ y_hat
            return -np.log(y_hat[target]), gradPred, np.outer(delta, predicted)
        """),
    _softmax_cost("softmax_cost_grad_no_target", ERROR, "grad = y_hat v_c^T (no -y)", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            delta = y_hat.copy()
            delta[target] -= 1
            return -np.log(y_hat[target]), outputVectors.T @ delta, np.outer(y_hat, predicted)
        """),
    _softmax_cost("softmax_cost_sign", ERROR, "cost = log(y_hat[target])", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            delta = y_hat.copy()
            delta[target] -= 1
            return np.log(y_hat[target]), outputVectors.T @ delta, np.outer(delta, predicted)
        """),
    _softmax_cost("softmax_cost_delta_in_place", ERROR,
                  "subtracts 1 from y_hat in place before taking the cost", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            y_hat[target] -= 1
            cost = -np.log(y_hat[target])
            return cost, outputVectors.T @ y_hat, np.outer(y_hat, predicted)
        """),
    _softmax_cost("softmax_cost_zeros", ERROR, "returns zeros", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            return 0.0, np.zeros_like(predicted), np.zeros_like(outputVectors)
        """),
    _softmax_cost("softmax_cost_nan", ERROR, "returns NaN", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            return (np.nan, np.full(np.shape(predicted), np.nan),
                    np.full(np.shape(outputVectors), np.nan))
        """),
    Mutant("softmax_cost_own_wrong_softmax", ERROR, ("softmax",),
           "a wrong softmax of their own (unshifted denominator) and a correct cost function "
           "that calls it: the bug costs in softmax only", """
        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(np.exp(x), axis=-1, keepdims=True)

        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            delta = y_hat.copy()
            delta[target] -= 1
            return -np.log(y_hat[target]), outputVectors.T @ delta, np.outer(delta, predicted)
        """),
    _softmax_cost("softmax_cost_row_gradPred", EQUIVALENT, "gradPred shaped (1, D)", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            v = predicted.reshape(1, -1)
            y_hat = softmax(v @ outputVectors.T)
            y = np.zeros_like(y_hat)
            y[0, target] = 1
            gradPred = (y_hat - y) @ outputVectors
            grad = (y_hat - y).T @ v
            return -np.log(y_hat[0, target]), gradPred, grad
        """),
    _softmax_cost("softmax_cost_column_gradPred", EQUIVALENT,
                  "column vectors: gradPred (D, 1), cost a (1,) array", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            v = predicted.reshape(-1, 1)
            y_hat = softmax((outputVectors @ v).ravel())
            cost = -np.log(y_hat[[target]])
            y_hat[target] -= 1
            d = y_hat.reshape(-1, 1)
            return cost, outputVectors.T @ d, d @ v.T
        """),
    _softmax_cost("softmax_cost_matrix", EQUIVALENT, "np.matrix arithmetic", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            U = np.matrix(outputVectors)
            v = np.matrix(predicted).T
            y_hat = softmax((U * v).T)
            cost = -np.log(y_hat[0, target])
            delta = y_hat.copy()
            delta[0, target] -= 1
            return cost, U.T * delta.T, delta.T * v.T
        """),
    _softmax_cost("softmax_cost_inline", EQUIVALENT, "a softmax of their own, inline", """
        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            scores = np.dot(outputVectors, predicted)
            scores = scores - scores.max()
            probs = np.exp(scores) / np.exp(scores).sum()
            cost = np.log(np.exp(scores).sum()) - scores[target]
            probs[target] -= 1.0
            return cost, np.dot(probs, outputVectors), probs[:, None] * predicted[None, :]
        """),
)


NEG_SAMPLING = (
    _neg("neg_no_target_rejection", ERROR,
         "draws K samples with dataset.sampleTokenIdx() without redrawing the target", """
        def negSamplingCostAndGradient(predicted, target, outputVectors, dataset, K=10):
            neg = [dataset.sampleTokenIdx() for _ in range(K)]
            u_o, u_neg = outputVectors[target], outputVectors[neg]
            s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
            cost = -np.log(s_o) - np.sum(np.log(s_neg))
            gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
            grad = np.zeros_like(outputVectors)
            grad[target] += (s_o - 1) * predicted
            np.add.at(grad, neg, np.outer(1 - s_neg, predicted))
            return cost, gradPred, grad
        """),
    _neg("neg_draws_twice", ERROR, "draws new samples for the gradients", _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        neg = getNegativeSamples(target, dataset, K)
        u_neg = outputVectors[neg]
        s_neg = sigmoid(-(u_neg @ predicted))
        gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, neg, np.outer(1 - s_neg, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_cost_sign", ERROR, "cost uses log sigmoid(u_k . v_c) for the negatives",
         _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(sigmoid(u_neg @ predicted)))
        gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, neg, np.outer(1 - s_neg, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_grad_sign", ERROR, "the negatives' gradient terms have the wrong sign",
         _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        gradPred = (s_o - 1) * u_o - (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, neg, -np.outer(1 - s_neg, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_grad_no_sigmoid", ERROR, "the negatives' gradient coefficient lacks the sigmoid",
         _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        coef = u_neg @ predicted
        gradPred = (s_o - 1) * u_o + coef @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, neg, np.outer(coef, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_off_by_one", ERROR, "loops over indices[:K]: the target's row gets a negative's "
         "term, the last sample is left out of grad", _neg_body("""
        u_o = outputVectors[target]
        s_o = sigmoid(u_o @ predicted)
        cost = -np.log(s_o)
        gradPred = (s_o - 1) * u_o
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        for k in range(K):
            u_k = outputVectors[indices[k + 1]]
            s_k = sigmoid(-(u_k @ predicted))
            cost -= np.log(s_k)
            gradPred += (1 - s_k) * u_k
            grad[indices[k]] += (1 - s_k) * predicted
        return cost, gradPred, grad
        """)),
    _neg("neg_target_in_sum", ERROR, "the negative sum runs over all indices, target included",
         _neg_body("""
        u_o, u_all = outputVectors[target], outputVectors[indices]
        s_o, s_all = sigmoid(u_o @ predicted), sigmoid(-(u_all @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_all))
        gradPred = (s_o - 1) * u_o + (1 - s_all) @ u_all
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, indices, np.outer(1 - s_all, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_fancy_add", ERROR, "grad[neg] += ... (a repeated sample is added once)",
         _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        grad[neg] += np.outer(1 - s_neg, predicted)
        return cost, gradPred, grad
        """)),
    _neg("neg_assign_rows", ERROR, "a loop that assigns (=) each sample's row", _neg_body("""
        u_o = outputVectors[target]
        s_o = sigmoid(np.dot(u_o, predicted))
        cost = -np.log(s_o)
        gradPred = (s_o - 1) * u_o
        grad = np.zeros(outputVectors.shape)
        grad[target] = (s_o - 1) * predicted
        for k in indices[1:]:
            s_k = sigmoid(-np.dot(outputVectors[k], predicted))
            cost -= np.log(s_k)
            gradPred += (1 - s_k) * outputVectors[k]
            grad[k] = (1 - s_k) * predicted
        return cost, gradPred, grad
        """)),
    _neg("neg_distinct_samples", ERROR, "counts each distinct sample once (np.unique)",
         _neg_body("""
        neg = np.unique(indices[1:])
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        grad[neg] += np.outer(1 - s_neg, predicted)
        return cost, gradPred, grad
        """)),
    _neg("neg_nan", ERROR, "returns NaN", _neg_body("""
        return (np.nan, np.full(np.shape(predicted), np.nan),
                np.full(np.shape(outputVectors), np.nan))
        """)),
    _neg("neg_constant", ERROR, "returns constants", _neg_body("""
        return 1.0, np.ones_like(predicted), np.ones_like(outputVectors)
        """)),
    Mutant("neg_own_wrong_sigmoid", ERROR, ("sigmoid",),
           "a wrong sigmoid of their own (1 / (1 + exp(x))) and a correct negative-sampling "
           "cost that calls it: the bug costs in sigmoid only", textwrap.dedent("""
        def sigmoid(x):
            return 1 / (1 + np.exp(x))
        """) + _neg_body("""
        neg = indices[1:]
        u_o, u_neg = outputVectors[target], outputVectors[neg]
        s_o, s_neg = sigmoid(u_o @ predicted), sigmoid(-(u_neg @ predicted))
        cost = -np.log(s_o) - np.sum(np.log(s_neg))
        gradPred = (s_o - 1) * u_o + (1 - s_neg) @ u_neg
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        np.add.at(grad, neg, np.outer(1 - s_neg, predicted))
        return cost, gradPred, grad
        """)),
    _neg("neg_loop", EQUIVALENT, "a loop over the samples, with 1 - sigmoid(x)", _neg_body("""
        s_o = sigmoid(outputVectors[target].dot(predicted))
        cost = -np.log(s_o)
        gradPred = (s_o - 1) * outputVectors[target]
        grad = np.zeros_like(outputVectors)
        grad[target] += (s_o - 1) * predicted
        for k in indices[1:]:
            s_k = sigmoid(outputVectors[k].dot(predicted))
            cost += -np.log(1 - s_k)
            gradPred += s_k * outputVectors[k]
            grad[k] += s_k * predicted
        return cost, gradPred, grad
        """)),
    _neg("neg_matrix", EQUIVALENT, "np.matrix arithmetic", _neg_body("""
        U = np.matrix(outputVectors[indices])
        v = np.matrix(predicted).T
        signs = np.matrix([1.0] + [-1.0] * K).T
        s = sigmoid(np.multiply(signs, U * v))
        cost = -np.sum(np.log(s))
        coef = np.multiply(-(1 - s), signs)
        gradPred = U.T * coef
        rows = np.asarray(coef * v.T)
        grad = np.zeros(outputVectors.shape)
        for i, idx in enumerate(indices):
            grad[idx] += rows[i]
        return cost, gradPred, grad
        """)),
    _neg("neg_row_shapes", EQUIVALENT, "gradPred (1, D) and the cost a (1,) array",
         _neg_body("""
        v = predicted.reshape(1, -1)
        u = outputVectors[indices]
        signs = np.array([1.0] + [-1.0] * K).reshape(-1, 1)
        s = sigmoid(signs * (u @ v.T))
        cost = -np.sum(np.log(s), axis=0)
        coef = (s - 1) * signs
        grad = np.zeros_like(outputVectors)
        np.add.at(grad, indices, coef @ v)
        return cost, coef.T @ u, grad
        """)),
)


def _skipgram_source(body: str) -> str:
    return ("def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors,\n"
            "             dataset, word2vecCostAndGradient=softmaxCostAndGradient):\n"
            + _indent(body, 4) + "\n")


def _cbow_source(body: str) -> str:
    return ("def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors,\n"
            "         dataset, word2vecCostAndGradient=softmaxCostAndGradient):\n"
            + _indent(body, 4) + "\n")


def _skipgram_loop(loop_line: str = "for word in contextWords:", add_in: str = "+=",
                   add_out: str = "gradOut += grad", target: str = "tokens[word]",
                   row: str = "c", vectors: str = "outputVectors", cost: str = "cost") -> str:
    return _skipgram_source(f"""
        c = tokens[currentWord]
        cost = 0.0
        gradIn = np.zeros_like(inputVectors)
        gradOut = np.zeros_like(outputVectors)
        {loop_line}
            cj, gradPred, grad = word2vecCostAndGradient(
                inputVectors[c], {target}, {vectors}, dataset)
            cost += cj
            gradIn[{row}] {add_in} gradPred
            {add_out}
        return {cost}, gradIn, gradOut
        """)


SKIPGRAM = (
    _skipgram("skipgram_wrong_rows", ERROR, "gradPred into the context word's row",
              _skipgram_loop(row="tokens[word]")),
    _skipgram("skipgram_skips_centre", ERROR, "skips context words equal to the centre word",
              _skipgram_loop(loop_line="for word in [w for w in contextWords "
                                       "if w != currentWord]:")),
    _skipgram("skipgram_distinct_context", ERROR, "loops over set(contextWords)",
              _skipgram_loop(loop_line="for word in sorted(set(contextWords)):")),
    _skipgram("skipgram_assigns_gradIn", ERROR, "gradIn[c] = gradPred (not +=)",
              _skipgram_loop(add_in="=")),
    _skipgram("skipgram_assigns_gradOut", ERROR, "gradOut = grad (not +=)",
              _skipgram_loop(add_out="gradOut = grad")),
    _skipgram("skipgram_target_row_only", ERROR, "adds only the target's row of grad",
              _skipgram_loop(add_out="gradOut[tokens[word]] += grad[tokens[word]]")),
    _skipgram("skipgram_mean_cost", ERROR, "returns the mean cost over the context",
              _skipgram_loop(cost="cost / len(contextWords)")),
    _skipgram("skipgram_swapped_vectors", ERROR, "passes inputVectors to the cost function",
              _skipgram_loop(vectors="inputVectors")),
    _skipgram("skipgram_centre_as_target", ERROR, "predicts the centre word each time",
              _skipgram_loop(target="c")),
    _skipgram("skipgram_range_2C", ERROR, "for j in range(2 * C): fails on shorter windows",
              _skipgram_source("""
        c = tokens[currentWord]
        cost = 0.0
        gradIn = np.zeros_like(inputVectors)
        gradOut = np.zeros_like(outputVectors)
        for j in range(2 * C):
            cj, gradPred, grad = word2vecCostAndGradient(
                inputVectors[c], tokens[contextWords[j]], outputVectors, dataset)
            cost += cj
            gradIn[c] += gradPred
            gradOut += grad
        return cost, gradIn, gradOut
        """)),
    _skipgram("skipgram_zeros", ERROR, "returns zeros", _skipgram_source("""
        return 0.0, np.zeros_like(inputVectors), np.zeros_like(outputVectors)
        """)),
    _skipgram("skipgram_vectorised", EQUIVALENT, "collects the results, then sums them",
              _skipgram_source("""
        predicted = inputVectors[tokens[currentWord]]
        results = [word2vecCostAndGradient(predicted, tokens[w], outputVectors, dataset)
                   for w in contextWords]
        gradIn = np.zeros(inputVectors.shape)
        gradIn[tokens[currentWord]] = np.sum([r[1] for r in results], axis=0)
        gradOut = np.sum([r[2] for r in results], axis=0)
        return sum(r[0] for r in results), gradIn, gradOut
        """)),
    _skipgram("skipgram_index_loop", EQUIVALENT, "an index loop over len(contextWords)",
              _skipgram_loop(loop_line="for i in range(len(contextWords)):\n"
                                       "            word = contextWords[i]")),
)


CBOW = (
    _cbow("cbow_mean", ERROR, "predicts from the mean of the context vectors", _cbow_source("""
        context = [tokens[w] for w in contextWords]
        predicted = inputVectors[context].mean(axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        np.add.at(gradIn, context, gradPred / len(context))
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_fancy_add", ERROR, "gradIn[indices] += gradPred (repeats added once)",
          _cbow_source("""
        context = [tokens[w] for w in contextWords]
        predicted = np.sum(inputVectors[context], axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        gradIn[context] += gradPred
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_distinct", ERROR, "uses set(contextWords)", _cbow_source("""
        context = [tokens[w] for w in set(contextWords)]
        predicted = np.sum(inputVectors[context], axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        gradIn[context] += gradPred
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_gradIn_centre", ERROR, "puts gradPred in the centre word's row",
          _cbow_source("""
        context = [tokens[w] for w in contextWords]
        predicted = np.sum(inputVectors[context], axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        gradIn[tokens[currentWord]] += gradPred
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_context_target", ERROR, "predicts the first context word, not the centre",
          _cbow_source("""
        context = [tokens[w] for w in contextWords]
        predicted = np.sum(inputVectors[context], axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, context[0], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        np.add.at(gradIn, context, gradPred)
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_zeros", ERROR, "returns zeros", _cbow_source("""
        return 0.0, np.zeros_like(inputVectors), np.zeros_like(outputVectors)
        """)),
    _cbow("cbow_loop", EQUIVALENT, "loops over the context words", _cbow_source("""
        predicted = np.zeros(inputVectors.shape[1])
        for w in contextWords:
            predicted += inputVectors[tokens[w]]
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros(inputVectors.shape)
        for w in contextWords:
            gradIn[tokens[w]] += gradPred
        return cost, gradIn, gradOut
        """)),
    _cbow("cbow_counts", EQUIVALENT, "counts the context words (np.bincount)", _cbow_source("""
        counts = np.bincount([tokens[w] for w in contextWords],
                             minlength=inputVectors.shape[0])
        predicted = counts @ inputVectors
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        return cost, np.outer(counts, gradPred), gradOut
        """)),
)


SGD = (
    _sgd("sgd_no_update", ERROR, "never updates x", _sgd_body("""
        cost, grad = f(x)
        x = postprocessing(x)
        """)),
    _sgd("sgd_ascent", ERROR, "x += step * grad", _sgd_body("""
        cost, grad = f(x)
        x += step * grad
        x = postprocessing(x)
        """)),
    _sgd("sgd_normalised_step", ERROR, "steps of fixed length along the gradient", _sgd_body("""
        cost, grad = f(x)
        x -= step * grad / np.linalg.norm(grad)
        x = postprocessing(x)
        """)),
    _sgd("sgd_postprocessing_not_assigned", ERROR, "postprocessing(x) without assigning it",
         _sgd_body("""
        cost, grad = f(x)
        x = x - step * grad
        postprocessing(x)
        """)),
    _sgd("sgd_no_postprocessing", ERROR, "never applies postprocessing", _sgd_body("""
        cost, grad = f(x)
        x -= step * grad
        """)),
    _sgd("sgd_postprocessing_first", ERROR, "applies postprocessing before the update",
         _sgd_body("""
        x = postprocessing(x)
        cost, grad = f(x)
        x -= step * grad
        """)),
    _sgd("sgd_postprocessing_at_end", ERROR, "applies postprocessing once, after the loop",
         _sgd_body("""
        cost, grad = f(x)
        x -= step * grad
        """, after="x = postprocessing(x)")),
    _sgd("sgd_gradient_at_x0", ERROR, "evaluates f at x0 in every iteration", _sgd_body("""
        cost, grad = f(x0)
        x -= step * grad
        x = postprocessing(x)
        """)),
    _sgd("sgd_returns_zeros", ERROR, "returns zeros", """
        def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10,
                **kwargs):
            return np.zeros_like(np.asarray(x0, dtype=float))
        """),
    _sgd("sgd_nan", ERROR, "returns NaN", """
        def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10,
                **kwargs):
            return np.full(np.shape(x0), np.nan)
        """),
    _sgd("sgd_reads_the_minimum", ERROR,
         "inspects the objective (its closure) and returns the minimum instead of iterating",
         """
        def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10,
                **kwargs):
            for cell in f.__closure__ or ():
                value = cell.cell_contents
                if isinstance(value, np.ndarray) and value.shape == np.shape(x0):
                    return value.copy()
            return np.array(x0, dtype=float)
        """),
    _sgd("sgd_out_of_place", EQUIVALENT, "x = x - step * grad", _sgd_body("""
        cost, grad = f(x)
        x = x - step * grad
        x = postprocessing(x)
        """)),
    _sgd("sgd_prints", EQUIVALENT, "prints the cost every iteration", _sgd_body("""
        cost, grad = f(x)
        print("iteration", it, "cost", cost)
        x = postprocessing(x - step * grad)
        """)),
    _sgd("sgd_calls_f_twice", EQUIVALENT, "calls f once for the cost, once for the gradient",
         _sgd_body("""
        cost = f(x)[0]
        grad = f(x)[1]
        x -= step * grad
        x = postprocessing(x)
        """)),
    _sgd("sgd_checkpoint_needs_a_save", EQUIVALENT,
         "checkpoint code that breaks when nothing is saved: it runs only with useSaved=True, "
         "which the handout's tests (and the hidden ones) never pass", """
        from cs224n.checkpoints import ANNEAL_EVERY, load_saved_params

        def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False,
                PRINT_EVERY=10, **kwargs):
            start_iter = 0
            x = np.array(x0, dtype=float)
            if useSaved:
                start_iter, oldx, state = load_saved_params()
                x = oldx.copy()
                random.setstate(state[0])
            postprocessing = postprocessing or (lambda v: v)
            for it in range(start_iter + 1, iterations + 1):
                cost, grad = f(x)
                x = postprocessing(x - step * grad)
                if it % ANNEAL_EVERY == 0:
                    step *= 0.5
            return x
        """),
    _sgd("sgd_handout_skeleton", EQUIVALENT,
         "the 2017 handout's skeleton, with its own checkpoint and print code (its x = x0 "
         "updates the caller's x0 in place: the notebook's given code copies it, and its sanity "
         "cell flags this; the hidden tests pass copies)", """
        from cs224n.checkpoints import load_saved_params, save_params

        SAVE_PARAMS_EVERY = 5000
        ANNEAL_EVERY = 20000

        def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False,
                PRINT_EVERY=10):
            if useSaved:
                start_iter, oldx, state = load_saved_params()
                if start_iter > 0:
                    x0 = oldx
                    step *= 0.5 ** (start_iter / ANNEAL_EVERY)
                if state:
                    random.setstate(state[0])
            else:
                start_iter = 0
            x = x0
            if not postprocessing:
                postprocessing = lambda x: x
            expcost = None
            for iter in range(start_iter + 1, iterations + 1):
                cost = None
                cost, grad = f(x)
                x -= step * grad
                x = postprocessing(x)
                if iter % PRINT_EVERY == 0:
                    if not expcost:
                        expcost = cost
                    else:
                        expcost = .95 * expcost + .05 * cost
                    print("iter %d: %f" % (iter, expcost))
                if iter % SAVE_PARAMS_EVERY == 0 and useSaved:
                    save_params(iter, x)
                if iter % ANNEAL_EVERY == 0:
                    step *= 0.5
            return x
        """),
)


MUTANTS = (*NORMALIZE, *SOFTMAX_COST, *NEG_SAMPLING, *SKIPGRAM, *CBOW, *SGD)
