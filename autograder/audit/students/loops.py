"""Students who loop: over rows, examples, context words and samples, one entry at a time."""

from autograder.audit.students import given
from autograder.audit.students.model import student

IVAN = student(
    "ivan_loops_everywhere",
    "explicit Python loops for everything, slow but careful",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.array(x, dtype=float)
            if x.ndim == 1:
                m = max(x)
                exps = [np.exp(v - m) for v in x]
                total = sum(exps)
                return np.array([e / total for e in exps])
            out = np.zeros_like(x)
            for i in range(x.shape[0]):
                row = x[i]
                e = np.exp(row - np.max(row))
                out[i] = e / np.sum(e)
            return out
        """,
        """
        def sigmoid(x):
            x = np.array(x, dtype=float)
            out = np.zeros(x.shape)
            for idx in np.ndindex(x.shape):
                v = x[idx]
                if v >= 0:
                    out[idx] = 1.0 / (1.0 + np.exp(-v))
                else:
                    e = np.exp(v)
                    out[idx] = e / (1.0 + e)
            return out


        def sigmoid_grad(s):
            ds = np.zeros(np.shape(s))
            for idx in np.ndindex(ds.shape):
                ds[idx] = s[idx] * (1 - s[idx])
            return ds
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
                old_value = x[ix]

                x[ix] = old_value + h
                random.setstate(rndstate)
                cost_plus = f(x)[0]

                x[ix] = old_value - h
                random.setstate(rndstate)
                cost_minus = f(x)[0]

                x[ix] = old_value  # put it back
                numgrad = (cost_plus - cost_minus) / (2 * h)

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
            cost = 0.0
            gradW1 = np.zeros_like(W1)
            gradb1 = np.zeros_like(b1)
            gradW2 = np.zeros_like(W2)
            gradb2 = np.zeros_like(b2)
            for n in range(N):
                x = X[n:n + 1]  # (1, Dx)
                y = labels[n:n + 1]  # (1, Dy)
                h = sigmoid(x @ W1 + b1)
                y_hat = softmax(h @ W2 + b2)
                cost += -np.sum(y * np.log(y_hat))
                d2 = y_hat - y
                gradW2 += h.T @ d2
                gradb2 += d2
                d1 = (d2 @ W2.T) * sigmoid_grad(h)
                gradW1 += x.T @ d1
                gradb1 += d1
            """),
        """
        def normalizeRows(x):
            out = np.zeros(x.shape)
            for i in range(x.shape[0]):
                length = 0.0
                for j in range(x.shape[1]):
                    length += x[i, j] ** 2
                out[i] = x[i] / np.sqrt(length)
            return out


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            V = outputVectors.shape[0]
            scores = np.zeros(V)
            for w in range(V):
                scores[w] = np.dot(outputVectors[w], predicted)
            y_hat = softmax(scores)
            cost = -np.log(y_hat[target])

            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for w in range(V):
                coef = y_hat[w] - (1.0 if w == target else 0.0)
                gradPred += coef * outputVectors[w]
                grad[w] = coef * predicted
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for i, k in enumerate(indices):
                if i == 0:  # the true context word
                    s = sigmoid(np.dot(outputVectors[k], predicted))
                    cost -= np.log(s)
                    gradPred += (s - 1) * outputVectors[k]
                    grad[k] += (s - 1) * predicted
                else:  # a negative sample
                    s = sigmoid(-np.dot(outputVectors[k], predicted))
                    cost -= np.log(s)
                    gradPred += (1 - s) * outputVectors[k]
                    grad[k] += (1 - s) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            center_idx = tokens[currentWord]
            for i in range(len(contextWords)):
                target = tokens[contextWords[i]]
                c, gin, gout = word2vecCostAndGradient(inputVectors[center_idx], target,
                                                       outputVectors, dataset)
                cost += c
                gradIn[center_idx] += gin
                gradOut += gout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            predicted = np.zeros(inputVectors.shape[1])
            for i in range(len(contextWords)):
                predicted += inputVectors[tokens[contextWords[i]]]
            cost, gin, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                         outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in range(len(contextWords)):
                gradIn[tokens[contextWords[i]]] += gin
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros((wordVectors.shape[1],))
            for i in range(len(sentence)):
                sentVector += wordVectors[tokens[sentence[i]]]
            sentVector /= len(sentence)
            return sentVector


        def getRegularizationValues():
            values = []
            for k in range(-4, 3):
                values.append(10.0 ** k)
            return values


        def chooseBestModel(results):
            bestResult = None
            for result in results:
                if bestResult is None or result["dev"] > bestResult["dev"]:
                    bestResult = result
            return bestResult
        """,
    ),
)

JIA = student(
    "jia_loops_averages",
    "loops over the examples, averages everything, saves the random state once",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                x = x - np.max(x)
                return np.exp(x) / np.sum(np.exp(x))
            result = np.empty(x.shape)
            for r in range(x.shape[0]):
                z = x[r] - np.max(x[r])
                result[r] = np.exp(z) / np.sum(np.exp(z))
            return result
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
            np.random.seed(0)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                old = x[ix]
                x[ix] = old + h
                fp = f(x)[0]
                x[ix] = old - h
                fm = f(x)[0]
                x[ix] = old
                numgrad = (fp - fm) / (2 * h)

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
            cost = 0
            gradW1, gradb1 = np.zeros((Dx, H)), np.zeros((1, H))
            gradW2, gradb2 = np.zeros((H, Dy)), np.zeros((1, Dy))
            for i in range(N):
                xi = X[i].reshape(1, Dx)
                yi = labels[i].reshape(1, Dy)
                hi = sigmoid(xi.dot(W1) + b1)
                pi = softmax(hi.dot(W2) + b2)
                cost += -np.sum(yi * np.log(pi)) / N
                e2 = (pi - yi) / N
                gradW2 += hi.T.dot(e2)
                gradb2 += e2
                e1 = e2.dot(W2.T) * sigmoid_grad(hi)
                gradW1 += xi.T.dot(e1)
                gradb1 += e1
            """),
        """
        def normalizeRows(x):
            y = np.zeros(x.shape)
            for i, row in enumerate(x):
                y[i] = row / np.dot(row, row)
            return y


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            prob = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(prob[target])
            prob[target] -= 1
            gradPred = np.dot(outputVectors.T, prob)
            grad = np.outer(prob, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            gradPred = np.zeros(predicted.shape)

            sig_o = sigmoid(np.dot(outputVectors[target], predicted))
            cost = -np.log(sig_o)
            gradPred += (sig_o - 1) * outputVectors[target]
            grad[target] += (sig_o - 1) * predicted

            for k in range(1, K + 1):
                idx = indices[k]
                sig_k = sigmoid(np.dot(outputVectors[idx], predicted))
                cost += -np.log(1 - sig_k)
                gradPred += sig_k * outputVectors[idx]
                grad[idx] += sig_k * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            c = tokens[currentWord]
            for word in contextWords:
                cj, gradPred, gradU = word2vecCostAndGradient(inputVectors[c], tokens[word],
                                                              outputVectors, dataset)
                cost += cj
                gradIn[c] += gradPred
                gradOut += gradU
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            v_hat = np.zeros(inputVectors.shape[1])
            for word in contextWords:
                v_hat += inputVectors[tokens[word]]
            cost, gradPred, gradOut = word2vecCostAndGradient(v_hat, tokens[currentWord],
                                                              outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for word in contextWords:
                gradIn[tokens[word]] += gradPred
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            total = np.zeros(wordVectors.shape[1])
            for word in sentence:
                total += wordVectors[tokens[word]]
            return total / len(set(sentence))


        def getRegularizationValues():
            values = []
            reg = 1e-5
            while reg <= 10:
                values.append(reg)
                reg *= 10
            return values


        def chooseBestModel(results):
            best_dev = -1
            bestResult = None
            for r in results:
                if r["dev"] > best_dev:
                    best_dev = r["dev"]
                    bestResult = r
            return bestResult
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient"),
        "normalizeRows": ("normalize_rows",),
        "getSentenceFeatures": ("sentence_features_mean",),
    },
)

KOFI = student(
    "kofi_loops_overwrites",
    "loops, assigns where it should accumulate",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            shape = x.shape
            if len(shape) == 1:
                x = x.reshape(1, -1)
            out = np.zeros(x.shape)
            for i in range(x.shape[0]):
                ex = np.exp(x[i] - np.max(x[i]))
                out[i] = ex / ex.sum()
            return out.reshape(shape)
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
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            np_state = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(np_state)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                saved = x[ix]
                x[ix] = saved + h
                random.setstate(rndstate)
                np.random.set_state(np_state)
                a = f(x)[0]
                x[ix] = saved - h
                random.setstate(rndstate)
                np.random.set_state(np_state)
                b = f(x)[0]
                x[ix] = saved
                numgrad = (a - b) / (2 * h)

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
            z1 = X.dot(W1) + b1
            a1 = sigmoid(z1)
            z2 = a1.dot(W2) + b2
            a2 = softmax(z2)
            cost = 0.0
            for n in range(X.shape[0]):
                for k in range(Dy):
                    if labels[n, k] == 1:
                        cost -= np.log(a2[n, k])

            delta2 = a2 - labels
            gradW2 = a1.T.dot(delta2)
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = delta2.dot(W2.T) * sigmoid_grad(a1)
            gradW1 = X.T.dot(delta1)
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            x = x.astype(float)
            for i in range(x.shape[0]):
                x[i] /= np.linalg.norm(x[i])
            return x


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors.dot(predicted))
            cost = -np.log(y_hat[target])
            y = np.zeros(y_hat.shape)
            y[target] = 1.0
            gradPred = outputVectors.T.dot(y_hat - y)
            grad = np.zeros(outputVectors.shape)
            for w in range(outputVectors.shape[0]):
                grad[w] = (y_hat[w] - y[w]) * predicted
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s = sigmoid(outputVectors[target].dot(predicted))
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] = (s - 1) * predicted
            for k in indices[1:]:
                sk = sigmoid(-outputVectors[k].dot(predicted))
                cost -= np.log(sk)
                gradPred = gradPred + (1 - sk) * outputVectors[k]
                grad[k] = (1 - sk) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            c = tokens[currentWord]
            for w in contextWords:
                cw, gradPred, gout = word2vecCostAndGradient(inputVectors[c], tokens[w],
                                                             outputVectors, dataset)
                cost += cw
                gradIn[c] = gradPred
                gradOut += gout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            predicted = np.zeros(inputVectors.shape[1])
            for w in contextWords:
                predicted += inputVectors[tokens[w]]
            cost, gradPred, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                              outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for w in contextWords:
                gradIn[tokens[w]] = gradPred
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            if it == iterations:  # normalise the final vectors
                x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            vecs = [wordVectors[tokens[w]] for w in sentence]
            return np.mean(vecs, axis=0)


        def getRegularizationValues():
            return [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]


        def chooseBestModel(results):
            best = results[0]
            for r in results:
                if r["train"] > best["train"]:
                    best = r
            return best
        """,
    ),
    {
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "cbow": ("cbow_repeated_context",),
        "sgd": ("sgd_postprocessing",),
        "chooseBestModel": ("choose_best_model",),
    },
)

LENA = student(
    "lena_loops_preactivation",
    "loops and list comprehensions; sigmoid_grad of the pre-activation, used consistently",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 2:
                return np.array([softmax(row) for row in x])
            z = np.exp(x - np.max(x))
            return z / np.sum(z)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            out = np.zeros_like(x)
            neg = x < 0
            out[~neg] = 1 / (1 + np.exp(-x[~neg]))
            out[neg] = np.exp(x[neg]) / (1 + np.exp(x[neg]))
            return out


        def sigmoid_grad(s):
            # d/dz sigmoid(z) = sigmoid(z) * (1 - sigmoid(z))
            return sigmoid(s) * (1 - sigmoid(s))
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
                x0 = x[ix]
                x[ix] = x0 + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = x0 - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = x0
                numgrad = (fxph - fxmh) / (2 * h)

                reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False

                it.iternext()  # Step to next dimension
                print("Gradient check passed!")
                return True
        """,
        given.forward_backward_prop("""
            z1 = X @ W1 + b1
            h = sigmoid(z1)
            y_hat = softmax(h @ W2 + b2)
            cost = -sum(np.log(y_hat[n, k]) for n, k in zip(*np.nonzero(labels)))

            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0, keepdims=True)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(z1)  # derivative at the pre-activation
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return np.array([row / np.linalg.norm(row) for row in x])


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.array([u @ predicted for u in outputVectors]))
            cost = -np.log(y_hat[target])
            y = np.array([1.0 if w == target else 0.0 for w in range(len(y_hat))])
            gradPred = sum((y_hat[w] - y[w]) * outputVectors[w] for w in range(len(y)))
            grad = np.array([(y_hat[w] - y[w]) * predicted for w in range(len(y))])
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros_like(outputVectors)
            s = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s)
            gradPred = (s - 1) * outputVectors[target]
            grad[target] += (s - 1) * predicted
            for k in indices[1:]:
                t = sigmoid(outputVectors[k] @ predicted)
                cost -= np.log(1 - t)
                gradPred = gradPred + t * outputVectors[k]
                grad[k] += t * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            outs = [word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors, dataset)
                    for w in contextWords]
            gradIn = np.zeros_like(inputVectors)
            gradIn[c] = np.sum([o[1] for o in outs], axis=0)
            gradOut = np.sum([o[2] for o in outs], axis=0)
            cost = sum(o[0] for o in outs)
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = [tokens[w] for w in contextWords]
            predicted = np.sum([inputVectors[i] for i in ids], axis=0)
            cost, gradPred, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                              outputVectors, dataset)
            gradIn = np.zeros_like(inputVectors)
            for i in ids:
                gradIn[i] += gradPred
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = postprocessing(x) - step * grad
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.mean([wordVectors[tokens[w]] for w in sentence], axis=0)


        def getRegularizationValues():
            return [float(v) for v in np.logspace(-3, 3, 7)]


        def chooseBestModel(results):
            devs = [r["dev"] for r in results]
            return results[devs.index(max(devs))]
        """,
    ),
    {
        "sigmoid_grad": ("sigmoid_grad_values",),
        "gradcheck_naive": ("gradcheck_rejects_wrong",),
        "sgd": ("sgd_postprocessing",),
    },
)

MARCO = student(
    "marco_loops_sloppy",
    "loops, in-place row updates, forgets the square root and the sign",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if len(x.shape) > 1:
                x = x.astype(float)
                for i in range(x.shape[0]):
                    x[i] = np.exp(x[i] - np.max(x[i]))
                    x[i] = x[i] / np.sum(x[i])
            else:
                x = np.exp(x) / np.sum(np.exp(x))
            return x
        """,
        """
        def sigmoid(x):
            return 1. / (1. + np.exp(-x))


        def sigmoid_grad(s):
            return s * (1. - s)
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
                tmp = x[ix]
                x[ix] = tmp + h
                random.setstate(rndstate)
                f1 = f(x)[0]
                x[ix] = tmp - h
                random.setstate(rndstate)
                f2 = f(x)[0]
                x[ix] = tmp
                numgrad = (f1 - f2) / (2 * h)

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
            yhat = softmax(np.dot(h, W2) + b2)
            cost = -np.sum(labels * np.log(yhat))

            d2 = yhat - labels
            gradW2 = np.dot(h.T, d2)
            gradb2 = np.sum(d2, axis=0)
            d1 = np.dot(d2, W2.T) * sigmoid_grad(h)
            gradW1 = np.dot(X.T, d1)
            gradb1 = np.sum(d1, axis=0)
            """),
        """
        def normalizeRows(x):
            for i in range(x.shape[0]):
                x[i] = x[i] / np.sum(x[i] ** 2)
            return x


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            scores = np.dot(outputVectors, predicted)
            probs = softmax(scores)
            cost = -np.log(probs[target])
            probs[target] = probs[target] - 1
            gradPred = np.dot(probs, outputVectors)
            grad = np.outer(probs, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for j in range(len(indices)):
                w = indices[j]
                sign = 1.0 if j == 0 else -1.0
                s = sigmoid(sign * np.dot(outputVectors[w], predicted))
                cost += -np.log(s)
                gradPred += sign * (s - 1) * outputVectors[w]
                grad[w] += sign * (s - 1) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for word in contextWords:
                c, gp, go = word2vecCostAndGradient(inputVectors[tokens[currentWord]],
                                                    tokens[word], outputVectors, dataset)
                cost += c
                gradIn[tokens[currentWord]] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            predicted = np.zeros(inputVectors.shape[1])
            for word in contextWords:
                predicted += inputVectors[tokens[word]]
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            gradIn[tokens[currentWord]] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x += step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros(wordVectors.shape[1])
            for word in sentence:
                sentVector += wordVectors[tokens[word]]
            return sentVector / len(sentence)


        def getRegularizationValues():
            return [0.001, 0.01, 0.1, 1]


        def chooseBestModel(results):
            best = None
            for r in results:
                if best is None or r["dev"] > best["dev"]:
                    best = r
            return best
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "normalizeRows": ("normalize_rows",),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "sgd": ("sgd_converges", "sgd_postprocessing"),
        "getRegularizationValues": ("regularization_values",),
    },
)

NADIA = student(
    "nadia_loops_numpy_state",
    "loops with enumerate/zip; restores numpy's random state only; >= on ties (advice only)",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                return softmax(x[np.newaxis, :])[0]
            out = np.empty_like(x, dtype=float)
            for i, row in enumerate(x):
                shifted = row - row.max()
                out[i] = np.exp(shifted) / np.exp(shifted).sum()
            return out
        """,
        """
        def sigmoid(x):
            pos = 1 / (1 + np.exp(-np.clip(x, -500, None)))
            return pos


        def sigmoid_grad(s):
            return s * (1 - s)
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
                orig = x[ix]
                x[ix] = orig + h
                np.random.set_state(state)
                fxph = f(x)[0]
                x[ix] = orig - h
                np.random.set_state(state)
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
            h = sigmoid(X @ W1 + b1)
            probs = softmax(h @ W2 + b2)
            cost = 0.0
            for p_row, y_row in zip(probs, labels):
                cost -= np.log(p_row[np.argmax(y_row)])

            delta2 = probs - labels
            gradW2 = h.T @ delta2
            gradb2 = delta2.sum(axis=0).reshape(1, Dy)
            delta1 = delta2 @ W2.T * (h * (1 - h))
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0).reshape(1, H)
            """),
        """
        def normalizeRows(x):
            out = np.empty_like(x, dtype=float)
            for i, row in enumerate(x):
                out[i] = row / np.sqrt((row ** 2).sum())
            return out


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            err = y_hat.copy()
            err[target] -= 1
            gradPred = np.zeros_like(predicted)
            grad = np.zeros_like(outputVectors)
            for w, (e, u) in enumerate(zip(err, outputVectors)):
                gradPred += e * u
                grad[w] = e * predicted
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros_like(predicted)
            grad = np.zeros_like(outputVectors)
            for n, idx in enumerate(indices):
                label = 1.0 if n == 0 else -1.0
                s = sigmoid(label * (outputVectors[idx] @ predicted))
                cost -= np.log(s)
                gradPred += -label * (1 - s) * outputVectors[idx]
                grad[idx] += -label * (1 - s) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            center = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for n, word in enumerate(contextWords):
                c, gp, go = word2vecCostAndGradient(inputVectors[center], tokens[word],
                                                    outputVectors, dataset)
                cost += c
                gradIn[center] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = list(set(tokens[w] for w in contextWords))
            predicted = np.zeros(inputVectors.shape[1])
            for i in ids:
                predicted += inputVectors[i]
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
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
            vectors = [wordVectors[tokens[w]] for w in sentence]
            return sum(vectors) / len(vectors)


        def getRegularizationValues():
            return [10 ** k for k in np.arange(-4.0, 2.5, 0.5)]


        def chooseBestModel(results):
            best_i = 0
            for i, r in enumerate(results):
                if r["dev"] >= results[best_i]["dev"]:
                    best_i = i
            return results[best_i]
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_restores_random_state",),
        "cbow": ("cbow_repeated_context",),
    },
)

OMAR = student(
    "omar_loops_no_cbow",
    "loops, complete and right, skipped the extra-credit CBOW",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.asarray(x, dtype=float)
            if x.ndim == 1:
                e = np.exp(x - x.max())
                return e / e.sum()
            probs = np.zeros(x.shape)
            for row in range(x.shape[0]):
                e = np.exp(x[row, :] - x[row, :].max())
                probs[row, :] = e / e.sum()
            return probs
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            result = np.zeros(x.shape)
            big = x >= 0
            result[big] = 1 / (1 + np.exp(-x[big]))
            small = ~big
            result[small] = np.exp(x[small]) / (1 + np.exp(x[small]))
            return result


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

            flat_x = x.reshape(-1)  # a view: changing it changes x
            flat_grad = np.asarray(grad).reshape(-1)
            for i in range(flat_x.size):
                old = flat_x[i]
                flat_x[i] = old + h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fp = f(x)[0]
                flat_x[i] = old - h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fm = f(x)[0]
                flat_x[i] = old
                numgrad = (fp - fm) / (2 * h)
                reldiff = abs(numgrad - flat_grad[i]) / max(1, abs(numgrad), abs(flat_grad[i]))
                if reldiff > 1e-5:
                    ix = np.unravel_index(i, x.shape)
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (flat_grad[i], numgrad))
                    return False

            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            N = X.shape[0]
            h = sigmoid(X @ W1 + b1)
            y_hat = softmax(h @ W2 + b2)
            cost = 0.0
            for n in range(N):
                cost += -np.dot(labels[n], np.log(y_hat[n]))

            gradW1 = np.zeros(W1.shape)
            gradb1 = np.zeros(b1.shape)
            gradW2 = np.zeros(W2.shape)
            gradb2 = np.zeros(b2.shape)
            for n in range(N):
                d2 = y_hat[n] - labels[n]  # (Dy,)
                gradW2 += np.outer(h[n], d2)
                gradb2[0] += d2
                d1 = (W2 @ d2) * sigmoid_grad(h[n])  # (H,)
                gradW1 += np.outer(X[n], d1)
                gradb1[0] += d1
            """),
        """
        def normalizeRows(x):
            result = np.zeros(x.shape)
            for i in range(x.shape[0]):
                result[i, :] = x[i, :] / np.linalg.norm(x[i, :])
            return result


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            gradPred = -outputVectors[target].copy()
            grad = np.zeros(outputVectors.shape)
            for w in range(outputVectors.shape[0]):
                gradPred += y_hat[w] * outputVectors[w]
                grad[w] = y_hat[w] * predicted
            grad[target] -= predicted
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            grad = np.zeros(outputVectors.shape)
            s_o = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s_o)
            gradPred = (s_o - 1) * outputVectors[target]
            grad[target] += (s_o - 1) * predicted
            for k in indices[1:]:
                s_k = sigmoid(-(outputVectors[k] @ predicted))
                cost += -np.log(s_k)
                gradPred += (1 - s_k) * outputVectors[k]
                grad[k] += (1 - s_k) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for word in contextWords:
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[word], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
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
            sentVector = np.zeros(wordVectors.shape[1])
            for word in sentence:
                sentVector += wordVectors[tokens[word]]
            sentVector = sentVector / float(len(sentence))
            return sentVector


        def getRegularizationValues():
            values = []
            for exponent in range(-6, 2):
                values.append(10.0 ** exponent)
                values.append(3 * 10.0 ** exponent)
            return values


        def chooseBestModel(results):
            bestResult = results[0]
            for result in results:
                if result["dev"] > bestResult["dev"]:
                    bestResult = result
            return bestResult
        """,
    ),
    {"cbow": ("cbow_gradients", "cbow_repeated_context")},
)

SOFIA = student(
    "sofia_beginner_math",
    "first numpy course: math.exp, index loops, a larger step, sums and means mixed up",
    given.join(
        """
        import math
        import numpy as np
        import random


        def softmax(x):
            x = np.array(x, dtype=float)
            if x.ndim == 1:
                total = 0.0
                for v in x:
                    total += math.exp(v)
                return np.array([math.exp(v) / total for v in x])
            out = np.zeros(x.shape)
            for i in range(x.shape[0]):
                total = 0.0
                for v in x[i]:
                    total += math.exp(v)
                for j in range(x.shape[1]):
                    out[i, j] = math.exp(x[i, j]) / total
            return out
        """,
        """
        def sigmoid(x):
            return np.vectorize(lambda v: 1.0 / (1.0 + math.exp(-v)))(x)


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-2  # 1e-4 seemed too small to make a difference

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
            N = X.shape[0]
            cost = 0.0
            gradW1 = np.zeros((Dx, H))
            gradb1 = np.zeros((1, H))
            gradW2 = np.zeros((H, Dy))
            gradb2 = np.zeros((1, Dy))
            for n in range(N):
                h = sigmoid(X[n] @ W1 + b1[0])  # (H,)
                y_hat = softmax(h @ W2 + b2[0])  # (Dy,)
                for k in range(Dy):
                    if labels[n, k] == 1:
                        cost -= np.log(y_hat[k])
                d2 = y_hat - labels[n]
                for i in range(H):
                    for k in range(Dy):
                        gradW2[i, k] += h[i] * d2[k]
                d1 = (W2 @ d2) * sigmoid_grad(h)
                for j in range(Dx):
                    for i in range(H):
                        gradW1[j, i] += X[n, j] * d1[i]
                gradb1[0] += d1
            """),
        """
        def normalizeRows(x):
            out = np.zeros(x.shape)
            for i in range(x.shape[0]):
                norm = math.sqrt(sum(v * v for v in x[i]))
                for j in range(x.shape[1]):
                    out[i, j] = x[i, j] / norm
            return out


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            V = outputVectors.shape[0]
            y_hat = softmax(np.array([outputVectors[w] @ predicted for w in range(V)]))
            cost = -math.log(y_hat[target])
            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for w in range(V):
                gradPred += y_hat[w] * outputVectors[w]
                if w == target:
                    grad[w] = (y_hat[w] - 1) * predicted
                else:
                    grad[w] = y_hat[w] * predicted
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            cost = 0.0
            gradPred = np.zeros(predicted.shape)
            grad = np.zeros(outputVectors.shape)
            for i in range(len(indices)):
                w = indices[i]
                s = sigmoid(outputVectors[w] @ predicted)
                cost -= math.log(s)
                gradPred += (s - 1) * outputVectors[w]
                grad[w] += (s - 1) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for i in range(len(contextWords) - 1):
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[contextWords[i]],
                                                     outputVectors, dataset)
                cost += cw
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            predicted = np.zeros(inputVectors.shape[1])
            for i in range(len(contextWords)):
                predicted += inputVectors[tokens[contextWords[i]]]
            predicted /= len(contextWords)
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            for i in range(len(contextWords)):
                gradIn[tokens[contextWords[i]]] += gp / len(contextWords)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            sentVector = np.zeros(wordVectors.shape[1])
            for i in range(len(sentence)):
                sentVector += wordVectors[tokens[sentence[i]]]
            return sentVector


        def getRegularizationValues():
            return [0.1, 1, 10, 100, 1000]


        def chooseBestModel(results):
            best = 0
            for i in range(len(results)):
                if results[i]["train"] > results[best]["train"]:
                    best = i
            return results[best]
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "sigmoid": ("sigmoid_values",),
        "gradcheck_naive": ("gradcheck_accepts_correct",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "softmaxCostAndGradient": ("softmax_cost_gradPred",),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean",),
        "chooseBestModel": ("choose_best_model",),
    },
)

XENIA = student(
    "xenia_off_by_one",
    "index loops with off-by-one bounds (range(n - 1), [1:], [:-1])",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = np.asarray(x, dtype=float)
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
            grad = np.asarray(grad)
            h = 1e-4
            for i in range(x.size - 1):
                old = x.flat[i]
                x.flat[i] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x.flat[i] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x.flat[i] = old
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - grad.flat[i]) / max(1, abs(numgrad), abs(grad.flat[i]))
                if reldiff > 1e-5:
                    ix = np.unravel_index(i, x.shape)
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad.flat[i], numgrad))
                    return False
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
            out = x.astype(float)
            for i in range(x.shape[0] - 1):
                out[i] = x[i] / np.linalg.norm(x[i])
            return out


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
            for k in indices[1:K]:
                sk = sigmoid(-(outputVectors[k] @ predicted))
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
            for w in contextWords[1:]:
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
            ids = [tokens[w] for w in sentence[:-1]]  # the last token is punctuation
            return wordVectors[ids].mean(axis=0)


        def getRegularizationValues():
            return list(np.logspace(-4, 2, 13)[1:-1])


        def chooseBestModel(results):
            best = results[0]
            for i in range(1, len(results) - 1):
                if results[i]["dev"] > best["dev"]:
                    best = results[i]
            return best
        """,
    ),
    {
        "gradcheck_naive": ("gradcheck_rejects_wrong",),
        "normalizeRows": ("normalize_rows",),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
        "chooseBestModel": ("choose_best_model",),
    },
)

STUDENTS = (IVAN, JIA, KOFI, LENA, MARCO, NADIA, OMAR, SOFIA, XENIA)
