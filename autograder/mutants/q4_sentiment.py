"""Mutants of problem 4: getSentenceFeatures, getRegularizationValues, chooseBestModel."""

from autograder.mutants.model import EQUIVALENT, ERROR, Mutant


def _mutant(function: str, signature: str):
    def make(name: str, kind: str, about: str, body: str) -> Mutant:
        return Mutant(name, kind, (function,), about, f"def {function}({signature}):\n{body}")

    return make


_features = _mutant("getSentenceFeatures", "tokens, wordVectors, sentence")
_reg = _mutant("getRegularizationValues", "")
_best = _mutant("chooseBestModel", "results")

FEATURES = (
    _features("features_sum", ERROR, "sums the word vectors", """
        return wordVectors[[tokens[w] for w in sentence]].sum(axis=0)
        """),
    _features("features_distinct", ERROR, "averages over set(sentence)", """
        return np.mean([wordVectors[tokens[w]] for w in set(sentence)], axis=0)
        """),
    _features("features_divide_by_D", ERROR, "divides the sum by the dimension D", """
        total = wordVectors[[tokens[w] for w in sentence]].sum(axis=0)
        return total / wordVectors.shape[1]
        """),
    _features("features_row", ERROR, "returns shape (1, D) (keepdims=True)", """
        return np.mean(wordVectors[[tokens[w] for w in sentence]], axis=0, keepdims=True)
        """),
    _features("features_wrong_axis", ERROR, "averages over axis 1 (the dimensions)", """
        return np.mean(wordVectors[[tokens[w] for w in sentence]], axis=1)
        """),
    _features("features_first_word", ERROR, "returns the first word's vector", """
        return wordVectors[tokens[sentence[0]]]
        """),
    _features("features_zeros", ERROR, "returns the skeleton's zeros", """
        return np.zeros((wordVectors.shape[1],))
        """),
    _features("features_loop", EQUIVALENT, "a loop that adds the vectors, then divides", """
        sentVector = np.zeros((wordVectors.shape[1],))
        for word in sentence:
            sentVector += wordVectors[tokens[word]]
        sentVector /= len(sentence)
        assert sentVector.shape == (wordVectors.shape[1],)
        return sentVector
        """),
    _features("features_list", EQUIVALENT, "returns a list", """
        rows = [list(wordVectors[tokens[w]]) for w in sentence]
        return [sum(column) / len(rows) for column in zip(*rows)]
        """),
)

REGULARIZATION = (
    _reg("reg_linspace", ERROR, "np.linspace: evenly, not logarithmically spaced", """
        return list(np.linspace(1e-4, 100, 13))
        """),
    _reg("reg_too_few", ERROR, "4 values", """
        return [0.001, 0.01, 0.1, 1.0]
        """),
    _reg("reg_narrow", ERROR, "values within one order of magnitude", """
        return list(np.logspace(-1, 0.5, 8))
        """),
    _reg("reg_with_zero", ERROR, "includes 0", """
        return [0.0] + list(np.logspace(-4, 2, 7))
        """),
    _reg("reg_constant", ERROR, "the same value 10 times", """
        return [0.1] * 10
        """),
    _reg("reg_none", ERROR, "returns None", """
        regValues = list(np.logspace(-4, 2, 13))
        """),
    _reg("reg_powers_of_ten", EQUIVALENT, "powers of ten in a list comprehension", """
        return [10.0 ** k for k in range(-5, 3)]
        """),
    _reg("reg_array", EQUIVALENT, "an np.logspace array over another range", """
        return np.logspace(-3, 3, 20)
        """),
    _reg("reg_one_three", EQUIVALENT, "1-3-10 steps", """
        values = []
        for k in range(-4, 2):
            values += [10.0 ** k, 3 * 10.0 ** k]
        return values
        """),
    _reg("reg_powers_of_two_descending", EQUIVALENT, "powers of two, largest first", """
        return [2.0 ** k for k in range(6, -12, -1)]
        """),
)

BEST = (
    _best("best_by_train", ERROR, "picks the best train accuracy", """
        return max(results, key=lambda r: r["train"])
        """),
    _best("best_by_test", ERROR, "picks the best test accuracy", """
        return max(results, key=lambda r: r["test"])
        """),
    _best("best_by_dev_plus_test", ERROR, "picks the best dev + test accuracy", """
        return max(results, key=lambda r: r["dev"] + r["test"])
        """),
    _best("best_both_improve", ERROR,
          "starts from results[0], switches only when dev and test both improve", """
        best = results[0]
        for r in results[1:]:
            if r["dev"] > best["dev"] and r["test"] > best["test"]:
                best = r
        return best
        """),
    _best("best_returns_index", ERROR, "returns the index of the best result", """
        return int(np.argmax([r["dev"] for r in results]))
        """),
    _best("best_returns_reg", ERROR, "returns the best result's reg value", """
        return max(results, key=lambda r: r["dev"])["reg"]
        """),
    _best("best_returns_last", ERROR, "returns the last result", """
        return results[-1]
        """),
    _best("best_max_reg", ERROR, "returns the result with the largest reg", """
        return max(results, key=lambda r: r["reg"])
        """),
    _best("best_min_dev", ERROR, "returns the lowest dev accuracy", """
        return min(results, key=lambda r: r["dev"])
        """),
    _best("best_middle", ERROR, "returns the middle result", """
        return results[len(results) // 2]
        """),
    _best("best_max_key", EQUIVALENT, "max(results, key=...)", """
        return max(results, key=lambda r: r["dev"])
        """),
    _best("best_sorted_last", EQUIVALENT,
          "sorted(...)[-1]: the last of ties, and the hidden sweeps have none", """
        return sorted(results, key=lambda r: r["dev"])[-1]
        """),
    _best("best_loop", EQUIVALENT, "a loop with >=", """
        bestResult = None
        for result in results:
            if bestResult is None or result["dev"] >= bestResult["dev"]:
                bestResult = result
        return bestResult
        """),
    _best("best_copy", EQUIVALENT, "returns a copy of the dict", """
        i = int(np.argmax([r["dev"] for r in results]))
        return dict(results[i])
        """),
)

MUTANTS = (*FEATURES, *REGULARIZATION, *BEST)
