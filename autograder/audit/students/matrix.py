"""Students who think in matrices and columns: np.matrix, (D, 1) vectors, explicit reshapes,
hstack/vstack. Their results come back in equivalent forms: (1, D), (D, 1), size-1 arrays."""

from autograder.audit.students import given
from autograder.audit.students.model import student

WEN = student(
    "wen_np_matrix",
    "np.matrix throughout (`*` is the matrix product), converts back to arrays at the end",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            m = np.matrix(x, dtype=float)
            m = m - np.max(m, axis=1)
            e = np.exp(m)
            return e / np.sum(e, axis=1)
        """,
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-x))


        def sigmoid_grad(s):
            return np.multiply(s, 1.0 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            npstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fx, grad = f(x)
            grad = np.asarray(grad)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                xi = x[ix]
                x[ix] = xi + h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxph = f(x)[0]
                x[ix] = xi - h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxmh = f(x)[0]
                x[ix] = xi
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
            Xm = np.matrix(X)
            Y = np.matrix(labels)
            h = sigmoid(Xm * W1 + b1)  # (N, H) matrix
            y_hat = softmax(h * W2 + b2)  # (N, Dy) matrix
            cost = -np.sum(np.multiply(Y, np.log(y_hat)))

            delta2 = y_hat - Y
            gradW2 = h.T * delta2
            gradb2 = np.sum(delta2, axis=0)
            delta1 = np.multiply(delta2 * W2.T, sigmoid_grad(h))
            gradW1 = Xm.T * delta1
            gradb1 = np.sum(delta1, axis=0)
            # flatten() of a matrix stays 2-D: back to arrays for the stacking below
            gradW1, gradb1, gradW2, gradb2 = [np.asarray(g) for g in
                                              (gradW1, gradb1, gradW2, gradb2)]
            """),
        """
        def normalizeRows(x):
            m = np.matrix(x)
            return np.asarray(m / np.sqrt(np.multiply(m, m).sum(axis=1)))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            U = np.matrix(outputVectors)  # (V, D)
            v = np.matrix(predicted).T  # (D, 1)
            y_hat = np.asarray(softmax((U * v).T)).ravel()  # softmax of a 1 x V row
            cost = -np.log(y_hat[target])
            delta = np.matrix(y_hat).T  # (V, 1)
            delta[target] -= 1
            gradPred = np.asarray(U.T * delta).ravel()
            grad = np.asarray(delta * v.T)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            U = np.matrix(outputVectors[indices])  # (K + 1, D): target, then the samples
            v = np.matrix(predicted).T  # (D, 1)
            signs = np.matrix([1.0] + [-1.0] * K).T  # (K + 1, 1)
            s = sigmoid(np.multiply(signs, U * v))
            cost = -np.sum(np.log(s))
            coef = np.multiply(signs, s - 1)  # d cost / d (u . v)
            gradPred = np.asarray(U.T * coef).ravel()
            rows = np.asarray(coef * v.T)  # (K + 1, D)
            grad = np.zeros(outputVectors.shape)
            for i, w in enumerate(indices):
                grad[w] += rows[i]
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cw
                gradIn[c] += np.asarray(gp).ravel()
                gradOut += np.asarray(go)
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            predicted = np.asarray(np.matrix(inputVectors[ids]).sum(axis=0)).ravel()
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in ids:
                gradIn[i] += np.asarray(gp).ravel()
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            rows = np.matrix(wordVectors[[tokens[w] for w in sentence]])
            return rows.mean(axis=0)  # a 1 x D matrix


        def getRegularizationValues():
            return np.logspace(-4, 2, 13).tolist()


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {"getSentenceFeatures": ("sentence_features_shape",)},
)

XAVI = student(
    "xavi_column_vectors",
    "column vectors (D, 1) as in the lecture notes; restores the random state after each call",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.asarray(x, dtype=float)
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(x))


        def sigmoid_grad(s):
            return s * (1.0 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            fx, grad = f(x)
            random.setstate(rndstate)  # undo whatever f drew
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                before = x[ix]
                x[ix] = before + h
                fxph = f(x)[0]
                random.setstate(rndstate)
                x[ix] = before - h
                fxmh = f(x)[0]
                random.setstate(rndstate)
                x[ix] = before
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
            Z1 = X @ W1 + b1
            A1 = sigmoid(Z1)
            Z2 = A1 @ W2 + b2
            Y_hat = softmax(Z2)
            cost = -np.sum(labels * np.log(Y_hat))

            D2 = Y_hat - labels
            gradW2 = A1.T @ D2
            gradb2 = np.ones((1, X.shape[0])) @ D2
            D1 = (D2 @ W2.T) * sigmoid_grad(A1)
            gradW1 = X.T @ D1
            gradb1 = np.ones((1, X.shape[0])) @ D1
            """),
        """
        def normalizeRows(x):
            norms = np.sqrt((x ** 2).sum(axis=1)).reshape(-1, 1)  # (N, 1) column
            return x / norms


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            v = predicted.reshape(-1, 1)  # column (D, 1)
            scores = outputVectors @ v  # (V, 1)
            y_hat = softmax(scores.T).T  # softmax works on rows
            cost = -np.log(y_hat[target])  # shape (1,)
            y = np.zeros_like(y_hat)
            y[target] = 1
            gradPred = outputVectors.T @ (y_hat - y)  # (D, 1)
            grad = (y_hat - y) @ v.T  # (V, D)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            v = predicted.reshape(-1, 1)
            u_o = outputVectors[target].reshape(-1, 1)
            s_o = sigmoid(u_o.T @ v)  # (1, 1)
            cost = -np.log(s_o)
            gradPred = (s_o - 1) * u_o
            grad = np.zeros(outputVectors.shape)
            grad[target] += ((s_o - 1) * v).ravel()
            for k in indices[1:]:
                u_k = outputVectors[k].reshape(-1, 1)
                s_k = sigmoid(-(u_k.T @ v))
                cost = cost - np.log(s_k)
                gradPred = gradPred + (1 - s_k) * u_k
                grad[k] += ((1 - s_k) * v).ravel()
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cj, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost = cost + cj
                gradIn[c] += np.ravel(gp)
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            v_hat = inputVectors[ids].sum(axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(v_hat, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in ids:
                gradIn[i] += np.ravel(gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = [tokens[w] for w in sentence]
            return wordVectors[ids].mean(axis=0).reshape(-1, 1)  # column vector


        def getRegularizationValues():
            return list(np.logspace(-5, 0, 11))


        def chooseBestModel(results):
            best = results[0]
            for r in results[1:]:
                # only switch when the model is better on dev AND on test
                if r["dev"] > best["dev"] and r["test"] > best["test"]:
                    best = r
            return best
        """,
    ),
    {
        "sigmoid": ("sigmoid_values",),
        "getSentenceFeatures": ("sentence_features_shape",),
        "chooseBestModel": ("choose_best_model",),
    },
)

YARA = student(
    "yara_explicit_reshapes",
    "reshapes everything explicitly; forgets b2 in the forward pass and a sign in the cost",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            shape = x.shape
            x2 = x.reshape(-1, shape[-1])  # (N, D), N = 1 for a vector
            x2 = x2 - x2.max(axis=1).reshape(-1, 1)
            e = np.exp(x2)
            out = e / e.sum(axis=1).reshape(-1, 1)
            return out.reshape(shape)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            flat = x.reshape(-1)
            out = np.empty_like(flat)
            pos = flat >= 0
            out[pos] = 1.0 / (1.0 + np.exp(-flat[pos]))
            ex = np.exp(flat[~pos])
            out[~pos] = ex / (1.0 + ex)
            return out.reshape(x.shape)


        def sigmoid_grad(s):
            return (s * (1 - s)).reshape(np.shape(s))
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            npstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fx, grad = f(x)
            grad = np.asarray(grad).reshape(x.shape)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                np.random.set_state(npstate)
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
            N = X.shape[0]
            h = sigmoid(X.reshape(N, Dx) @ W1.reshape(Dx, H) + b1.reshape(1, H))
            y_hat = softmax(h @ W2.reshape(H, Dy))
            cost = -np.sum(labels.reshape(N, Dy) * np.log(y_hat))

            delta2 = (y_hat - labels).reshape(N, Dy)
            gradW2 = (h.T @ delta2).reshape(H, Dy)
            gradb2 = delta2.sum(axis=0).reshape(1, Dy)
            delta1 = ((delta2 @ W2.T) * sigmoid_grad(h)).reshape(N, H)
            gradW1 = (X.T @ delta1).reshape(Dx, H)
            gradb1 = delta1.sum(axis=0).reshape(1, H)
            """),
        """
        def normalizeRows(x):
            N, D = x.shape
            return x / np.sqrt((x * x).sum(axis=1)).reshape(N, 1)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            V, D = outputVectors.shape
            v = predicted.reshape(D, 1)
            y_hat = softmax((outputVectors @ v).reshape(1, V)).reshape(V)
            cost = float(-np.log(y_hat[target]))
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = (outputVectors.T @ delta.reshape(V, 1)).reshape(D)
            grad = delta.reshape(V, 1) @ v.reshape(1, D)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            D = predicted.shape[0]
            neg = np.array(indices[1:]).reshape(K)
            u_o = outputVectors[target].reshape(D)
            U_k = outputVectors[neg].reshape(K, D)
            s_o = sigmoid(u_o @ predicted)
            s_k = sigmoid(U_k @ predicted).reshape(K)  # sigma(u_k . v_c)
            cost = -np.log(s_o) - np.sum(np.log(s_k))
            gradPred = (s_o - 1) * u_o + ((1 - s_k).reshape(1, K) @ U_k).reshape(D)
            grad = np.zeros(outputVectors.shape)
            grad[target] += (s_o - 1) * predicted
            for j in range(K):
                grad[neg[j]] += (1 - s_k[j]) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            V, D = inputVectors.shape
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros((V, D))
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(inputVectors[c].reshape(D), tokens[w],
                                                     outputVectors, dataset)
                cost += cw
                gradIn[c] += np.reshape(gp, D)
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            V, D = inputVectors.shape
            ids = [tokens[w] for w in contextWords]
            predicted = inputVectors[ids].reshape(len(ids), D).sum(axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros((V, D))
            np.add.at(gradIn, ids, np.reshape(gp, (1, D)))
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = (x - step * grad).reshape(x.shape)
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = [tokens[w] for w in sentence]
            return wordVectors[ids].mean(axis=0, keepdims=True)  # (1, D)


        def getRegularizationValues():
            return np.logspace(-4, 2, 13).reshape(-1).tolist()


        def chooseBestModel(results):
            devs = np.array([r["dev"] for r in results]).reshape(-1)
            return results[int(devs.argmax())]
        """,
    ),
    {
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient",
                                  "forward_backward_gradcheck", "forward_backward_shapes"),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "getSentenceFeatures": ("sentence_features_shape",),
    },
)

ZANE = student(
    "zane_axes_mixed_up",
    "reshapes and axes, mixes up which axis is which and which word predicts which",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.atleast_2d(x)  # a vector becomes one row
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
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                keep = x[ix].copy()
                x[ix] = keep + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = keep - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = keep
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
            h = sigmoid(np.matmul(X, W1) + b1)
            y_hat = softmax(np.matmul(h, W2) + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = np.matmul(h.T, delta2)
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = np.matmul(delta2, W2.T) * sigmoid_grad(h)
            gradW1 = np.matmul(X.T, delta1)
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.sqrt(np.sum(x ** 2, axis=0, keepdims=True))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.matmul(outputVectors, predicted)).reshape(-1)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = np.matmul(delta, outputVectors)
            grad = np.matmul(delta.reshape(-1, 1), predicted.reshape(1, -1))
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(np.dot(outputVectors[target], predicted))
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                t = sigmoid(-np.dot(outputVectors[k], predicted))
                cost -= np.log(t)
                gradPred += (1 - t) * outputVectors[k]
                grad[k] += (1 - t) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            target = tokens[currentWord]
            for w in contextWords:
                j = tokens[w]
                cw, gp, go = word2vecCostAndGradient(inputVectors[j], target, outputVectors,
                                                     dataset)
                cost += cw
                gradIn[j] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            predicted = np.sum(inputVectors[ids], axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
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
            ids = [tokens[w] for w in sentence]
            return np.mean(wordVectors[ids], axis=1)


        def getRegularizationValues():
            return [5e-5, 5e-4, 5e-3, 5e-2, 5e-1, 5.0]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "normalizeRows": ("normalize_rows",),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
    },
)

AMIR = student(
    "amir_stacks_and_uniques",
    "np.hstack/np.vstack/np.unique; dedupes samples and context words",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                return softmax(x.reshape(1, -1)).reshape(-1)
            rows = [np.exp(r - r.max()) / np.exp(r - r.max()).sum() for r in x]
            return np.vstack(rows)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            return np.hstack([1 / (1 + np.exp(-v)) if v >= 0 else np.exp(v) / (1 + np.exp(v))
                              for v in x.ravel()]).reshape(x.shape)


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            npstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                x[ix] += h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxph = f(x)[0]
                x[ix] -= 2 * h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxmh = f(x)[0]
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
            N = X.shape[0]
            ones = np.ones((1, N))
            h = sigmoid(X @ W1 + ones.T @ b1)
            y_hat = softmax(h @ W2 + ones.T @ b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = ones @ delta2
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = ones @ delta1
            """),
        """
        def normalizeRows(x):
            return np.vstack([row / np.linalg.norm(row) for row in x])


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat - np.hstack([np.zeros(target), [1.0],
                                       np.zeros(len(y_hat) - target - 1)])
            gradPred = outputVectors.T @ delta
            grad = np.vstack([d * predicted for d in delta])
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            neg = np.unique(indices[1:])  # the distinct negative words
            u = np.vstack([outputVectors[target], outputVectors[neg]])
            sign = np.hstack([[1.0], -np.ones(len(neg))])
            s = sigmoid(sign * (u @ predicted))
            cost = -np.sum(np.log(s))
            g = sign * (s - 1)
            gradPred = u.T @ g
            grad = np.zeros(outputVectors.shape)
            grad[np.hstack([[target], neg]).astype(int)] += np.outer(g, predicted)
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            pieces = [word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors, dataset)
                      for w in contextWords]
            cost = np.sum([p[0] for p in pieces])
            gradIn = np.zeros(inputVectors.shape)
            gradIn[c] = np.vstack([p[1] for p in pieces]).sum(axis=0)
            gradOut = np.sum(np.stack([p[2] for p in pieces]), axis=0)
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = np.unique([tokens[w] for w in contextWords])
            predicted = inputVectors[ids].sum(axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            gradIn[ids] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            stacked = np.vstack([wordVectors[tokens[w]] for w in sentence])
            return stacked.sum(axis=0) / stacked.shape[0]


        def getRegularizationValues():
            return list(np.hstack([np.logspace(-4, -1, 4), np.logspace(0, 2, 3)]))


        def chooseBestModel(results):
            devs = np.hstack([r["dev"] for r in results])
            return results[np.argmax(devs)]
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_restores_x",),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "cbow": ("cbow_repeated_context",),
    },
)

BEA = student(
    "bea_matrix_mistakes",
    "np.matrix with a global max, fancy-indexed updates, returns the chosen reg value",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            m = np.matrix(x, dtype=float)
            e = np.exp(m - m.max())  # subtract the max for stability
            return np.asarray(e / e.sum(axis=1)).reshape(np.shape(x))
        """,
        """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return np.multiply(s, 1 - s)
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
                xi = x[ix]
                x[ix] = xi + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = xi - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = xi
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
            Xm, W1m, W2m = np.matrix(X), np.matrix(W1), np.matrix(W2)
            h = sigmoid(Xm * W1m + b1)
            y_hat = softmax(h * W2m + b2)
            cost = -np.sum(np.multiply(labels, np.log(y_hat)))

            delta2 = np.matrix(y_hat - labels)
            gradW2 = np.array(h.T * delta2)
            gradb2 = np.array(delta2.sum(axis=0))
            delta1 = np.multiply(delta2 * W2m.T, sigmoid_grad(h))
            gradW1 = np.array(Xm.T * delta1)
            gradb1 = np.array(delta1.sum(axis=0))
            """),
        """
        def normalizeRows(x):
            m = np.matrix(x)
            norms = np.sqrt(np.sum(np.power(m, 2), axis=1))
            return np.array(m / norms)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            U = np.matrix(outputVectors)
            v = np.matrix(predicted).reshape(-1, 1)
            probs = np.asarray(softmax(np.asarray(U * v).ravel())).ravel()
            cost = -np.log(probs[target])
            probs[target] -= 1
            d = np.matrix(probs).reshape(-1, 1)
            gradPred = np.asarray(U.T * d).ravel()
            grad = np.asarray(d * v.T)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            U = np.matrix(outputVectors)
            v = np.matrix(predicted).reshape(-1, 1)
            neg = indices[1:]
            s_o = sigmoid((U[target] * v).item())
            s_k = sigmoid(-np.asarray(U[neg] * v).ravel())
            cost = -np.log(s_o) - np.sum(np.log(s_k))
            gradPred = (s_o - 1) * outputVectors[target] + (1 - s_k) @ outputVectors[neg]
            grad = np.zeros(outputVectors.shape)
            grad[target] += (s_o - 1) * predicted
            grad[neg] += np.outer(1 - s_k, predicted)
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cw
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros(inputVectors.shape)
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
            m = np.matrix([wordVectors[tokens[w]] for w in sentence])
            return np.asarray(m.mean(axis=0)).ravel()


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 4))


        def chooseBestModel(results):
            best = max(results, key=lambda r: r["dev"])
            return best["reg"]
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "getRegularizationValues": ("regularization_values",),
        "chooseBestModel": ("choose_best_model",),
    },
)

UMI = student(
    "umi_two_dimensional_only",
    "treats everything as a 2-D matrix; keepdims on every sum, wanted or not",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            e = np.exp(x - np.max(x, axis=1, keepdims=True))
            return e / np.sum(e, axis=1, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            e = np.exp(-np.abs(x))
            return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


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
                x[ix] += h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] -= 2 * h
                random.setstate(rndstate)
                fxmh = f(x)[0]
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
            cost = -np.sum(labels * np.log(y_hat), keepdims=True)  # (1, 1)

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=1, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.sqrt(np.sum(x * x, axis=1))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            v = predicted.reshape(1, -1)  # (1, D)
            y_hat = softmax(v @ outputVectors.T)  # (1, V)
            cost = -np.log(y_hat[0, target])
            delta = y_hat.copy()
            delta[0, target] -= 1
            gradPred = delta @ outputVectors  # (1, D)
            grad = delta.T @ v  # (V, D)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            v = predicted.reshape(1, -1)
            U = outputVectors[indices]  # (K + 1, D)
            signs = np.array([[1.0] + [-1.0] * K])  # (1, K + 1)
            s = sigmoid(signs * (v @ U.T))  # (1, K + 1)
            cost = -np.sum(np.log(s))
            g = signs * (s - 1)  # (1, K + 1)
            gradPred = g @ U  # (1, D)
            grad = np.zeros_like(outputVectors)
            np.add.at(grad, indices, g.T @ v)
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
                gradIn[c:c + 1] += np.reshape(gp, (1, -1))
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            gradIn[ids] += np.reshape(gp, (1, -1))
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean(wordVectors[[tokens[w] for w in sentence]], axis=0, keepdims=True)


        def getRegularizationValues():
            return list(np.arange(0.0001, 100, 10))


        def chooseBestModel(results):
            return int(np.argmax(np.array([[r["dev"] for r in results]]), axis=1)[0])
        """,
    ),
    {
        "softmax": ("softmax_vector", "softmax_stability"),
        "gradcheck_naive": ("gradcheck_restores_x",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck",
                                  "forward_backward_shapes"),
        "normalizeRows": ("normalize_rows",),
        "cbow": ("cbow_repeated_context",),
        "getSentenceFeatures": ("sentence_features_shape",),
        "getRegularizationValues": ("regularization_values",),
        "chooseBestModel": ("choose_best_model",),
    },
)

YUSUF = student(
    "yusuf_transposes",
    "transposes to make shapes line up, sometimes the wrong ones",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            # log-probabilities: the log-softmax is the stable form, exp() it when needed
            if x.ndim == 1:
                z = x - x.max()
                return z - np.log(np.exp(z).sum())
            t = x.T - x.max(axis=1)
            return (t - np.log(np.exp(t).sum(axis=0))).T
        """,
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-x))


        def sigmoid_grad(s):
            return s * (1.0 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            npstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                np.random.set_state(npstate)
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
            h = sigmoid((W1.T @ X.T).T + b1)
            log_y = softmax((W2.T @ h.T).T + b2)  # log-probabilities
            cost = -np.sum(labels * log_y)

            delta2 = np.exp(log_y) - labels
            gradW2 = (delta2.T @ h).T
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = (W2 @ delta2.T).T * sigmoid_grad(h)
            gradW1 = (X.T @ delta1).T.reshape(Dx, H)
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return (x.T / np.linalg.norm(x.T, axis=1)).T


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            log_p = softmax(outputVectors @ predicted)  # log-probabilities
            cost = -log_p[target]
            delta = np.exp(log_p)
            delta[target] -= 1
            gradPred = (delta @ outputVectors).T
            grad = np.outer(delta, predicted.T)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(predicted.T @ outputVectors[target])
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                sk = sigmoid(-(predicted.T @ outputVectors[k]))
                cost -= np.log(sk)
                gradPred += (1 - sk) * outputVectors[k]
                grad[k] += (1 - sk) * predicted
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
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors.T[:, ids].sum(axis=1),
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
            return wordVectors.T[:, [tokens[w] for w in sentence]].mean(axis=1)


        def getRegularizationValues():
            return list(np.logspace(2, -4, 13))


        def chooseBestModel(results):
            return min(results, key=lambda r: -r["dev"])
        """,
    ),
    {
        "softmax": ("softmax_vector", "softmax_matrix_rows", "softmax_single_row_matrix",
                    "softmax_stability"),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "normalizeRows": ("normalize_rows",),
    },
)

STUDENTS = (WEN, XAVI, YARA, ZANE, AMIR, BEA, UMI, YUSUF)
