"""Mutants of problem 2: sigmoid, sigmoid_grad, gradcheck_naive, forward_backward_prop.

The gradient checkers and networks are written whole, as students fill the handout's
skeleton (the network's given unpacking and packing code is shared: `_network`).
"""

import textwrap

from autograder.mutants.model import EQUIVALENT, ERROR, Mutant


def _sigmoid(name: str, kind: str, about: str, source: str) -> Mutant:
    return Mutant(name, kind, ("sigmoid",), about, source)


def _sigmoid_grad(name: str, kind: str, about: str, source: str) -> Mutant:
    return Mutant(name, kind, ("sigmoid_grad",), about, source)


def _checker(name: str, kind: str, about: str, source: str) -> Mutant:
    return Mutant(name, kind, ("gradcheck_naive",), about, source)


_UNPACK = """
def forward_backward_prop(X, labels, params, dimensions):
    ### Unpack network parameters (do not modify)
    ofs = 0
    Dx, H, Dy = (dimensions[0], dimensions[1], dimensions[2])

    W1 = np.reshape(params[ofs:ofs + Dx * H], (Dx, H))
    ofs += Dx * H
    b1 = np.reshape(params[ofs:ofs + H], (1, H))
    ofs += H
    W2 = np.reshape(params[ofs:ofs + H * Dy], (H, Dy))
    ofs += H * Dy
    b2 = np.reshape(params[ofs:ofs + Dy], (1, Dy))
"""

_PACK = """
    ### Stack gradients (do not modify)
    grad = np.concatenate((gradW1.flatten(), gradb1.flatten(),
                           gradW2.flatten(), gradb2.flatten()))

    return cost, grad
"""


def _network(body: str, pack: str = _PACK, prefix: str = "") -> str:
    """The skeleton of forward_backward_prop around a student's body."""
    return (textwrap.dedent(prefix) + _UNPACK + textwrap.indent(textwrap.dedent(body), "    ")
            + pack)


def _fbp(name: str, kind: str, about: str, body: str, pack: str = _PACK) -> Mutant:
    return Mutant(name, kind, ("forward_backward_prop",), about, _network(body, pack))


_FORWARD = """
h = sigmoid(X.dot(W1) + b1)
y_hat = softmax(h.dot(W2) + b2)
cost = -np.sum(labels * np.log(y_hat))
"""

SIGMOID = (
    _sigmoid("sigmoid_plain", EQUIVALENT, "the handout's 1 / (1 + exp(-x)) (numpy warns about "
             "overflow below -709; the values are right)", """
        def sigmoid(x):
            s = 1 / (1 + np.exp(-x))
            return s
        """),
    _sigmoid("sigmoid_where_both_branches", EQUIVALENT, "np.where over two forms that both "
             "get computed (warnings, right values)", """
        def sigmoid(x):
            return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
        """),
    _sigmoid("sigmoid_tanh", EQUIVALENT, "written with tanh", """
        def sigmoid(x):
            return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))
        """),
    _sigmoid("sigmoid_masks", EQUIVALENT, "stable, with boolean masks on a float copy", """
        def sigmoid(x):
            x = np.array(x, dtype=float)
            out = np.empty_like(x)
            pos = x >= 0
            out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
            e = np.exp(x[~pos])
            out[~pos] = e / (1.0 + e)
            return out
        """),
    _sigmoid("sigmoid_list", EQUIVALENT, "returns a (nested) list", """
        def sigmoid(x):
            return (1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))).tolist()
        """),
    _sigmoid("sigmoid_precedence", ERROR, "1 / 1 + exp(-x) (missing brackets)", """
        def sigmoid(x):
            return 1 / 1 + np.exp(-x)
        """),
    _sigmoid("sigmoid_wrong_sign", ERROR, "1 / (1 + exp(x))", """
        def sigmoid(x):
            return 1 / (1 + np.exp(x))
        """),
    _sigmoid("sigmoid_int_output", ERROR, "stable masks writing into zeros_like(x): integer "
             "input gives integers", """
        def sigmoid(x):
            out = np.zeros_like(x)
            pos = x >= 0
            out[pos] = 1 / (1 + np.exp(-x[pos]))
            out[~pos] = np.exp(x[~pos]) / (1 + np.exp(x[~pos]))
            return out
        """),
    _sigmoid("sigmoid_exp_over_one_plus_exp", ERROR, "exp(x) / (1 + exp(x)) everywhere: nan "
             "for x > 709", """
        def sigmoid(x):
            e = np.exp(x)
            return e / (1 + e)
        """),
    _sigmoid("sigmoid_constant", ERROR, "returns 1/2 everywhere", """
        def sigmoid(x):
            return np.full(np.shape(x), 0.5)
        """),
    _sigmoid("sigmoid_nan", ERROR, "returns NaN", """
        def sigmoid(x):
            return np.full(np.shape(x), np.nan)
        """),
)

SIGMOID_GRAD = (
    _sigmoid_grad("sigmoid_grad_of_x", ERROR, "takes x and applies the sigmoid again", """
        def sigmoid_grad(s):
            sig = 1 / (1 + np.exp(-s))
            return sig * (1 - sig)
        """),
    Mutant("sigmoid_grad_of_x_consistent", ERROR, ("sigmoid_grad",),
           "sigmoid_grad takes the pre-activation and the student's own network passes it "
           "the pre-activation (right in their notebook): costs sigmoid_grad only",
           textwrap.dedent("""
        def sigmoid_grad(z):
            sig = sigmoid(z)
            return sig * (1 - sig)
        """) + _network("""
        z1 = X.dot(W1) + b1
        h = sigmoid(z1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0)
        delta1 = delta2.dot(W2.T) * sigmoid_grad(z1)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0)
        """)),
    _sigmoid_grad("sigmoid_grad_sign", ERROR, "s (s - 1)", """
        def sigmoid_grad(s):
            return s * (s - 1)
        """),
    _sigmoid_grad("sigmoid_grad_one_minus", ERROR, "1 - s", """
        def sigmoid_grad(s):
            return 1 - s
        """),
    _sigmoid_grad("sigmoid_grad_expanded", EQUIVALENT, "s - s ** 2", """
        def sigmoid_grad(s):
            return s - s ** 2
        """),
    _sigmoid_grad("sigmoid_grad_multiply", EQUIVALENT, "np.multiply (safe for np.matrix)", """
        def sigmoid_grad(s):
            return np.multiply(s, 1.0 - s)
        """),
)

# ---------------------------------------------------------------- gradcheck_naive

_RIGHT_CHECKER = """
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
            return False
        it.iternext()
    print("Gradient check passed!")
    return True
"""


def _variant(*edits: tuple[str, str]) -> str:
    """The handout-faithful checker above with lines replaced (each edit must apply)."""
    source = _RIGHT_CHECKER
    for old, new in edits:
        if old not in source:
            raise ValueError(f"edit does not apply: {old!r}")
        source = source.replace(old, new)
    return source


_RESTORE = "random.setstate(rndstate)"

GRADCHECK = (
    _checker("gradcheck_handout", EQUIVALENT, "the handout's skeleton filled in: restores "
             "Python's random only", _RIGHT_CHECKER),
    _checker("gradcheck_restores_both", EQUIVALENT, "restores random and np.random", _variant(
        ("rndstate = random.getstate()",
         "rndstate = random.getstate()\n    npstate = np.random.get_state()"),
        (_RESTORE, f"{_RESTORE}; np.random.set_state(npstate)"))),
    _checker("gradcheck_numpy_bool", EQUIVALENT, "returns numpy booleans", _variant(
        ("return False", "return np.bool_(False)"), ("return True", "return np.all(True)"))),
    _checker("gradcheck_python2_port", EQUIVALENT, "Python-2 era code ported mechanically "
             "(print calls, % formatting, a flat index)", """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4
            flat_x = x.reshape(-1)
            flat_grad = np.asarray(grad).reshape(-1)
            for i in range(flat_x.size):
                ix = np.unravel_index(i, x.shape)
                flat_x[i] += h
                random.setstate(rndstate)
                fxph, _ = f(x)
                flat_x[i] -= 2 * h
                random.setstate(rndstate)
                fxmh, _ = f(x)
                flat_x[i] += h
                numgrad = (fxph - fxmh) / (2 * h)
                reldiff = abs(numgrad - flat_grad[i]) / max(1, abs(numgrad), abs(flat_grad[i]))
                if reldiff > 1e-5:
                    print("Gradient check failed.")
                    print("First gradient error found at index %s" % str(ix))
                    print("Your gradient: %f \\t Numerical gradient: %f" % (
                        flat_grad[i], numgrad))
                    return False
            print("Gradient check passed!")
            return True
        """),
    _checker("gradcheck_ndindex", EQUIVALENT, "loops with np.ndindex and a helper", """
        def gradcheck_naive(f, x):
            state = random.getstate()

            def call(point):
                random.setstate(state)
                return f(point)

            _, grad = call(x)
            h = 1e-4
            for ix in np.ndindex(*x.shape):
                saved = x[ix].copy()
                x[ix] = saved + h
                plus = call(x)[0]
                x[ix] = saved - h
                minus = call(x)[0]
                x[ix] = saved
                numgrad = (plus - minus) / (2 * h)
                if abs(numgrad - grad[ix]) > 1e-5 * max(1, abs(numgrad), abs(grad[ix])):
                    print("Gradient check failed.")
                    return False
            print("Gradient check passed!")
            return True
        """),
    _checker("gradcheck_copies_x", EQUIVALENT, "perturbs a copy of x", _variant(
        ("fx, grad = f(x)", "fx, grad = f(x)\n    x = x.copy()"))),
    _checker("gradcheck_returns_none", ERROR, "returns nothing, as the handout's skeleton",
             _variant(("return False", "return"), ("return True", "return"))),
    _checker("gradcheck_one_sided", ERROR, "one-sided differences", _variant(
        ("numgrad = (fxph - fxmh) / (2 * h)", "numgrad = (fxph - fx) / h"))),
    _checker("gradcheck_large_step", ERROR, "h = 1e-2", _variant(("h = 1e-4", "h = 1e-2"))),
    _checker("gradcheck_no_restore", ERROR, "never restores random's state", _variant(
        (_RESTORE, "pass"))),
    _checker("gradcheck_restores_numpy_only", ERROR, "restores np.random only", _variant(
        ("rndstate = random.getstate()", "rndstate = np.random.get_state()"),
        (_RESTORE, "np.random.set_state(rndstate)"))),
    _checker("gradcheck_saves_state_late", ERROR, "saves random's state after the first call "
             "of f", _variant(
        ("rndstate = random.getstate()\n    random.setstate(rndstate)\n    fx, grad = f(x)",
         "fx, grad = f(x)\n    rndstate = random.getstate()"))),
    _checker("gradcheck_every_other_entry", ERROR, "tests every other entry and never puts "
             "x[ix] back", """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4
            for i in range(0, x.size, 2):
                ix = np.unravel_index(i, x.shape)
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                numgrad = (fxph - fxmh) / (2 * h)
                if abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])) > 1e-5:
                    return False
            return True
        """),
    _checker("gradcheck_no_put_back", ERROR, "never puts x[ix] back", _variant(
        ("        x[ix] = old\n", ""))),
    _checker("gradcheck_stops_after_first", ERROR, "returns True inside the loop (checks the "
             "first entry only)", _variant(
        ("        it.iternext()\n", "        return True\n"))),
    _checker("gradcheck_len_loop", ERROR, "loops over range(len(x)) flat entries: the first "
             "rows' worth only", """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4
            for i in range(len(x)):
                old = x.flat[i]
                x.flat[i] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x.flat[i] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x.flat[i] = old
                numgrad = (fxph - fxmh) / (2 * h)
                g = grad.flat[i]
                if abs(numgrad - g) / max(1, abs(numgrad), abs(g)) > 1e-5:
                    return False
            return True
        """),
    _checker("gradcheck_absolute_error", ERROR, "compares the absolute error", _variant(
        ("reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))",
         "reldiff = abs(numgrad - grad[ix])"))),
    _checker("gradcheck_mean_error", ERROR, "thresholds the mean relative error over the "
             "entries", """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4
            errors = []
            for ix in np.ndindex(*x.shape):
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
            return bool(np.mean(errors) <= 1e-5)
        """),
    _checker("gradcheck_max_error", EQUIVALENT, "checks every entry, then thresholds the "
             "largest relative error", """
        def gradcheck_naive(f, x):
            rndstate = random.getstate()
            random.setstate(rndstate)
            fx, grad = f(x)
            h = 1e-4
            numgrad = np.zeros(x.shape)
            for ix in np.ndindex(*x.shape):
                old = x[ix]
                x[ix] = old + h
                random.setstate(rndstate)
                fxph = f(x)[0]
                x[ix] = old - h
                random.setstate(rndstate)
                fxmh = f(x)[0]
                x[ix] = old
                numgrad[ix] = (fxph - fxmh) / (2 * h)
            grad = np.asarray(grad, dtype=float)
            rel = np.abs(numgrad - grad) / np.maximum(1, np.maximum(np.abs(numgrad), np.abs(grad)))
            if np.max(rel) > 1e-5:
                print("Gradient check failed.")
                return False
            print("Gradient check passed!")
            return True
        """),
    _checker("gradcheck_loose_threshold", ERROR, "threshold 1e-3", _variant(
        ("reldiff > 1e-5", "reldiff > 1e-3"))),
    _checker("gradcheck_strict_threshold", ERROR, "threshold 1e-7", _variant(
        ("reldiff > 1e-5", "reldiff > 1e-7"))),
    _checker("gradcheck_introspects", ERROR, "guesses from f's name and code instead of "
             "computing", """
        def gradcheck_naive(f, x):
            names = (f.__name__ + f.__qualname__).lower()
            code = f.__code__
            words = " ".join(map(str, code.co_consts + code.co_names + code.co_freevars))
            if "wrong" in names or "error" in words.lower():
                return False
            return True
        """),
    _checker("gradcheck_always_true", ERROR, "returns True", """
        def gradcheck_naive(f, x):
            print("Gradient check passed!")
            return True
        """),
    _checker("gradcheck_always_false", ERROR, "returns False", """
        def gradcheck_naive(f, x):
            return False
        """),
    _checker("gradcheck_raises", ERROR, "raises (assert) instead of returning False",
             _variant(("            return False",
                       "            raise AssertionError(\"gradient check failed\")"))),
)

# ---------------------------------------------------------------- forward_backward_prop

_BACKWARD = """
delta2 = y_hat - labels
gradW2 = h.T.dot(delta2)
gradb2 = np.sum(delta2, axis=0, keepdims=True)
delta1 = delta2.dot(W2.T) * sigmoid_grad(h)
gradW1 = X.T.dot(delta1)
gradb1 = np.sum(delta1, axis=0, keepdims=True)
"""


def _backward(old: str, new: str) -> str:
    if old not in _BACKWARD:
        raise ValueError(f"edit does not apply: {old!r}")
    return _FORWARD + _BACKWARD.replace(old, new)


NETWORK = (
    _fbp("fbp_mean_not_sum", ERROR, "cost and gradient averaged over the examples", """
        N = X.shape[0]
        h = sigmoid(X.dot(W1) + b1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat)) / N
        delta2 = (y_hat - labels) / N
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = delta2.dot(W2.T) * sigmoid_grad(h)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0, keepdims=True)
        """),
    _fbp("fbp_no_bias_gradient", ERROR, "bias gradients left at zero", _backward(
        "gradb1 = np.sum(delta1, axis=0, keepdims=True)", "gradb1 = np.zeros_like(b1)"
    ).replace("gradb2 = np.sum(delta2, axis=0, keepdims=True)", "gradb2 = np.zeros_like(b2)")),
    _fbp("fbp_bias_mean", ERROR, "bias gradients as means of the deltas", _backward(
        "gradb1 = np.sum(delta1, axis=0, keepdims=True)",
        "gradb1 = np.mean(delta1, axis=0, keepdims=True)")),
    _fbp("fbp_block_order", ERROR, "packs W1, W2, b1, b2", _FORWARD + _BACKWARD, pack="""
    grad = np.concatenate((gradW1.flatten(), gradW2.flatten(),
                           gradb1.flatten(), gradb2.flatten()))
    return cost, grad
"""),
    _fbp("fbp_transposed_weight_gradient", ERROR, "gradW2 = delta2.T h (transposed)",
         _backward("gradW2 = h.T.dot(delta2)", "gradW2 = delta2.T.dot(h)")),
    _fbp("fbp_sigmoid_grad_of_preactivation", ERROR, "sigmoid_grad of the pre-activation, "
         "with a right sigmoid_grad", """
        z1 = X.dot(W1) + b1
        h = sigmoid(z1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = delta2.dot(W2.T) * sigmoid_grad(z1)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0, keepdims=True)
        """),
    _fbp("fbp_no_sigmoid_grad", ERROR, "delta1 without the sigmoid's derivative", _backward(
        "delta1 = delta2.dot(W2.T) * sigmoid_grad(h)", "delta1 = delta2.dot(W2.T)")),
    _fbp("fbp_no_hidden_sigmoid", ERROR, "a linear hidden layer (consistent backward)", """
        h = X.dot(W1) + b1
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = delta2.dot(W2.T)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0, keepdims=True)
        """),
    _fbp("fbp_softmax_columns", ERROR, "its own softmax over the examples (axis 0)",
         textwrap.dedent("""
        h = sigmoid(X.dot(W1) + b1)
        scores = h.dot(W2) + b2
        e = np.exp(scores - scores.max(axis=0))
        y_hat = e / e.sum(axis=0)
        cost = -np.sum(labels * np.log(y_hat))
        """) + _BACKWARD),
    _fbp("fbp_delta_skips_right_rows", ERROR, "no label term for examples already classified "
         "right (label at the largest score)", """
        h = sigmoid(X.dot(W1) + b1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat))
        wrong = np.argmax(y_hat, axis=1) != np.argmax(labels, axis=1)
        delta2 = y_hat - labels * wrong[:, None]
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = delta2.dot(W2.T) * sigmoid_grad(h)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0, keepdims=True)
        """),
    _fbp("fbp_delta_at_prediction", ERROR, "subtracts 1 at the predicted class, not the label",
         """
        h = sigmoid(X.dot(W1) + b1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat.copy()
        delta2[np.arange(X.shape[0]), np.argmax(y_hat, axis=1)] -= 1
        gradW2 = h.T.dot(delta2)
        gradb2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = delta2.dot(W2.T) * sigmoid_grad(h)
        gradW1 = X.T.dot(delta1)
        gradb1 = np.sum(delta1, axis=0, keepdims=True)
        """),
    _fbp("fbp_zeros", ERROR, "returns (0, zeros)", """
        cost = 0.0
        gradW1, gradb1 = np.zeros_like(W1), np.zeros_like(b1)
        gradW2, gradb2 = np.zeros_like(W2), np.zeros_like(b2)
        """),
    _fbp("fbp_constant", ERROR, "returns a constant cost and gradient", """
        cost = 1.0
        gradW1, gradb1 = np.ones_like(W1), np.ones_like(b1)
        gradW2, gradb2 = np.ones_like(W2), np.ones_like(b2)
        """),
    _fbp("fbp_nan", ERROR, "returns NaN", """
        cost = np.nan
        gradW1, gradb1 = np.full(W1.shape, np.nan), np.full(b1.shape, np.nan)
        gradW2, gradb2 = np.full(W2.shape, np.nan), np.full(b2.shape, np.nan)
        """),
    _fbp("fbp_cost_of_data_only", ERROR, "a cost that does not depend on params (zero "
         "gradient, consistent with it)", """
        cost = float(np.sum(X ** 2) + np.sum(labels))
        gradW1, gradb1 = np.zeros_like(W1), np.zeros_like(b1)
        gradW2, gradb2 = np.zeros_like(W2), np.zeros_like(b2)
        """),
    _fbp("fbp_row_gradient", EQUIVALENT, "returns the gradient as a (1, P) row", _FORWARD
         + _BACKWARD, pack="""
    grad = np.concatenate((gradW1.reshape(1, -1), gradb1.reshape(1, -1),
                           gradW2.reshape(1, -1), gradb2.reshape(1, -1)), axis=1)
    return cost, grad
"""),
    _fbp("fbp_cost_array", EQUIVALENT, "the cost as a size-1 array", textwrap.dedent("""
        h = sigmoid(X.dot(W1) + b1)
        y_hat = softmax(h.dot(W2) + b2)
        cost = -np.sum(labels * np.log(y_hat), keepdims=True)
        """) + _BACKWARD),
    _fbp("fbp_matrix", EQUIVALENT, "np.matrix arithmetic throughout", """
        X, labels = np.matrix(X), np.matrix(labels)
        W1, b1, W2, b2 = np.matrix(W1), np.matrix(b1), np.matrix(W2), np.matrix(b2)
        h = sigmoid(X * W1 + b1)
        y_hat = softmax(h * W2 + b2)
        cost = -np.sum(np.multiply(labels, np.log(y_hat)))
        delta2 = y_hat - labels
        gradW2 = h.T * delta2
        gradb2 = np.sum(delta2, axis=0)
        delta1 = np.multiply(delta2 * W2.T, sigmoid_grad(h))
        gradW1 = X.T * delta1
        gradb1 = np.sum(delta1, axis=0)
        gradW1, gradb1 = np.asarray(gradW1), np.asarray(gradb1)
        gradW2, gradb2 = np.asarray(gradW2), np.asarray(gradb2)
        """),
    _fbp("fbp_example_loop", EQUIVALENT, "loops over the examples, summing", """
        cost = 0.0
        gradW1, gradb1 = np.zeros_like(W1), np.zeros_like(b1)
        gradW2, gradb2 = np.zeros_like(W2), np.zeros_like(b2)
        for n in range(X.shape[0]):
            x = X[n:n + 1]
            y = labels[n:n + 1]
            h = sigmoid(x.dot(W1) + b1)
            y_hat = softmax(h.dot(W2) + b2)
            cost += -np.sum(y * np.log(y_hat))
            d2 = y_hat - y
            gradW2 += h.T.dot(d2)
            gradb2 += d2
            d1 = d2.dot(W2.T) * sigmoid_grad(h)
            gradW1 += x.T.dot(d1)
            gradb1 += d1
        """),
    _fbp("fbp_label_index", EQUIVALENT, "indexes the label's probability (argmax of the "
         "one-hot rows) and uses the @ operator", """
        N = X.shape[0]
        rows, cls = np.arange(N), np.argmax(labels, axis=1)
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.log(y_hat[rows, cls]).sum()
        delta2 = y_hat.copy()
        delta2[rows, cls] -= 1
        gradW2 = h.T @ delta2
        gradb2 = delta2.sum(0)
        delta1 = (delta2 @ W2.T) * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1 = delta1.sum(0)
        """),
)

MUTANTS = (*SIGMOID, *SIGMOID_GRAD, *GRADCHECK, *NETWORK)
