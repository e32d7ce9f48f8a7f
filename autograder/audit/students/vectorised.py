"""Students who write modern, vectorised numpy: `@`, keepdims, fancy indexing, np.add.at."""

from autograder.audit.students import given
from autograder.audit.students.model import student

ANA = student(
    "ana_vectorised",
    "textbook vectorised numpy, careful, reads the pitfalls",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            # shift by the row max so exp never overflows (part (a))
            shifted = x - np.max(x, axis=-1, keepdims=True)
            e = np.exp(shifted)
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            e = np.exp(-np.abs(x))  # always <= 1
            return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


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
                fplus = f(x)[0]

                x[ix] = old - h
                random.setstate(rndstate)
                np.random.set_state(npstate)
                fminus = f(x)[0]

                x[ix] = old
                numgrad = (fplus - fminus) / (2 * h)

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
            # forward
            z1 = X @ W1 + b1
            h = sigmoid(z1)
            z2 = h @ W2 + b2
            y_hat = softmax(z2)
            cost = -np.sum(labels * np.log(y_hat))

            # backward
            delta2 = y_hat - labels
            gradW2 = h.T @ delta2
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(h)
            gradW1 = X.T @ delta1
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


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
            u_o = outputVectors[target]
            u_k = outputVectors[neg]  # (K, D), repeats allowed when reading

            s_o = sigmoid(u_o @ predicted)
            s_k = sigmoid(-(u_k @ predicted))  # sigma(-u_k . v)

            cost = -np.log(s_o) - np.sum(np.log(s_k))
            gradPred = (s_o - 1) * u_o + (1 - s_k) @ u_k

            grad = np.zeros_like(outputVectors)
            grad[target] += (s_o - 1) * predicted
            np.add.at(grad, neg, np.outer(1 - s_k, predicted))
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            c = tokens[currentWord]
            v_c = inputVectors[c]
            for word in contextWords:
                cst, gp, g = word2vecCostAndGradient(v_c, tokens[word], outputVectors, dataset)
                cost += cst
                gradIn[c] += gp
                gradOut += g
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            idx = [tokens[w] for w in contextWords]
            v_hat = np.sum(inputVectors[idx], axis=0)
            cost, gradPred, gradOut = word2vecCostAndGradient(
                v_hat, tokens[currentWord], outputVectors, dataset)
            gradIn = np.zeros(inputVectors.shape)
            np.add.at(gradIn, idx, gradPred)  # repeated context words add up
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            rows = [tokens[w] for w in sentence]
            sentVector = wordVectors[rows].mean(axis=0)
            return sentVector


        def getRegularizationValues():
            values = np.logspace(-5, 1, 13)
            return sorted(values.tolist())


        def chooseBestModel(results):
            bestResult = max(results, key=lambda r: r["dev"])
            return bestResult
        """,
    ),
)

BEN = student(
    "ben_vectorised_means",
    "vectorised, averages where the handout sums, fancy-index updates",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = x - x.max(axis=-1, keepdims=True)
            ex = np.exp(x)
            return ex / ex.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_grad(s):
            return s - s ** 2
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
                x[ix] += h
                random.setstate(rndstate)
                fxh1, _ = f(x)
                x[ix] -= 2 * h
                random.setstate(rndstate)
                fxh2, _ = f(x)
                x[ix] += h
                numgrad = (fxh1 - fxh2) / (2 * h)

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
            # average cross entropy over the batch
            cost = -np.sum(labels * np.log(y_hat)) / N

            d2 = (y_hat - labels) / N
            gradW2 = h.T @ d2
            gradb2 = d2.sum(axis=0, keepdims=True)
            d1 = (d2 @ W2.T) * sigmoid_grad(h)
            gradW1 = X.T @ d1
            gradb1 = d1.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            norms = np.sqrt(np.sum(x ** 2, axis=1, keepdims=True))
            return x / norms


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            probs = softmax(outputVectors @ predicted)
            cost = -np.log(probs[target])
            dscores = probs.copy()
            dscores[target] -= 1.0
            gradPred = dscores @ outputVectors
            grad = dscores[:, None] * predicted[None, :]
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            neg = indices[1:]
            scores = outputVectors[indices] @ predicted  # (K + 1,)
            signs = np.array([1.0] + [-1.0] * K)
            sig = sigmoid(signs * scores)
            cost = -np.sum(np.log(sig))

            coeff = signs * (sig - 1)  # d cost / d score
            gradPred = coeff @ outputVectors[indices]
            grad = np.zeros_like(outputVectors)
            grad[target] += coeff[0] * predicted
            grad[neg] += np.outer(coeff[1:], predicted)
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            center = tokens[currentWord]
            cost = 0.0
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in contextWords:
                c, gPred, gOut = word2vecCostAndGradient(
                    inputVectors[center], tokens[w], outputVectors, dataset)
                cost += c
                gradIn[center] += gPred
                gradOut += gOut
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ctx = [tokens[w] for w in contextWords]
            v_hat = inputVectors[ctx].mean(axis=0)  # average context vector
            cost, gPred, gradOut = word2vecCostAndGradient(
                v_hat, tokens[currentWord], outputVectors, dataset)
            gradIn = np.zeros_like(inputVectors)
            for i in ctx:
                gradIn[i] += gPred / len(ctx)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - step * grad / np.linalg.norm(grad)  # steps of a fixed length
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            idx = [tokens[word] for word in sentence]
            return np.mean(wordVectors[idx], axis=0)


        def getRegularizationValues():
            return [10.0 ** p for p in range(-5, 2)]


        def chooseBestModel(results):
            return max(results, key=lambda result: result["dev"])
        """,
    ),
    {
        "forward_backward_prop": ("forward_backward_cost", "forward_backward_gradient"),
        "negSamplingCostAndGradient": ("neg_sampling_repeated_samples",),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "sgd": ("sgd_converges", "sgd_postprocessing"),
    },
)

CHLOE = student(
    "chloe_vectorised_none_axis",
    "vectorised with [:, None] instead of keepdims, TODO comments left in",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            if x.ndim == 1:
                e = np.exp(x - np.max(x))
                return e / np.sum(e)
            e = np.exp(x - np.max(x, axis=1)[:, None])
            return e / np.sum(e, axis=1)[:, None]
        """,
        """
        def sigmoid(x):
            x = np.array(x, dtype=np.float64)
            out = np.empty_like(x)
            pos = x >= 0
            out[pos] = 1 / (1 + np.exp(-x[pos]))
            ex = np.exp(x[~pos])
            out[~pos] = ex / (1 + ex)
            return out


        def sigmoid_grad(s):
            # derivative of 1 / (1 + e^-s)
            return np.exp(-s) / (1 + np.exp(-s)) ** 2
        """,
        """
        def gradcheck_naive(f, x):
            state = random.getstate()  # np.random is not used by the datasets
            random.setstate(state)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                orig = x[ix]
                x[ix] = orig + h
                random.setstate(state)
                f_plus = f(x)[0]
                x[ix] = orig - h
                random.setstate(state)
                f_minus = f(x)[0]
                x[ix] = orig
                numgrad = (f_plus - f_minus) / (2 * h)

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
            hidden = sigmoid(X @ W1 + b1)
            scores = hidden @ W2 + b2
            probs = softmax(scores)
            cost = -np.sum(np.log(probs[labels == 1]))

            delta2 = probs - labels
            gradW2 = hidden.T @ delta2
            gradb2 = np.sum(delta2, axis=0)[None, :]
            delta1 = delta2 @ W2.T * sigmoid_grad(hidden)
            gradW1 = X.T @ delta1
            gradb1 = np.zeros_like(b1)  # TODO bias of the hidden layer
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            y = np.zeros_like(y_hat)
            y[target] = 1
            gradPred = outputVectors.T @ (y_hat - y)
            grad = (y_hat - y)[:, None] @ predicted[None, :]
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            gradPred = np.zeros_like(predicted)
            grad = np.zeros_like(outputVectors)

            s = sigmoid(outputVectors[target] @ predicted)
            cost = -np.log(s)
            gradPred += (s - 1) * outputVectors[target]
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
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            for w in set(contextWords):  # each context word once
                cw, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                     dataset)
                cost += cw
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            idx = [tokens[w] for w in contextWords]
            predicted = inputVectors[idx].sum(axis=0)
            cost, gradPred, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                              outputVectors, dataset)
            gradIn = np.zeros_like(inputVectors)
            for i in idx:
                gradIn[i] += gradPred
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
            return sentVector  # TODO normalise?


        def getRegularizationValues():
            return list(np.logspace(-4, 1, 11))


        def chooseBestModel(results):
            best = 0
            for i in range(len(results)):
                if results[i]["dev"] > results[best]["dev"]:
                    best = i
            return results[best]
        """,
    ),
    {
        "sigmoid_grad": ("sigmoid_grad_values",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "normalizeRows": ("normalize_rows",),
        "skipgram": ("skipgram_repeated_context",),
        "getSentenceFeatures": ("sentence_features_mean",),
    },
)

DEV = student(
    "dev_einsum",
    "einsum for every product, compact one-liners",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            z = x - np.amax(x)
            p = np.exp(z)
            p /= p.sum(axis=-1, keepdims=True)
            return p
        """,
        """
        def sigmoid(x):
            return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


        def sigmoid_grad(s):
            return np.einsum("...,...->...", s, 1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            states = (random.getstate(), np.random.get_state())

            def call(point):
                random.setstate(states[0])
                np.random.set_state(states[1])
                return f(point)

            fx, grad = call(x)
            h = 1e-4
            for ix in np.ndindex(*x.shape):
                keep = x[ix]
                x[ix] = keep + h
                up = call(x)[0]
                x[ix] = keep - h
                down = call(x)[0]
                x[ix] = keep
                numgrad = (up - down) / (2 * h)
                err = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
                if err > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (grad[ix], numgrad))
                    return False
            print("Gradient check passed!")
            return True
        """,
        given.forward_backward_prop("""
            h = sigmoid(np.einsum("nd,dh->nh", X, W1) + b1)
            y_hat = softmax(np.einsum("nh,hy->ny", h, W2) + b2)
            cost = -np.einsum("ny,ny->", labels, np.log(y_hat))

            d2 = y_hat - labels
            gradW2 = np.einsum("nh,ny->hy", h, d2)
            gradb2 = np.einsum("ny->y", d2)[None]
            d1 = np.einsum("ny,hy->nh", d2, W2) * sigmoid_grad(h)
            gradW1 = np.einsum("nd,nh->dh", X, d1)
            gradb1 = np.einsum("nh->h", d1)[None]
            """),
        """
        def normalizeRows(x):
            return x / np.einsum("ij,ij->i", x, x)[:, np.newaxis]


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.einsum("vd,d->v", outputVectors, predicted))
            y_hat[target] -= 1  # y_hat - y
            cost = -np.log(y_hat[target])
            gradPred = np.einsum("vd,v->d", outputVectors, y_hat)
            grad = np.einsum("v,d->vd", y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            U = outputVectors[indices]  # (K + 1, D)
            sign = np.r_[1.0, -np.ones(K)]
            s = sigmoid(sign * np.einsum("kd,d->k", U, predicted))
            cost = -np.log(s).sum()
            g = sign * (s - 1)
            gradPred = np.einsum("k,kd->d", g, U)
            grad = np.zeros_like(outputVectors)
            np.add.at(grad, indices, np.einsum("k,d->kd", g, predicted))
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            gradIn = np.zeros_like(inputVectors)
            gradOut = np.zeros_like(outputVectors)
            cost = 0.0
            for target in (tokens[w] for w in contextWords):
                j, gp, go = word2vecCostAndGradient(inputVectors[c], target, outputVectors, dataset)
                cost, gradIn[c], gradOut = cost + j, gradIn[c] + gp, gradOut + go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            onehots = np.zeros((len(contextWords), inputVectors.shape[0]))
            onehots[np.arange(len(contextWords)), [tokens[w] for w in contextWords]] = 1
            counts = onehots.sum(axis=0)  # how often each word occurs in the context
            v_hat = np.einsum("v,vd->d", counts, inputVectors)
            cost, gp, gradOut = word2vecCostAndGradient(v_hat, tokens[currentWord],
                                                        outputVectors, dataset)
            gradIn = np.einsum("v,d->vd", counts, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = postprocessing(x - step * grad)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return np.einsum("md->d", wordVectors[[tokens[w] for w in sentence]]) / len(sentence)


        def getRegularizationValues():
            return [0.0] + list(np.logspace(-4, 2, 7))  # include no regularisation as a baseline


        def chooseBestModel(results):
            devs = np.array([r["dev"] for r in results])
            return results[int(np.argmax(devs))]
        """,
    ),
    {
        "softmax": ("softmax_stability",),
        "normalizeRows": ("normalize_rows",),
        "softmaxCostAndGradient": ("softmax_cost_value",),
        "getRegularizationValues": ("regularization_values",),
    },
)

ELI = student(
    "eli_vectorised_shortcuts",
    "vectorised, takes shortcuts: one-sided differences, whole-matrix sums",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / e.sum()
        """,
        """
        def sigmoid(x):
            return np.exp(-np.logaddexp(0, -x))  # log-sum-exp trick, no overflow


        def sigmoid_grad(s):
            # derivative of the sigmoid
            sig = sigmoid(s)
            return sig * (1 - sig)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            nprndstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(nprndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                x[ix] += h
                random.setstate(rndstate)
                np.random.set_state(nprndstate)
                fxh = f(x)[0]
                x[ix] -= h
                numgrad = (fxh - fx) / h  # f(x) is already known

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
            out = softmax(h @ W2 + b2)
            cost = -np.sum(labels * np.log(out))

            err2 = out - labels
            gradW2 = h.T @ err2
            gradb2 = err2.sum(0, keepdims=True)
            err1 = err2 @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ err1
            gradb1 = err1.sum(0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, ord=2, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            p = softmax(outputVectors @ predicted)
            cost = -np.log(p[target])
            p_minus_y = p - np.eye(len(p))[target]
            gradPred = outputVectors.T @ p_minus_y
            grad = np.outer(p_minus_y, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            u = outputVectors[indices]  # target first, then the samples
            z = u @ predicted
            z[1:] *= -1
            s = sigmoid(z)
            cost = -np.sum(np.log(s))
            coef = s - 1
            coef[1:] *= -1
            gradPred = u.T @ coef
            grad = np.zeros_like(outputVectors)
            np.add.at(grad, indices, coef[:, None] * predicted)
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
                dc, dpred, dout = word2vecCostAndGradient(inputVectors[c], tokens[w],
                                                          outputVectors, dataset)
                cost += dc
                gradIn[c, :] += dpred
                gradOut += dout
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ids = np.array([tokens[w] for w in contextWords])
            cost, dpred, gradOut = word2vecCostAndGradient(inputVectors[ids].sum(0),
                                                           tokens[currentWord], outputVectors,
                                                           dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, dpred)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x -= step * grad
            postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence]].mean(axis=0)


        def getRegularizationValues():
            return np.logspace(-4, 2, num=10).tolist()


        def chooseBestModel(results):
            # the test accuracy is what we report in the end
            return max(results, key=lambda r: r["test"])
        """,
    ),
    {
        "softmax": ("softmax_matrix_rows",),
        "sigmoid_grad": ("sigmoid_grad_values",),
        "gradcheck_naive": ("gradcheck_accepts_correct",),
        "sgd": ("sgd_postprocessing",),
        "chooseBestModel": ("choose_best_model",),
    },
)

FAY = student(
    "fay_vectorised_fancy_index",
    "vectorised, fancy-indexed updates, postprocessing first",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            orig_shape = x.shape
            x = np.atleast_2d(x)
            x = np.exp(x - x.max(axis=1, keepdims=True))
            x = x / x.sum(axis=1, keepdims=True)
            return x.reshape(orig_shape)
        """,
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            np_rndstate = np.random.get_state()
            random.setstate(rndstate)
            np.random.set_state(np_rndstate)
            fx, grad = f(x)
            h = 1e-4

            it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
            while not it.finished:
                ix = it.multi_index
                x_ix = x[ix]
                x[ix] = x_ix + h
                random.setstate(rndstate)
                np.random.set_state(np_rndstate)
                fxph, _ = f(x)
                x[ix] = x_ix - h
                random.setstate(rndstate)
                np.random.set_state(np_rndstate)
                fxmh, _ = f(x)
                x[ix] = x_ix
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
            a1 = sigmoid(X @ W1 + b1)
            a2 = softmax(a1 @ W2 + b2)
            cost = float(-np.sum(labels * np.log(a2)))

            delta2 = a2 - labels
            gradW2 = a1.T @ delta2
            gradb2 = delta2.sum(axis=0)
            delta1 = (delta2 @ W2.T) * sigmoid_grad(a1)
            gradW1 = X.T @ delta1
            gradb1 = delta1.sum(axis=0)
            """),
        """
        def normalizeRows(x):
            x = x / np.linalg.norm(x, axis=-1, keepdims=True)
            return x


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            yhat = softmax(outputVectors.dot(predicted))
            cost = -np.log(yhat[target])
            yhat[target] -= 1
            gradPred = outputVectors.T.dot(yhat)
            grad = np.outer(yhat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            idx = np.array(indices)
            sign = -np.ones(K + 1)
            sign[0] = 1
            dots = sign * outputVectors[idx].dot(predicted)
            sig = sigmoid(dots)
            cost = -np.log(sig).sum()
            d = -(1 - sig) * sign
            gradPred = outputVectors[idx].T.dot(d)
            grad = np.zeros(outputVectors.shape)
            for j, w in enumerate(idx):
                grad[w] += d[j] * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            center = tokens[currentWord]
            results = [word2vecCostAndGradient(inputVectors[center], tokens[w], outputVectors,
                                               dataset) for w in contextWords]
            cost = sum(r[0] for r in results)
            gradIn = np.zeros_like(inputVectors)
            gradIn[center] = sum(r[1] for r in results)
            gradOut = sum(r[2] for r in results)
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            idx = [tokens[w] for w in contextWords]
            cost, gradPred, gradOut = word2vecCostAndGradient(inputVectors[idx].sum(axis=0),
                                                              tokens[currentWord], outputVectors,
                                                              dataset)
            gradIn = np.zeros_like(inputVectors)
            gradIn[idx] += gradPred
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            x = postprocessing(x)
            cost, grad = f(x)
            x -= step * grad
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            indices = [tokens[w] for w in sentence]
            sentVector = np.average(wordVectors[np.unique(indices)], axis=0)
            return sentVector


        def getRegularizationValues():
            return list(10 ** np.linspace(-4, 2, 13))


        def chooseBestModel(results):
            return sorted(results, key=lambda r: r["dev"])[0]
        """,
    ),
    {
        "cbow": ("cbow_repeated_context",),
        "sgd": ("sgd_postprocessing",),
        "getSentenceFeatures": ("sentence_features_mean",),
        "chooseBestModel": ("choose_best_model",),
    },
)

GUS = student(
    "gus_dot_wrong_axes",
    "np.dot everywhere, gets axes and chain rules wrong",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            x = x - np.max(x, axis=0)
            e = np.exp(x)
            return e / np.sum(e, axis=0)
        """,
        """
        def sigmoid(x):
            result = np.zeros_like(x)
            positive = x >= 0
            result[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
            result[~positive] = np.exp(x[~positive]) / (1.0 + np.exp(x[~positive]))
            return result


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

                x_plus = x.copy()
                x_plus[ix] += h
                random.setstate(rndstate)
                f_plus = f(x_plus)[0]
                x_minus = x.copy()
                x_minus[ix] -= h
                random.setstate(rndstate)
                f_minus = f(x_minus)[0]
                numgrad = (f_plus - f_minus) / (2 * h)

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
            h = sigmoid(z1)
            z2 = np.dot(h, W2) + b2
            yhat = softmax(z2)
            cost = -np.sum(labels * np.log(yhat))

            delta2 = yhat - labels
            gradW2 = np.dot(h.T, delta2)
            gradb2 = np.sum(delta2, axis=0, keepdims=True)
            delta1 = np.dot(delta2, W2.T) * sigmoid_grad(z1)
            gradW1 = np.dot(X.T, delta1)
            gradb1 = np.sum(delta1, axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            denom = np.sqrt(np.sum(np.square(x), axis=1)).reshape(-1, 1)
            return x / denom


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(np.dot(outputVectors, predicted))
            cost = -np.log(y_hat[target])
            delta = y_hat.copy()
            delta[target] -= 1
            gradPred = np.dot(outputVectors.T, delta)
            grad = np.dot(delta.reshape(-1, 1), predicted.reshape(1, -1))
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            u_o = outputVectors[target]
            s_o = sigmoid(np.dot(u_o, predicted))
            cost = -np.log(s_o)
            grad = np.zeros(outputVectors.shape)
            grad[target] = (s_o - 1) * predicted
            gradPred = np.zeros(predicted.shape)
            for k in indices[1:]:
                s_k = sigmoid(-np.dot(outputVectors[k], predicted))
                cost -= np.log(s_k)
                gradPred += (1 - s_k) * outputVectors[k]
                grad[k] += (1 - s_k) * predicted
            return cost, gradPred, grad
            """),
        """
        def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                     word2vecCostAndGradient=softmaxCostAndGradient):
            c = tokens[currentWord]
            m = len(contextWords)
            cost = 0.0
            gradIn = np.zeros(inputVectors.shape)
            gradOut = np.zeros(outputVectors.shape)
            for word in contextWords:
                cc, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[word], outputVectors,
                                                     dataset)
                cost += cc / m
                gradIn[c] += gp / m
                gradOut += go / m
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            gradIn = np.zeros(inputVectors.shape)
            predicted = np.zeros(inputVectors.shape[1])
            for word in contextWords:
                predicted += inputVectors[tokens[word]]
            cost, gp, gradOut = word2vecCostAndGradient(predicted, tokens[currentWord],
                                                        outputVectors, dataset)
            for word in contextWords:
                gradIn[tokens[word]] += gp
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x = x - np.dot(step, grad)
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            ids = [tokens[w] for w in sentence]
            return np.mean(wordVectors[ids])


        def getRegularizationValues():
            return [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]


        def chooseBestModel(results):
            return results[np.argmax([r["dev"] for r in results])]
        """,
    ),
    {
        "softmax": ("softmax_matrix_rows", "softmax_single_row_matrix", "softmax_stability"),
        "sigmoid": ("sigmoid_values",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "negSamplingCostAndGradient": ("neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "skipgram": ("skipgram_gradients", "skipgram_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean", "sentence_features_shape"),
    },
)

HANA = student(
    "hana_vectorised_linear_grid",
    "vectorised and tidy, skips the centre word, a linear grid of regularisation values",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            m = np.max(x, axis=-1, keepdims=True)
            lse = m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
            return np.exp(x - lse)
        """,
        """
        def sigmoid(x):
            return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


        def sigmoid_grad(s):
            return s * (1 - s)
        """,
        """
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
                value = x[ix]
                x[ix] = value + h
                restore()
                fxph = f(x)[0]
                x[ix] = value - h
                restore()
                fxmh = f(x)[0]
                x[ix] = value
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
            hidden = sigmoid(X.dot(W1) + b1)
            y_hat = softmax(hidden.dot(W2) + b2)
            N = X.shape[0]
            cost = -np.log(y_hat[np.arange(N), np.argmax(labels, axis=1)]).sum()

            d_scores = y_hat - labels
            gradW2 = hidden.T.dot(d_scores)
            gradb2 = d_scores.sum(axis=0, keepdims=True)
            d_hidden = d_scores.dot(W2.T) * sigmoid_grad(hidden)
            gradW1 = X.T.dot(d_hidden)
            gradb1 = d_hidden.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            row_norms = np.linalg.norm(x, axis=1)
            return x / row_norms[:, np.newaxis]


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors.dot(predicted))
            cost = -np.log(y_hat[target])
            err = y_hat.copy()
            err[target] -= 1
            gradPred = err.dot(outputVectors)
            grad = np.outer(err, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            words, counts = np.unique(indices[1:], return_counts=True)  # repeated samples
            s_o = sigmoid(outputVectors[target].dot(predicted))
            s_k = sigmoid(-outputVectors[words].dot(predicted))  # one per distinct word
            cost = -np.log(s_o) - counts.dot(np.log(s_k))
            gradPred = (s_o - 1) * outputVectors[target] + (counts * (1 - s_k)).dot(
                outputVectors[words])
            grad = np.zeros_like(outputVectors)
            grad[target] = (s_o - 1) * predicted
            grad[words] += np.outer(counts * (1 - s_k), predicted)
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
                if w == currentWord:
                    continue  # a word is not its own context
                j, gp, go = word2vecCostAndGradient(inputVectors[c], tokens[w], outputVectors,
                                                    dataset)
                cost += j
                gradIn[c] += gp
                gradOut += go
            return cost, gradIn, gradOut


        def cbow(currentWord, C, contextWords, tokens, inputVectors, outputVectors, dataset,
                 word2vecCostAndGradient=softmaxCostAndGradient):
            ctx = np.array([tokens[w] for w in contextWords])
            v_hat = inputVectors[ctx].sum(axis=0)
            cost, gp, gradOut = word2vecCostAndGradient(v_hat, tokens[currentWord],
                                                        outputVectors, dataset)
            counts = np.bincount(ctx, minlength=inputVectors.shape[0])
            gradIn = counts[:, None] * gp[None, :]
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x0)
            x -= step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence], :].mean(axis=0)


        def getRegularizationValues():
            return list(np.linspace(0.1, 1.0, 10))


        def chooseBestModel(results):
            best = results[0]
            for r in results[1:]:
                if r["dev"] > best["dev"]:
                    best = r
            return best
        """,
    ),
    {
        "skipgram": ("skipgram_repeated_context",),
        "sgd": ("sgd_converges", "sgd_postprocessing"),
        "getRegularizationValues": ("regularization_values",),
    },
)

VERA = student(
    "vera_vectorised_signs",
    "vectorised and fast, loses signs: sigma(-x), labels - y_hat, +u_k in the samples",
    given.join(
        """
        import numpy as np
        import random


        def softmax(x):
            z = np.exp(x - x.max(axis=-1, keepdims=True))
            return z / z.sum(axis=-1, keepdims=True)
        """,
        """
        def sigmoid(x):
            return np.exp(-np.logaddexp(0, x))


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

            err = labels - y_hat
            gradW2 = h.T @ err
            gradb2 = err.sum(axis=0, keepdims=True)
            err_h = err @ W2.T * sigmoid_grad(h)
            gradW1 = X.T @ err_h
            gradb1 = err_h.sum(axis=0, keepdims=True)
            """),
        """
        def normalizeRows(x):
            return x / np.linalg.norm(x, axis=1, keepdims=True)


        def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
            y_hat = softmax(outputVectors @ predicted)
            cost = -np.log(y_hat[target])
            gradPred = outputVectors.T @ y_hat - outputVectors[target]
            grad = np.outer(y_hat, predicted)
            return cost, gradPred, grad
        """,
        given.neg_sampling("""
            u = outputVectors[indices]
            s = sigmoid(u @ predicted)  # sigma(u_w . v) for the target and the samples
            cost = -np.log(s[0]) - np.sum(np.log(s[1:]))
            g = s - 1
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
                                                        tokens[contextWords[0]], outputVectors,
                                                        dataset)
            gradIn = np.zeros_like(inputVectors)
            np.add.at(gradIn, ids, gp)
            return cost, gradIn, gradOut
        """,
        given.sgd("""
            cost, grad = f(x)
            x += -step * grad
            x = postprocessing(x)
            """),
        """
        def getSentenceFeatures(tokens, wordVectors, sentence):
            return wordVectors[[tokens[w] for w in sentence]].sum(axis=0)


        def getRegularizationValues():
            return list(np.logspace(0, 1, 10))


        def chooseBestModel(results):
            return max(results, key=lambda r: r["dev"])
        """,
    ),
    {
        "sigmoid": ("sigmoid_values",),
        "gradcheck_naive": ("gradcheck_accepts_correct",),
        "forward_backward_prop": ("forward_backward_gradient", "forward_backward_gradcheck"),
        "softmaxCostAndGradient": ("softmax_cost_grad",),
        "negSamplingCostAndGradient": ("neg_sampling_cost", "neg_sampling_gradients",
                                       "neg_sampling_repeated_samples"),
        "cbow": ("cbow_gradients", "cbow_repeated_context"),
        "getSentenceFeatures": ("sentence_features_mean",),
        "getRegularizationValues": ("regularization_values",),
    },
)

STUDENTS = (ANA, BEN, CHLOE, DEV, ELI, FAY, GUS, HANA, VERA)
