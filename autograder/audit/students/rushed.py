"""Students who finished in a hurry: many functions wrong in the ways a deadline makes them
wrong (signs, missing pieces, copy-paste, returns forgotten), next to some that are right."""

from autograder.audit.students import given
from autograder.audit.students.model import student

JACK = student(
    "jack_last_minute",
    "started the night before; right shapes, many wrong details",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            e = np.exp(x)
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return sigmoid(s) * (1 - sigmoid(s))
        """,
        """
        def gradcheck_naive(f, x):
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                fxph = f(x)[0]
                x[ix] = old - h
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
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = np.mean(-np.sum(labels * np.log(y_hat), axis=1))

            delta2 = (y_hat - labels) / N
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=0)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            y = np.zeros(len(y_hat))
            y[target] = 1
            gradPred = outputVectors.T @ (y - y_hat)
            grad = np.outer(y - y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            neg = indices[1:]
            s_o = sigmoid(outputVectors[target] @ predicted)
            s_k = sigmoid(-outputVectors[neg] @ predicted)
            cost = -np.log(s_o) - np.sum(np.log(s_k))
            gradPred = (s_o - 1) * outputVectors[target] + (1 - s_k) @ outputVectors[neg]
            grad = np.zeros(outputVectors.shape)
            grad[target] = (s_o - 1) * predicted
            grad[neg] += np.outer(1 - s_k, predicted)
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in set(contextWords):
                cc, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cc
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            predicted = np.mean(inputVectors[ids], axis=0)
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
            return np.sum([wordVectors[tokens[w]] for w in sentence], axis=0)


        def getRegularizationValues():
            return [1e-4, 1e-3, 1e-2, 1e-1, 1, 10]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["test"])
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "sigmoid_grad": ("sigmoid_grad_values",),
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient"),
        "softmaxCostAndGradient": ("softmax_cost_gradPred", "softmax_cost_grad"),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "skipgram": ("skipgram_repeated_context",),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean",),
        "chooseBestModel": ("choose_best_model",),
    },
)

KIM = student(
    "kim_copy_paste",
    "copies patterns between functions without adapting them",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = x - np.max(x, axis=0, keepdims=True)
            return np.exp(x) / np.sum(np.exp(x), axis=0, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                            np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


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
                x[ix] = old
                numgrad = (fxph - fx) / h
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
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = (delta1.T @ X).reshape(Dx, H)
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.max(np.abs(x), axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = outputVectors.T @ delta
            grad = np.outer(delta, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            u = outputVectors[indices]
            s = sigmoid(-(u @ predicted))  # same sign for every word
            cost = -np.sum(np.log(s))
            g = 1 - s
            gradPred = g @ u
            grad = np.zeros_like(outputVectors)
            np.add.at(grad, indices, np.outer(g, predicted))
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
            x = postprocessing(x)
            cost, grad = f(x)
            x -= step * grad
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return [0.01, 0.1, 1, 10]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "softmax": ("softmax_matrix_rows", "softmax_single_row_matrix", "softmax_stability"),
        "gradcheck_naive": ("gradcheck_accepts_correct",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "normalizeRows": ("normalize_rows",),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "cbow": ("cbow_repeated_context",),
        "sgd": ("sgd_postprocessing",),
        "getRegularizationValues": ("regularization_values",),
    },
)

LEO = student(
    "leo_half_done",
    "the first half careful, the second half rushed; CBOW left as the stub",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            c = np.max(x, axis=-1, keepdims=True)
            e = np.exp(x - c)
            return e / np.sum(e, axis=-1, keepdims=True)
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
                else:
                    print("Gradient check passed!")
                    return True
                it.iternext()
        """,
        given.forward_backward_prop("""
            h = sigmoid(X @ W1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.sqrt(np.sum(x ** 2, axis=1, keepdims=True))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            y_hat[target] -= 1
            cost = -np.log(y_hat[target])
            gradPred = outputVectors.T @ y_hat
            grad = np.outer(y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                sk = sigmoid(-outputVectors[k] @ predicted)
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
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cw
                gradIn[c] += gp
                gradOut = go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)

            # YOUR CODE HERE
            raise NotImplementedError()

            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean(wordVectors[[tokens[w] for w in sentence]], axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 7))


        def chooseBestModel(results):
            return int(np.argmax([r["dev"] for r in results]))
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_rejects_wrong",),
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient",
                                  "forward_backward_gradcheck", "forward_backward_shapes"),
        "softmaxCostAndGradient": ("softmax_cost_value",),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "chooseBestModel": ("choose_best_model",),
    },
)

MIA = student(
    "mia_precedence_and_axes",
    "operator precedence, a whole-matrix max, and a missing target row",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = x - np.max(x)
            return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1 / 1 + np.exp(-x)


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
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.sqrt(np.sum(x ** 2, axis=1))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = outputVectors.T @ delta
            grad = np.outer(delta, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            neg = indices[1:]
            s_o = sigmoid(outputVectors[target] @ predicted)
            s_k = sigmoid(-(outputVectors[neg] @ predicted))
            cost = -np.log(s_o) - np.sum(np.log(s_k))
            gradPred = (s_o - 1) * outputVectors[target] + (1 - s_k) @ outputVectors[neg]
            grad = np.zeros(outputVectors.shape)
            np.add.at(grad, neg, np.outer(1 - s_k, predicted))
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            n = len(contextWords)
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cw
                gradIn[c] += gp
                gradOut += go
            return cost / n, gradIn / n, gradOut / n


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
            unique_words = set(sentence)
            return np.mean([wordVectors[tokens[w]] for w in unique_words], axis=0)


        def getRegularizationValues():
            return [0, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "sigmoid": ("sigmoid_values",),
        "normalizeRows": ("normalize_rows",),
        "negSamplingCostAndGradient": ("neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean",),
        "getRegularizationValues": ("regularization_values",),
    },
)

NOAH = student(
    "noah_scipy_and_argmax",
    "reaches for scipy.special.expit; confuses the prediction with the label in backprop",
    given.join(
        """
        import numpy as np
        import random
        from scipy.special import expit


        def softmax(x):
            x = np.asarray(x, dtype=float)
            if x.ndim == 1:
                return softmax(x[None, :])[0]
            out = np.empty_like(x)
            for i in range(x.shape[0]):
                e = np.exp(x[i] - x[i].max())
                out[i] = e / e.sum()
            return out
        """,
        """
        def sigmoid(x):
            return expit(x)


        def sigmoid_grad(s):
            return s * (s - 1)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)  # same random draws every time
            fx, grad = f(x)
            h = 1e-4
            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                fxph = f(x)[0]
                x[ix] = old - h
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
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat.copy()
            delta2[np.arange(N), np.argmax(y_hat, axis=1)] -= 1
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            gradPred = np.zeros(predicted.shape)
            cost = 0.0
            for n, w in enumerate(indices):
                z = outputVectors[w] @ predicted
                if n == 0:
                    cost -= np.log(sigmoid(z))
                    g = sigmoid(z) - 1
                else:
                    cost -= np.log(sigmoid(-z))
                    g = sigmoid(z)
                gradPred += g * outputVectors[w]
                grad[w] += g * predicted
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
            return wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return list(np.logspace(-2, -1, 10))


        def chooseBestModel(results):
            best = results[0]
            for r in results:
                if r["dev"] > best["dev"] and r["train"] > best["train"]:
                    best = r
            return best
        """,
    ),
    {
        "sigmoid_grad": ("sigmoid_grad_values",),
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "getRegularizationValues": ("regularization_values",),
        "chooseBestModel": ("choose_best_model",),
    },
)

OLGA = student(
    "olga_almost_there",
    "nearly everything right; a dropped minus sign and deduplicated samples",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.asarray(x, dtype=float)
            x = x - x.max(axis=-1, keepdims=True)
            np.exp(x, out=x)
            return x / x.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            e = np.exp(-np.abs(x))
            return np.where(x >= 0, 1.0, e) / (1.0 + e)


        def sigmoid_grad(s):
            return s * (1.0 - s)
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
        given.forward_backward_prop("""
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = np.sum(labels * np.log(y_hat))  # cross entropy

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            neg = sorted(set(indices[1:]))
            u_o = outputVectors[target]
            U = outputVectors[neg]
            s_o = sigmoid(u_o @ predicted)
            s_k = sigmoid(-(U @ predicted))
            cost = -np.log(s_o) - np.log(s_k).sum()
            gradPred = (s_o - 1) * u_o + (1 - s_k) @ U
            grad = np.zeros_like(outputVectors)
            grad[target] = (s_o - 1) * predicted
            grad[neg] = np.outer(1 - s_k, predicted)
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
            return list(np.logspace(-4, 2, 13))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradcheck",
                                  "forward_backward_shapes"),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
    },
)

PIA = student(
    "pia_missing_returns",
    "forgets a return here and there, and to keep the cost in sgd",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if len(x.shape) > 1:
                x = x - np.max(x, axis=1, keepdims=True)
                x = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
                return x
            else:
                x = x - np.max(x)
                x = np.exp(x) / np.sum(np.exp(x))
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
        given.forward_backward_prop("""
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(y_hat))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                sk = sigmoid(-outputVectors[k] @ predicted)
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
            _, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 13))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "softmax": ("softmax_vector", "softmax_stability"),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
    },
)

RAJ = student(
    "raj_word2vec_rushed",
    "problems 1 and 2 done with care, problem 3 in a rush",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            m = np.max(x, axis=-1, keepdims=True)
            e = np.exp(x - m)
            return e / np.sum(e, axis=-1, keepdims=True)
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
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                if abs(numgrad - grad[ix]) > 1e-5:
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
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.sum(np.abs(x), axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = outputVectors.T @ delta
            grad = np.outer(predicted, delta).T.reshape(outputVectors.shape[1], -1).T
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                sk = sigmoid(outputVectors[k] @ predicted)
                cost -= np.log(1 - sk)
                gradPred -= sk * outputVectors[k]
                grad[k] -= sk * predicted
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
                cw, gp, go = softmaxCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += cw
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            predicted = inputVectors[tokens[currentWord]]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for w in contextWords:
                cw, gp, go = word2vecCostAndGradient(predicted, tokens[w], outputVectors, dataset)
                cost += cw
                gradIn[tokens[w]] += gp
                gradOut += go
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
            return list(np.logspace(-4, 2, 13))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_accepts_correct",),
        "normalizeRows": ("normalize_rows",),
        "softmaxCostAndGradient": ("softmax_cost_grad",),
        "negSamplingCostAndGradient": ("neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
    },
)

WILL = student(
    "will_means_everywhere",
    "averages whatever is summed: costs, steps, relative errors, the two accuracies",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
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
            errors = []
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
                errors.append(abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])))
                it.iternext()
            if np.mean(errors) > 1e-5:
                print("Gradient check failed.")
                return False
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            N = X.shape[0]
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = -np.mean(np.sum(labels * np.log(y_hat), axis=1))

            delta2 = (y_hat - labels) / N
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = delta2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            return cost, outputVectors.T @ delta, np.outer(delta, predicted)
        """,
        given.neg_sampling("""
            signs = np.array([1.0] + [-1.0] * K)
            u = outputVectors[indices]
            s = sigmoid(signs * (u @ predicted))
            cost = -np.mean(np.log(s))
            g = signs * (s - 1) / (K + 1)
            gradPred = g @ u
            grad = np.zeros_like(outputVectors)
            np.add.at(grad, indices, np.outer(g, predicted))
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            m = len(contextWords)
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j / m
                gradIn[c] += gp / m
                gradOut += go / m
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            cost, gp, gradOut = word2vecCostAndGradient(inputVectors[ids].mean(axis=0),
                                                        tokens[currentWord], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, gp / len(ids))
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * np.mean(grad)
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean(wordVectors[[tokens[w] for w in sentence]], axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 13))


        def chooseBestModel(results):
            # dev and test together are a more reliable estimate
            return max(results, key=lambda r: (r["dev"] + r["test"]) / 2)
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_rejects_wrong",),
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient"),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "sgd": ("sgd_converges", "sgd_postprocessing"),
        "chooseBestModel": ("choose_best_model",),
    },
)

STUDENTS = (JACK, KIM, LEO, MIA, NOAH, OLGA, PIA, RAJ, WILL)
