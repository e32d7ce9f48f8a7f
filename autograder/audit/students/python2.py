"""Students whose code started as Python 2 and was ported mechanically: xrange shims, print()
conversions, float() around divisions, map/reduce/filter, the handout's old skeletons."""

from autograder.audit.students import given
from autograder.audit.students.model import student

PAUL = student(
    "paul_py2_no_return",
    "the 2016 handout skeleton ported line by line; the checker prints but returns nothing",
    given.join(
        """
        from __future__ import division, print_function

        import numpy as np
        import random

        try:
            xrange
        except NameError:
            xrange = range


        def softmax(x):
            orig_shape = x.shape
            if len(x.shape) > 1:
                # Matrix
                x = x - np.max(x, axis=1).reshape(x.shape[0], 1)
                x = np.exp(x)
                x = x / np.sum(x, axis=1).reshape(x.shape[0], 1)
            else:
                # Vector
                x = x - np.max(x)
                x = np.exp(x)
                x = x / np.sum(x)
            assert x.shape == orig_shape
            return x
        """,
        """
        def sigmoid(x):
            s = 1.0 / (1.0 + np.exp(-x))
            return s


        def sigmoid_grad(s):
            ds = s * (1.0 - s)
            return ds
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)  # Evaluate function value at original point
            h = 1e-4

            # Iterate over all indexes in x
            it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
            while not it.finished:
                ix = it.multi_index

                x[ix] += h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] -= 2 * h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] += h
                numgrad = (fxph - fxmh) / (2 * h)

                # Compare gradients
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return

                it.iternext()  # Step to next dimension

            print("Gradient check passed!")
        """,
        given.forward_backward_prop("""
            hidden = sigmoid(np.dot(X, W1) + b1)
            prediction = softmax(np.dot(hidden, W2) + b2)
            cost = -np.sum(np.log(prediction) * labels)

            delta = prediction - labels
            gradW2 = np.dot(hidden.T, delta)
            gradb2 = np.sum(delta, axis=0, keepdims=True)
            delta = np.dot(delta, W2.T) * sigmoid_grad(hidden)
            gradW1 = np.dot(X.T, delta)
            gradb1 = np.sum(delta, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            x /= np.sqrt(np.sum(x ** 2, axis=1)) + 1e-30
            return x


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            probabilities = softmax(predicted.dot(outputVectors.T))
            cost = -np.log(probabilities[target])
            delta = probabilities
            delta[target] -= 1
            N = delta.shape[0]
            D = predicted.shape[0]
            grad = delta.reshape((N, 1)) * predicted.reshape((1, D))
            gradPred = (delta.reshape((1, N)).dot(outputVectors)).flatten()
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            gradPred = np.zeros(predicted.shape)
            cost = 0
            z = sigmoid(np.dot(outputVectors[target], predicted))

            cost -= np.log(z)
            grad[target] += predicted * (z - 1.0)
            gradPred += outputVectors[target] * (z - 1.0)

            for k in xrange(K):
                samp = indices[k + 1]
                z = sigmoid(np.dot(outputVectors[samp], predicted))
                cost -= np.log(1.0 - z)
                grad[samp] += predicted * z
                gradPred += outputVectors[samp] * z
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)

            cword_idx = tokens[currentWord]
            vhat = inputVectors[cword_idx]

            for j in contextWords:
                u_idx = tokens[j]
                c_cost, c_grad_in, c_grad_out = \\
                    word2vecCostAndGradient(vhat, u_idx, outputVectors, dataset)
                cost += c_cost
                gradIn[cword_idx] += c_grad_in
                gradOut += c_grad_out

            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)

            predicted_indices = [tokens[word] for word in contextWords]
            predicted_vectors = inputVectors[predicted_indices]
            predicted = np.sum(predicted_vectors, axis=0)
            target = tokens[currentWord]
            cost, gradIn_predicted, gradOut = word2vecCostAndGradient(predicted, target,
                                                                      outputVectors, dataset)
            for i in predicted_indices:
                gradIn[i] += gradIn_predicted

            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros((wordVectors.shape[1],))
            for word in sentence:
                sentVector += wordVectors[tokens[word], :]
            sentVector /= len(sentence)
            return sentVector


        def getRegularizationValues():
            values = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
            return sorted(values)


        def chooseBestModel(results):
            bestResult = max(results, key=lambda x: x["dev"])
            return bestResult
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_accepts_correct", "gradcheck_rejects_wrong",
                            "gradcheck_restores_random_state"),
        "normalizeRows": ("normalize_rows",),
    },
)

QUINN = student(
    "quinn_py2_transpose_trick",
    "xrange shim, softmax through x.T, map() left unwrapped in one place",
    given.join(
        """
        from __future__ import print_function

        import numpy as np
        import random

        xrange = range  # python 3


        def softmax(x):
            if len(x.shape) > 1:
                tmp = np.max(x, axis=1)
                x = (x.T - tmp).T
                x = np.exp(x)
                tmp = np.sum(x, axis=1)
                x = (x.T / tmp).T
            else:
                x = np.exp(x - np.max(x))
                x = x / np.sum(x)
            return x
        """,
        """
        def sigmoid(x):
            return 1.0 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
            while not it.finished:
                ix = it.multi_index
                oldval = x[ix]
                x[ix] = oldval + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = oldval - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = oldval
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
            z1 = np.dot(X, W1) + b1
            a1 = sigmoid(z1)
            z2 = np.dot(a1, W2) + b2
            a2 = softmax(z2)
            cost = -np.sum(labels * np.log(a2))

            d3 = a2 - labels
            gradW2 = np.dot(a1.T, d3)
            gradb2 = np.sum(d3, axis=0).reshape((1, Dy))
            d2 = np.dot(d3, W2.T) * sigmoid_grad(a1)
            gradW1 = np.dot(X.T, d2)
            gradb1 = np.sum(d2, axis=0).reshape((1, H))
            """),
        """
        def normalizeRows(x):
            N = x.shape[0]
            return x / np.sqrt(np.sum(x ** 2, axis=1)).reshape((N, 1))


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            y_hat[target] -= 1.0
            gradPred = np.dot(y_hat, outputVectors)
            grad = np.outer(y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for i in xrange(K):
                idx = indices[i]
                if i == 0:
                    sig = sigmoid(np.dot(outputVectors[idx], predicted))
                    cost += -np.log(sig)
                    gradPred += (sig - 1.0) * outputVectors[idx]
                    grad[idx] += (sig - 1.0) * predicted
                else:
                    sig = sigmoid(-np.dot(outputVectors[idx], predicted))
                    cost += -np.log(sig)
                    gradPred += (1.0 - sig) * outputVectors[idx]
                    grad[idx] += (1.0 - sig) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            center = tokens[currentWord]
            for i in xrange(len(contextWords)):
                c, gin, gout = word2vecCostAndGradient(inputVectors[center],
                                                       tokens[contextWords[i]], outputVectors,
                                                       dataset)
                cost += c
                gradIn[center, :] += gin
                gradOut += gout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            gradIn = np.zeros(inputVectors.shape)
            predicted = np.zeros(inputVectors.shape[1])
            for w in contextWords:
                predicted += inputVectors[tokens[w]]
            cost, gin, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                         outputVectors, dataset)
            for w in contextWords:
                gradIn[tokens[w]] += gin
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = map(lambda w: tokens[w], sentence)
            sentVector = np.sum(wordVectors[ids], axis=0) / float(len(sentence))
            return sentVector


        def getRegularizationValues():
            return [10 ** i for i in xrange(-4, 2)]


        def chooseBestModel(results):
            bestResult = sorted(results, key=lambda r: r["dev"], reverse=True)[0]
            return bestResult
        """,
    ),
    {
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
    },
)

RITA = student(
    "rita_py2_float_divisions",
    "float() around every division, xrange, indices over enumerate",
    given.join(
        """
        from __future__ import division

        import numpy as np
        import random

        if not hasattr(__builtins__, "xrange"):
            xrange = range


        def softmax(x):
            x = x - np.max(x)  # numerical stability
            e = np.exp(x)
            if len(x.shape) == 1:
                return e / float(np.sum(e))
            return e / np.sum(e, axis=1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return np.exp(-np.logaddexp(0., -x))


        def sigmoid_grad(s):
            return s * (1. - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            nstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(nstate)
            fx, grad = f(x)
            h = 1e-4

            for i in xrange(x.size):
                ix = np.unravel_index(i, x.shape)
                old = float(x[ix])
                x[ix] = old + h
                random.setstate(rndstate)
                np.random.set_state(nstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                np.random.set_state(nstate)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / float(2 * h)

                reldiff = abs(numgrad - grad[ix]) / max(1., abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False

            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(np.dot(X, W1) + b1)
            yhat = softmax(np.dot(h, W2) + b2)
            cost = -np.sum(labels * np.log(yhat))

            delta2 = yhat - labels
            gradW2 = np.dot(h.T, delta2)
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = np.dot(delta2, W2.T) * sigmoid_grad(h)
            gradW1 = np.dot(X.T, delta1)
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            lengths = np.sqrt(np.sum(x * x, axis=1, keepdims=True))
            return x / lengths


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            d = y_hat.copy()
            d[target] -= 1.
            gradPred = np.dot(outputVectors.T, d)
            grad = np.outer(d, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.
            grad = np.zeros(outputVectors.shape)
            gradPred = np.zeros(predicted.shape)
            for n, k in enumerate(indices):
                if n == 0:
                    s = sigmoid(np.dot(outputVectors[k], predicted))
                    cost -= np.log(s)
                    gradPred += (s - 1.) * outputVectors[k]
                    grad[k] += (s - 1.) * predicted
                else:
                    s = sigmoid(-np.dot(outputVectors[k], predicted))
                    cost -= np.log(s)
                    gradPred += (1. - s) * outputVectors[k]
                    grad[k] += (1. - s) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            c = tokens[currentWord]
            for j in xrange(2 * C):  # C words on each side
                w = contextWords[j]
                dc, dgin, dgout = word2vecCostAndGradient(inputVectors[c], tokens[w],
                                                          outputVectors, dataset)
                cost += dc
                gradIn[c] += dgin
                gradOut += dgout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            n = float(len(contextWords))
            idx = [tokens[w] for w in contextWords]
            predicted = np.sum(inputVectors[idx], axis=0) / n
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in idx:
                gradIn[i] += gp / n
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros(wordVectors.shape[1])
            for w in sentence:
                sentVector += wordVectors[tokens[w]]
            return sentVector / float(len(sentence))


        def getRegularizationValues():
            return [10 ** (p / 2.) for p in xrange(-8, 5)]


        def chooseBestModel(results):
            best = 0
            for i in xrange(1, len(results)):
                if results[i]["dev"] > results[best]["dev"]:
                    best = i
            return best
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "skipgram": ("skipgram_gradients",),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "chooseBestModel": ("choose_best_model",),
    },
)

SAM = student(
    "sam_py2_transposes",
    "np.dot and .T everywhere, transposes one outer product, saves the state too late",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim > 1:
                c = np.max(x, axis=1).reshape(-1, 1)
                ex = np.exp(x - c)
                return ex / np.sum(ex, axis=1).reshape(-1, 1)
            ex = np.exp(x - np.max(x))
            return ex / ex.sum()
        """,
        """
        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-1.0 * x))


        def sigmoid_grad(s):
            return np.multiply(s, 1.0 - s)
        """,
        """
        def gradcheck_naive(f, x):
            fx, grad = f(x)  # Evaluate function value at original point
            rndstate = random.getstate()
            h = 1e-4

            it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
            while not it.finished:
                ix = it.multi_index
                x_orig = x[ix]
                x[ix] = x_orig + h
                random.setstate(rndstate)
                fxph, _ = f(x)
                x[ix] = x_orig - h
                random.setstate(rndstate)
                fxmh, _ = f(x)
                x[ix] = x_orig
                numgrad = (fxph - fxmh) / (2.0 * h)

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
            h = sigmoid(np.dot(X, W1) + b1)
            y_hat = softmax(np.dot(h, W2) + b2)
            cost = -np.sum(np.multiply(labels, np.log(y_hat)))

            delta2 = y_hat - labels
            gradW2 = np.dot(delta2.T, h)
            gradb2 = np.sum(delta2, axis=0)
            delta1 = np.multiply(np.dot(delta2, W2.T), sigmoid_grad(h))
            gradW1 = np.dot(X.T, delta1)
            gradb1 = np.sum(delta1, axis=0)
            """),
        """
        def normalizeRows(x):
            return (x.T / np.sqrt(np.sum(x ** 2, axis=1))).T


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            y_hat[target] -= 1
            gradPred = np.dot(outputVectors.T, y_hat)
            grad = np.outer(predicted, y_hat)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros_like(predicted)
            grad = np.zeros_like(outputVectors)
            labels = np.array([1] + [-1] * K)
            for label, idx in zip(labels, indices):
                s = sigmoid(label * np.dot(outputVectors[idx].T, predicted))
                cost -= np.log(s)
                g = label * (s - 1)
                gradPred += g * outputVectors[idx]
                grad[idx] += g * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            idx = tokens[currentWord]
            for w in contextWords:
                c_, gin, gout = word2vecCostAndGradient(inputVectors[idx, :], tokens[w],
                                                        outputVectors, dataset)
                cost = cost + c_
                gradIn[idx, :] = gradIn[idx, :] + gin
                gradOut = gradOut + gout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            idxs = [tokens[w] for w in contextWords]
            predicted = np.sum(inputVectors[idxs, :], axis=0)
            cost, gin, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                         outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in idxs:
                gradIn[i, :] = gradIn[i, :] + gin
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            vecs = np.array([wordVectors[tokens[w], :] for w in sentence])
            return np.sum(vecs, axis=0) / vecs.shape[1]


        def getRegularizationValues():
            return np.logspace(-6, 0, 7)


        def chooseBestModel(results):
            return max(results, key=lambda res: res["dev"])
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "softmaxCostAndGradient": ("softmax_cost_grad",),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
    },
)

TARA = student(
    "tara_py2_draws_again",
    "print() conversions and %-formatting; draws her own negative samples",
    given.join(
        """
        from __future__ import print_function

        import numpy as np
        import random


        def softmax(x):
            assert len(x.shape) <= 2
            y = np.exp(x - np.max(x, axis=len(x.shape) - 1, keepdims=True))
            normalization = np.sum(y, axis=len(x.shape) - 1, keepdims=True)
            return np.divide(y, normalization)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=np.float64)
            positive = x >= 0
            negative = ~positive
            z = np.zeros_like(x)
            z[positive] = np.exp(-x[positive])
            z[negative] = np.exp(x[negative])
            top = np.ones_like(x)
            top[negative] = z[negative]
            return top / (1 + z)


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            np_state = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(np_state)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
            while not it.finished:
                ix = it.multi_index
                x[ix] += h
                random.setstate(rndstate)
                np.random.set_state(np_state)
                new_f1 = f(x)[0]
                x[ix] -= 2 * h
                random.setstate(rndstate)
                np.random.set_state(np_state)
                new_f2 = f(x)[0]
                x[ix] += h
                numgrad = (new_f1 - new_f2) / (2 * h)

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

            gradZ2 = y_hat - labels
            gradW2 = h.T.dot(gradZ2)
            gradb2 = np.sum(gradZ2, axis=0, keepdims=True)
            gradH = gradZ2.dot(W2.T)
            gradZ1 = gradH * sigmoid_grad(h)
            gradW1 = X.T.dot(gradZ1)
            gradb1 = np.sum(gradZ1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            denom = np.apply_along_axis(lambda r: np.sqrt(r.dot(r)), 1, x)
            return x / denom


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            score = outputVectors.dot(predicted)
            prob = softmax(score)
            cost = -np.log(prob[target])
            dscore = prob.copy()
            dscore[target] -= 1
            gradPred = outputVectors.T.dot(dscore)
            grad = dscore.reshape(-1, 1).dot(predicted.reshape(1, -1))
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            # sample K words (not the target) as the negatives
            negatives = getNegativeSamples(target, dataset, K)
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(outputVectors[target].dot(predicted))
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in negatives:
                sk = sigmoid(-outputVectors[k].dot(predicted))
                cost -= np.log(sk)
                gradPred += (1 - sk) * outputVectors[k]
                grad[k] += (1 - sk) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            center = tokens[currentWord]
            for context in contextWords:
                cost_j, gradIn_j, gradOut_j = word2vecCostAndGradient(
                    inputVectors[center], tokens[context], outputVectors, dataset)
                cost += cost_j
                gradIn[center] += gradIn_j
                gradOut += gradOut_j
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            context_ids = [tokens[c] for c in contextWords]
            v_hat = inputVectors[context_ids].sum(axis=0)
            cost, grad_v_hat, gradOut = word2vecCostAndGradient(
                v_hat, tokens[currentWord], outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for cid in context_ids:
                gradIn[cid] += grad_v_hat
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros((wordVectors.shape[1],))
            for w in sentence:
                sentVector += wordVectors[tokens[w]]
            return sentVector / len(sentence)


        def getRegularizationValues():
            values = np.logspace(-4, 2, num=25)
            print("trying %d values from %g to %g" % (len(values), values[0], values[-1]))
            return list(values)


        def chooseBestModel(results):
            best = None
            for r in results:
                if best is None or r["dev"] > best["dev"]:
                    best = r
            print("best reg: %g (dev %.2f%%)" % (best["reg"], best["dev"]))
            return best
        """,
    ),
    {
        "normalizeRows": ("normalize_rows",),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
    },
)

UMA = student(
    "uma_py2_map_reduce",
    "functional Python 2 style: map, reduce, lambda; a map object returned",
    given.join(
        """
        import numpy as np
        import random
        from functools import reduce


        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
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
            npstate = np.random.get_state()

            def f_at(point):
                random.setstate(rndstate)
                np.random.set_state(npstate)
                return f(point)

            fx, grad = f_at(x)
            h = 1e-4
            for ix in map(tuple, np.ndindex(x.shape)):
                old = x[ix]
                x[ix] = old + h
                fxph = f_at(x)[0]
                x[ix] = old - h
                fxmh = f_at(x)[0]
                x[ix] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(np.dot(X, W1) + b1)
            y_hat = softmax(np.dot(h, W2) + b2)
            cost = -reduce(lambda acc, row: acc + np.dot(row[0], np.log(row[1])),
                           zip(labels, y_hat), 0.0)

            delta2 = y_hat - labels
            gradW2 = np.dot(h.T, delta2)
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = np.multiply(np.dot(delta2, W2.T), sigmoid_grad(h))
            gradW1 = np.dot(X.T, delta1)
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            norms = np.array(list(map(np.linalg.norm, x)))
            return x / norms[:, None]


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            diff = y_hat - np.eye(outputVectors.shape[0])[target]
            gradPred = reduce(np.add, map(lambda dw, u: dw * u, diff, outputVectors))
            grad = np.array(list(map(lambda dw: dw * predicted, diff)))
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            signs = [1.0] + [-1.0] * K
            terms = list(map(lambda sw: (sw[0], sw[1],
                                         sigmoid(sw[0] * np.dot(outputVectors[sw[1]], predicted))),
                             zip(signs, indices)))
            cost = -sum(np.log(s) for _, _, s in terms)
            gradPred = reduce(np.add, [sign * (s - 1) * outputVectors[w] for sign, w, s in terms])
            grad = np.zeros(outputVectors.shape)
            for sign, w, s in terms:
                grad[w] += sign * (s - 1) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            parts = list(map(lambda w: word2vecCostAndGradient(inputVectors[c], tokens[w],
                                                               outputVectors, dataset),
                             contextWords))
            cost = reduce(lambda a, p: a + p[0], parts, 0.0)
            gradIn = np.zeros(inputVectors.shape)
            gradIn[c] = reduce(np.add, [p[1] for p in parts])
            gradOut = reduce(np.add, [p[2] for p in parts])
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = list(map(lambda w: tokens[w], contextWords))
            predicted = reduce(np.add, map(lambda i: inputVectors[i], ids))
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
            postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            vectors = list(map(lambda w: wordVectors[tokens[w]], sentence))
            return reduce(np.add, vectors) / len(vectors)


        def getRegularizationValues():
            return map(lambda p: 10 ** p, range(-4, 3))


        def chooseBestModel(results):
            return reduce(lambda best, r: r if r["dev"] > best["dev"] else best, results)
        """,
    ),
    {
        "sgd": ("sgd_postprocessing",),
        "getRegularizationValues": ("regularization_values",),
    },
)

VIC = student(
    "vic_py2_row_sums",
    "Python 2 habits (has_key ported to `in`), sums the bias gradient over the wrong axis",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                x = x.reshape(1, x.shape[0])
                squeeze = True
            else:
                squeeze = False
            x = np.exp(x - x.max(axis=1).reshape(x.shape[0], 1))
            x = x / x.sum(axis=1).reshape(x.shape[0], 1)
            if squeeze:
                x = x.reshape(x.shape[1])
            return x
        """,
        """
        def sigmoid(x):
            return .5 * (1 + np.tanh(.5 * x))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
            while not it.finished:
                ix = it.multi_index
                orig = x[ix]
                x[ix] = orig + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = orig - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = orig
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
            a = sigmoid(np.dot(X, W1) + b1)
            p = softmax(np.dot(a, W2) + b2)
            cost = -np.sum(labels * np.log(p))

            dz2 = p - labels
            gradW2 = np.dot(a.T, dz2)
            gradb2 = np.sum(dz2, axis=1)
            dz1 = np.dot(dz2, W2.T) * sigmoid_grad(a)
            gradW1 = np.dot(X.T, dz1)
            gradb1 = np.sum(dz1, axis=0)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            err = y_hat.copy()
            err[target] - 1
            gradPred = np.dot(err, outputVectors)
            grad = np.outer(err, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            gradPred = np.zeros(predicted.shape)
            sig = sigmoid(np.dot(outputVectors[target], predicted))
            cost = -np.log(sig)
            gradPred += (sig - 1) * outputVectors[target]
            grad[target] += (sig - 1) * predicted
            seen = {}
            for k in indices[1:]:
                seen[k] = seen.get(k, 0) + 1
            for k in seen:
                sig = sigmoid(-np.dot(outputVectors[k], predicted))
                cost -= seen[k] * np.log(sig)
                gradPred += seen[k] * (1 - sig) * outputVectors[k]
                grad[k] += seen[k] * (1 - sig) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            if currentWord not in tokens:
                return cost, gradIn, gradOut
            c = tokens[currentWord]
            for w in contextWords:
                if w in tokens:
                    cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w],
                                                         outputVectors, dataset)
                    cost += cw
                    gradIn[c] += gp
                    gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords if w in tokens]
            predicted = inputVectors[ids].sum(axis=0)
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
            ids = [tokens[w] for w in sentence if w in tokens]
            return np.mean(wordVectors[ids, :], axis=0)


        def getRegularizationValues():
            return [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck",
                                  "forward_backward_shapes"),
        "normalizeRows": ("normalize_rows",),
        "softmaxCostAndGradient": ("softmax_cost_gradPred", "softmax_cost_grad"),
    },
)

STUDENTS = (PAUL, QUINN, RITA, SAM, TARA, UMA, VIC)
