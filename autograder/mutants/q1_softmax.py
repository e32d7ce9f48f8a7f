"""Mutants of problem 1: softmax."""

from autograder.mutants.model import EQUIVALENT, ERROR, Mutant


def _softmax(name: str, kind: str, about: str, source: str) -> Mutant:
    return Mutant(name, kind, ("softmax",), about, source)


MUTANTS = (
    _softmax("softmax_no_shift", ERROR, "exponentiates without subtracting the max", """
        def softmax(x):
            e = np.exp(x)
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    _softmax("softmax_columns", ERROR, "normalises over axis 0 (columns)", """
        def softmax(x):
            e = np.exp(x - np.max(x, axis=0, keepdims=True))
            return e / np.sum(e, axis=0, keepdims=True)
        """),
    _softmax("softmax_global_sum", ERROR, "divides by the sum of the whole matrix", """
        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e)
        """),
    _softmax("softmax_global_max", ERROR, "shifts every row by the matrix's max", """
        def softmax(x):
            e = np.exp(x - np.max(x))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    _softmax("softmax_shift_by_min", ERROR, "subtracts the minimum instead of the maximum", """
        def softmax(x):
            e = np.exp(x - np.min(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    _softmax("softmax_unshifted_sum", ERROR, "shifts the numerator only", """
        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(np.exp(x), axis=-1, keepdims=True)
        """),
    _softmax("softmax_flattens_row", ERROR, "returns (D,) for a (1, D) input", """
        def softmax(x):
            x = np.squeeze(x)
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    _softmax("softmax_divides_by_max", ERROR, "divides by the max instead of subtracting", """
        def softmax(x):
            e = np.exp(x / np.max(np.abs(x), axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
    _softmax("softmax_log", ERROR, "returns the log-softmax", """
        def softmax(x):
            z = x - np.max(x, axis=-1, keepdims=True)
            return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
        """),
    _softmax("softmax_constant", ERROR, "returns a uniform distribution", """
        def softmax(x):
            return np.ones_like(x, dtype=float) / np.shape(x)[-1]
        """),
    _softmax("softmax_zeros", ERROR, "returns zeros", """
        def softmax(x):
            return np.zeros(np.shape(x))
        """),
    _softmax("softmax_nan", ERROR, "returns NaN", """
        def softmax(x):
            return np.full(np.shape(x), np.nan)
        """),
    _softmax("softmax_returns_input", ERROR, "returns its input", """
        def softmax(x):
            return x
        """),
    _softmax("softmax_row_loop", EQUIVALENT, "a loop over the rows", """
        def softmax(x):
            x = np.array(x, dtype=float)
            if x.ndim == 1:
                e = np.exp(x - x.max())
                return e / e.sum()
            out = np.empty_like(x)
            for i in range(x.shape[0]):
                e = np.exp(x[i] - np.max(x[i]))
                out[i] = e / np.sum(e)
            return out
        """),
    _softmax("softmax_matrix", EQUIVALENT, "np.matrix arithmetic (a vector comes back 1 x D)",
             """
        def softmax(x):
            m = np.matrix(x, dtype=float)
            m = m - m.max(axis=1)
            e = np.exp(m)
            return e / e.sum(axis=1)
        """),
    _softmax("softmax_transpose_trick", EQUIVALENT, "works on x.T for matrices", """
        def softmax(x):
            orig_shape = x.shape
            if len(x.shape) > 1:
                t = x.T - np.max(x, axis=1)
                t = np.exp(t) / np.sum(np.exp(t), axis=0)
                x = t.T
            else:
                x = np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)))
            assert x.shape == orig_shape
            return x
        """),
    _softmax("softmax_in_place", EQUIVALENT, "modifies its argument in place (allowed)", """
        def softmax(x):
            x = x.astype(float)
            x -= np.max(x, axis=-1, keepdims=True)
            np.exp(x, out=x)
            x /= np.sum(x, axis=-1, keepdims=True)
            return x
        """),
    _softmax("softmax_list", EQUIVALENT, "returns a nested list", """
        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return (e / np.sum(e, axis=-1, keepdims=True)).tolist()
        """),
)
