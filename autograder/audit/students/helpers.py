"""Students who factor their code into helper functions and update arrays in place. A bug in
a helper shows wherever the helper is used; the grader must charge it once."""

from autograder.audit.students import given
from autograder.audit.students.model import student

CARL = student(
    "carl_private_helpers",
    "private helpers (_one_hot, _stable_exp, _add_rows) shared between the functions",
    given.join(
        """
        import numpy as np
        import random


        def _stable_exp(z):
            return np.exp(z - np.max(z, axis=-1, keepdims=True))


        def _one_hot(index, size):
            y = np.zeros(size)
            y[index] = 1.0
            return y


        def _add_rows(matrix, rows, values):
            matrix[rows] += values
            return matrix


        def softmax(x):
            e = _stable_exp(x)
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            z = np.exp(-np.abs(x))
            return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def _centred_difference(f, x, ix, h, restore):
            old = x[ix]
            x[ix] = old + h
            restore()
            up = f(x)[0]
            x[ix] = old - h
            restore()
            down = f(x)[0]
            x[ix] = old
            return (up - down) / (2 * h)


        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            npstate = np.random.get_state()

            def restore():
                random.setstate(rndstate)
                np.random.set_state(npstate)

            restore()
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                numgrad = _centred_difference(f, x, ix, h, restore)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        """
        def _affine(inputs, W, b):
            return inputs @ W + b
        """,
        given.forward_backward_prop("""
            h = sigmoid(_affine(X, W1, b1))
            y_hat = softmax(_affine(h, W2, b2))
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def _row_norms(x):
            return np.sqrt(np.sum(x * x, axis=1))


        def normalizeRows(x):
            return x / _row_norms(x).reshape(-1, 1)


        def _softmax1d(scores):
            e = np.exp(scores)
            return e / e.sum()


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = _softmax1d(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat - _one_hot(target, len(y_hat))
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            signs = np.array([1.0] + [-1.0] * K)
            u = outputVectors[indices]
            s = sigmoid(signs * (u @ predicted))
            cost = -np.sum(np.log(s))
            g = signs * (s - 1.0)
            grad = _add_rows(np.zeros_like(outputVectors), indices, np.outer(g, predicted))
            return cost, g @ u, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for word in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[word], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = _add_rows(np.zeros_like(inputVectors), ids, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def _lookup(tokens, sentence):
            return sorted({tokens[w] for w in sentence})


        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[_lookup(tokens, sentence)].mean(axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 13))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "cbow": ("cbow_repeated_context",),
        "getSentenceFeatures": ("sentence_features_mean",),
    },
)

DINA = student(
    "dina_in_place",
    "in-place updates wherever possible (-=, /=, out=), an aliasing slip",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = x.astype(float)  # a float copy, then everything in place
            x -= np.max(x, axis=-1, keepdims=True)
            np.exp(x, out=x)
            x /= np.sum(x, axis=-1, keepdims=True)
            return x
        """,
        """
        def sigmoid(x):
            z = np.array(x, dtype=float)
            np.negative(np.abs(z), out=z)
            np.exp(z, out=z)  # exp(-|x|), never overflows
            pos = np.asarray(x) >= 0
            return np.where(pos, 1 / (1 + z), z / (1 + z))


        def sigmoid_grad(s):
            ds = np.array(s, dtype=float)
            ds *= 1 - ds
            return ds
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            grad = np.asarray(grad)
            h = 1e-4
            for i in range(x.size):
                old = x.flat[i]
                x.flat[i] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x.flat[i] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x.flat[i] = old
                numgrad = (fxph - fxmh) / (2 * h)
                analytic = grad.flat[i]
                reldiff = abs(numgrad - analytic) / max(1, abs(numgrad), abs(analytic))
                if reldiff > 1e-5:
                    ix = np.unravel_index(i, x.shape)
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (analytic, numgrad))
                    return False
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = X @ W1
            h += b1
            h = sigmoid(h)
            y_hat = h @ W2
            y_hat += b2
            y_hat = softmax(y_hat)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat  # no copy needed: y_hat is not used below
            delta2 -= labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T
            delta1 *= sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            x = x.astype(float)
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            return x


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            y_hat[target] -= 1  # y_hat is now y_hat - y
            gradPred = outputVectors.T @ y_hat
            grad = np.outer(y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros_like(outputVectors)
            gradPred = np.zeros_like(predicted)
            cost = 0.0
            for n, w in enumerate(indices):
                sign = 1.0 if n == 0 else -1.0
                s = sigmoid(sign * outputVectors[w].dot(predicted))
                cost -= np.log(s)
                gradPred += sign * (s - 1) * outputVectors[w]
                grad[w] += sign * (s - 1) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            idx = [tokens[w] for w in contextWords]
            predicted = inputVectors[idx].sum(axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros_like(inputVectors)
            gradIn[idx] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = wordVectors[tokens[sentence[0]]]
            for w in sentence[1:]:
                sentVector += wordVectors[tokens[w]]
            sentVector /= len(sentence)
            return sentVector


        def getRegularizationValues():
            values = np.logspace(-4, 2, 13)
            values.sort()
            return list(values)


        def chooseBestModel(results):
            results_by_dev = list(results)
            results_by_dev.sort(key=lambda r: r["dev"], reverse=True)
            return results_by_dev[0]
        """,
    ),
    {
        "cbow": ("cbow_repeated_context",),
        "getSentenceFeatures": ("sentence_features_mean",),
    },
)

ELLA = student(
    "ella_softmax_no_keepdims",
    "helpers everywhere; a softmax without keepdims, which her network never notices",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            shifted = x - np.max(x, axis=-1, keepdims=True)
            e = np.exp(shifted)
            return e / np.sum(e, axis=-1)
        """,
        """
        def _sig(z):
            z = np.asarray(z, dtype=float)
            e = np.exp(-np.abs(z))
            return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


        def sigmoid(x):
            return _sig(x)


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def _restore(states):
            random.setstate(states[0])
            np.random.set_state(states[1])


        def gradcheck_naive(f, x):
            states = (random.getstate(), np.random.get_state())
            _restore(states)
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                _restore(states)
                fxph = f(x)[0]
                x[ix] = old - h
                _restore(states)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1)[:, None]


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            u_o = outputVectors[target]
            u_neg = outputVectors[indices[1:]]
            s_o = _sig(u_o @ predicted)
            s_neg = _sig(u_neg @ predicted)  # sigma(u_k . v)
            cost = -np.log(s_o) - np.sum(np.log(1 - s_neg))
            gradPred = (s_o - 1) * u_o + s_neg @ u_neg
            grad = np.zeros_like(outputVectors)
            grad[target] += (s_o - 1) * predicted
            np.add.at(grad, indices[1:], s_neg[:, None] * predicted[None, :])
            return cost, gradPred, grad
            """),
        """
        def _window_sum(inputVectors, ids):
            return inputVectors[ids].sum(axis=0)


        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[tokens[w]] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(_window_sum(inputVectors, ids),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return [float(r) for r in np.logspace(-4, 2, 13)]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "softmax": ("softmax_matrix_rows", "softmax_stability"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
    },
)

FINN = student(
    "finn_forward_backward_helpers",
    "forward() and backward() helpers; averages the bias gradients and the CBOW context",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            z = x - x.max(axis=-1, keepdims=True)
            return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)

                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()

            print("Gradient check passed!")
            return True
        """,
        """
        def forward(X, W1, b1, W2, b2):
            h = sigmoid(X @ W1 + b1)
            return h, softmax(h @ W2 + b2)


        def backward(X, labels, h, y_hat, W2):
            delta2 = y_hat - labels
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            grads = {
                "W2": h.T @ delta2,
                "b2": delta2.mean(axis=0, keepdims=True),
                "W1": X.T @ delta1,
                "b1": delta1.mean(axis=0, keepdims=True),
            }
            return grads
        """,
        given.forward_backward_prop("""
            h, y_hat = forward(X, W1, b1, W2, b2)
            cost = -np.sum(labels * np.log(y_hat))
            g = backward(X, labels, h, y_hat, W2)
            gradW1, gradb1, gradW2, gradb2 = g["W1"], g["b1"], g["W2"], g["b2"]
            """),
        """
        def normalizeRows(x):
            return x / np.sqrt(np.square(x).sum(axis=1, keepdims=True))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            d = y_hat.copy()
            d[target] -= 1
            return cost, outputVectors.T @ d, np.outer(d, predicted)
        """,
        given.neg_sampling("""
            def term(w, sign):
                s = sigmoid(sign * outputVectors[w] @ predicted)
                return -np.log(s), sign * (s - 1)

            grad = np.zeros_like(outputVectors)
            gradPred = np.zeros_like(predicted)
            cost = 0.0
            for n, w in enumerate(indices):
                c, g = term(w, 1.0 if n == 0 else -1.0)
                cost += c
                gradPred += g * outputVectors[w]
                grad[w] += g * predicted
            return cost, gradPred, grad
            """),
        """
        def _context_vector(inputVectors, ids):
            return inputVectors[ids].mean(axis=0)


        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(_context_vector(inputVectors, ids),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            for i in ids:
                gradIn[i] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean(np.stack([wordVectors[tokens[w]] for w in sentence]), axis=0)


        def getRegularizationValues():
            return list(np.geomspace(1e-4, 1e2, 9))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
    },
)

GINA = student(
    "gina_small_functions",
    "small composable helpers, type conversions at the boundaries, everything right",
    given.join(
        """
        import numpy as np
        import random


        def _as_float(x):
            return np.asarray(x, dtype=np.float64)


        def softmax(x):
            x = _as_float(x)
            z = x - x.max(axis=-1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = _as_float(x)
            out = np.empty_like(x)
            mask = x >= 0
            out[mask] = 1.0 / (1.0 + np.exp(-x[mask]))
            e = np.exp(x[~mask])
            out[~mask] = e / (1.0 + e)
            return out


        def sigmoid_grad(s):
            return s * (1.0 - s)
        """,
        """
        def _snapshot():
            return random.getstate(), np.random.get_state()


        def _rewind(snapshot):
            random.setstate(snapshot[0])
            np.random.set_state(snapshot[1])


        def gradcheck_naive(f, x):
            snap = _snapshot()
            _rewind(snap)
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                costs = []
                for step in (h, -h):
                    x[ix] = old + step
                    _rewind(snap)
                    costs.append(f(x)[0])
                x[ix] = old
                numgrad = (costs[0] - costs[1]) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        """
        def _cross_entropy(labels, probs):
            return -float(np.sum(labels * np.log(probs)))


        def _column_sums(delta):
            return delta.sum(axis=0, keepdims=True)
        """,
        given.forward_backward_prop("""
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = _cross_entropy(labels, y_hat)

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = _column_sums(delta2)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = _column_sums(delta1)
            """),
        """
        def normalizeRows(x):
            x = _as_float(x)
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1.0
            gradPred = outputVectors.T @ delta
            grad = np.outer(delta, predicted)
            return float(cost), gradPred, grad
        """,
        given.neg_sampling("""
            samples = np.asarray(indices[1:], dtype=int)
            s_o = sigmoid(outputVectors[target] @ predicted)
            s_k = sigmoid(-(outputVectors[samples] @ predicted))
            cost = float(-np.log(s_o) - np.log(s_k).sum())
            gradPred = (s_o - 1.0) * outputVectors[target] + (1.0 - s_k) @ outputVectors[samples]
            grad = np.zeros_like(outputVectors)
            grad[target] += (s_o - 1.0) * predicted
            np.add.at(grad, samples, np.outer(1.0 - s_k, predicted))
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            centre = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for word in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[centre], tokens[word],
                                                    outputVectors, dataset)
                cost += j
                gradIn[centre] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = np.array([tokens[w] for w in contextWords], dtype=int)
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - step * np.asarray(grad)
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = np.array([tokens[w] for w in sentence], dtype=int)
            return _as_float(wordVectors)[ids].mean(axis=0)


        def getRegularizationValues():
            return [float(v) for v in np.logspace(-5, 2, 15)]


        def chooseBestModel(results):
            best_index = max(range(len(results)), key=lambda i: (results[i]["dev"], -i))
            return results[best_index]
        """,
    ),
)

HUGO = student(
    "hugo_call_wrapper",
    "wraps every call of f in a helper that puts the random state back afterwards",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                x = x - np.max(x)
                return np.exp(x) / np.sum(np.exp(x))
            x = x - np.max(x, axis=1, keepdims=True)
            return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def _eval(f, x):
            # evaluate f without letting it move the random state
            state = random.getstate()
            out = f(x)
            random.setstate(state)
            return out


        def gradcheck_naive(f, x):
            fx, grad = _eval(f, x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                fxph = _eval(f, x)[0]
                x[ix] = old - h
                fxmh = _eval(f, x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(X.dot(W1) + b1)
            y_hat = softmax(h.dot(W2) + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T.dot(delta2)
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2.dot(W2.T) * sigmoid_grad(h)
            gradW1 = X.T.dot(delta1)
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def _unit(v):
            return v / np.linalg.norm(v)


        def normalizeRows(x):
            return np.apply_along_axis(_unit, 1, x)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors.dot(predicted))
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = outputVectors.T.dot(y_hat)
            grad = np.outer(delta, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            def _sigmoid_neg(z):
                return 1 - sigmoid(z)  # sigma(-z)

            grad = np.zeros_like(outputVectors)
            s_o = sigmoid(outputVectors[target].dot(predicted))
            cost = -np.log(s_o)
            gradPred = (s_o - 1) * outputVectors[target]
            grad[target] += (s_o - 1) * predicted
            for k in indices[1:]:
                s_k = _sigmoid_neg(outputVectors[k].dot(predicted))
                cost -= np.log(s_k)
                gradPred += (1 - s_k) * outputVectors[k]
                grad[k] += (1 - s_k) * predicted
            return cost, gradPred, grad
            """),
        """
        def _accumulate(fn, centre_vector, targets, outputVectors, dataset):
            total, gp_sum, go_sum = 0.0, 0.0, 0.0
            for t in targets:
                c, gp, go = fn(centre_vector, t, outputVectors, dataset)
                total, gp_sum, go_sum = total + c, gp_sum + gp, go_sum + go
            return total, gp_sum, go_sum


        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost, gp, gradOut = _accumulate(word2vecCostAndGradient, inputVectors[c],
                                            [tokens[w] for w in contextWords], outputVectors,
                                            dataset)
            gradIn = np.zeros_like(inputVectors)
            gradIn[c] = gp
            return cost, gradIn, gradOut + np.zeros_like(outputVectors)


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(sum(inputVectors[i] for i in ids),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            for i in ids:
                gradIn[i] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean([wordVectors[tokens[w]] for w in sentence], axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 1, 4))


        def _best(results, key):
            best = results[0]
            for r in results[1:]:
                if r[key] > best[key]:
                    best = r
            return best


        def chooseBestModel(results):
            return _best(results, "dev")
        """,
    ),
    {
        "softmaxCostAndGradient": ("softmax_cost_gradPred",),
        "getRegularizationValues": ("regularization_values",),
    },
)

IRIS = student(
    "iris_positive_form_sigmoid",
    "helpers; the e^x / (1 + e^x) form of the sigmoid for every x",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            ex = np.exp(x)
            return ex / (1 + ex)


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def _restore_both(rnd, nps):
            random.setstate(rnd)
            np.random.set_state(nps)


        def gradcheck_naive(f, x):
            rnd, nps = random.getstate(), np.random.get_state()
            _restore_both(rnd, nps)
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                _restore_both(rnd, nps)
                fxph = f(x)[0]
                x[ix] = old - h
                _restore_both(rnd, nps)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1)[:, None]


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            u = outputVectors[indices]
            sign = np.ones(K + 1)
            sign[1:] = -1
            s = sigmoid(sign * (u @ predicted))
            cost = -np.sum(np.log(s))
            g = sign * (s - 1)
            gradPred = u.T @ g
            grad = np.zeros_like(outputVectors)
            for gi, w in zip(g, indices):
                grad[w] += gi * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return list(np.logspace(-3, 2, 11))


        def chooseBestModel(results):
            return max(r["dev"] for r in results)
        """,
    ),
    {
        "sigmoid": ("sigmoid_values",),
        "chooseBestModel": ("choose_best_model",),
    },
)

TOM = student(
    "tom_library_calls",
    "reaches for library functions (scipy, sklearn) and answers found online",
    given.join(
        """
        import numpy as np
        import random
        from scipy.special import expit
        from sklearn.preprocessing import normalize


        def softmax(x):
            return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return expit(x)


        def sigmoid_grad(s):
            # the derivative of the sigmoid at s
            return expit(s) * (1 - expit(s))
        """,
        """
        def gradcheck_naive(f, x):
            state = np.random.get_state()
            np.random.set_state(state)
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                np.random.set_state(state)
                fxph = f(x)[0]
                x[ix] = old - h
                np.random.set_state(state)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
                it.iternext()
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            z1 = X @ W1 + b1
            h = sigmoid(z1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(z1)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return normalize(x, norm="l2", axis=1)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat - np.eye(len(y_hat))[target]
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            neg = indices[1:]
            s_o = expit(outputVectors[target] @ predicted)
            s_k = expit(-(outputVectors[neg] @ predicted))
            cost = -np.log(s_o) - np.log(s_k).sum()
            gradPred = (s_o - 1) * outputVectors[target] + (1 - s_k) @ outputVectors[neg]
            grad = np.zeros_like(outputVectors)
            grad[target] += (s_o - 1) * predicted
            grad[neg] += np.outer(1 - s_k, predicted)
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            gradIn[ids] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = list(set(tokens[w] for w in sentence))
            return np.mean(wordVectors[ids], axis=0)


        def getRegularizationValues():
            return np.logspace(-4, 2).tolist()


        def chooseBestModel(results):
            best = max(results, key=lambda r: r["dev"])
            return best["clf"]
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "sigmoid_grad": ("sigmoid_grad_values",),
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "cbow": ("cbow_repeated_context",),
        "sgd": ("sgd_postprocessing",),
        "getSentenceFeatures": ("sentence_features_mean",),
        "chooseBestModel": ("choose_best_model",),
    },
)

STUDENTS = (CARL, DINA, ELLA, FINN, GINA, HUGO, IRIS, TOM)
