"""Hidden checks for problem 2: sigmoid, gradient checker, two-layer network (16 points)."""

import numpy as np

from autograder.checks.model import Check, close, equal_values
from autograder.kernel.probe import Call, Ref

SIGMOID_CELL = "q2_sigmoid_hidden"
GRADCHECK_CELL = "q2_gradcheck_hidden"
NEURAL_CELL = "q2_neural_hidden"
STEP, THRESHOLD = 1e-4, 1e-5
DEPENDENCIES = ("softmax", "sigmoid", "sigmoid_grad")  # replaced by known-good stand-ins

# ---------------------------------------------------------------- sigmoid


def _sigmoid_values(rng):
    return [Call("sigmoid", (rng.normal(size=(3, 4)) * 4,)), Call("sigmoid", (rng.normal(size=5),))]


def _sigmoid_large(rng):
    x = np.concatenate([rng.uniform(700, 1000, size=3), -rng.uniform(700, 1000, size=3)])
    return [Call("sigmoid", (x,), strict_warnings=True)]


def _sigmoid_grad_values(rng):
    s = rng.uniform(0.01, 0.99, size=(4, 3))  # values of the sigmoid, as sigmoid_grad takes
    return [Call("sigmoid_grad", (s,))]


# ---------------------------------------------------------------- gradcheck_naive


def _gradcheck(objective, x, *args, seeds=None):
    return Call("gradcheck_naive", (Ref("object", objective, args), x), cast="bool", seeds=seeds)


def _gradcheck_correct(rng):
    return [
        _gradcheck("quadratic", rng.normal(size=(3, 2))),
        _gradcheck("curved", rng.uniform(0.5, 1.5, size=4)),  # one-sided differences fail here
    ]


def _gradcheck_wrong(rng):
    x = rng.normal(size=(3, 4))
    index = (int(rng.integers(3)), int(rng.integers(4)))
    return [_gradcheck("wrong_at", x, index)]


def _gradcheck_noisy(rng):
    seeds = (int(rng.integers(2**31)), int(rng.integers(2**31)))
    return [_gradcheck("noisy", rng.normal(size=5), seeds=seeds)]


# ---------------------------------------------------------------- forward_backward_prop


def _network(rng, N, Dx, H, Dy):
    X = rng.normal(size=(N, Dx))
    labels = np.zeros((N, Dy))
    labels[np.arange(N), rng.integers(Dy, size=N)] = 1
    params = rng.normal(size=(Dx + 1) * H + (H + 1) * Dy)
    return X, labels, params, [Dx, H, Dy]


def _fbp(X, labels, params, dims):
    return Call("forward_backward_prop", (X, labels, params, dims), isolate=DEPENDENCIES)


def _fbp_random(rng):
    calls = []
    for _ in range(3):
        N, Dx, H, Dy = (int(v) for v in rng.integers(2, 9, size=4))
        calls.append(_fbp(*_network(rng, N, Dx, H, Dy)))
    return calls


def _fbp_perturbed(rng):
    """The analytic gradient, then the cost at params +- STEP along every coordinate."""
    X, labels, params, dims = _network(rng, 4, 3, 4, 2)
    calls = [_fbp(X, labels, params, dims)]
    for i in range(params.size):
        for sign in (1, -1):
            p = params.copy()
            p[i] += sign * STEP
            calls.append(_fbp(X, labels, p, dims))
    return calls


def _gradient_matches_differences(student, reference):
    """Trusted-side gradient check of the student's own costs and gradient."""
    grad = np.asarray(student[0].value[1], dtype=float)
    costs = np.array([float(o.value[0]) for o in student[1:]])  # (2P,)
    numerical = (costs[0::2] - costs[1::2]) / (2 * STEP)  # (P,)
    if grad.shape != numerical.shape:
        return f"gradient has shape {grad.shape}, expected {numerical.shape}"
    rel = np.abs(numerical - grad) / np.maximum(1.0, np.maximum(np.abs(numerical), np.abs(grad)))
    if np.max(rel) > THRESHOLD:
        return f"gradient check failed at parameter {int(np.argmax(rel))}"
    return None


def _shapes_only(student, reference):
    for s, r in zip(student, reference, strict=True):
        cost, grad = s.value
        if np.ndim(cost) != 0:
            return "the cost must be a scalar"
        if np.shape(grad) != np.shape(r.value[1]):
            return f"the gradient has shape {np.shape(grad)}, params has {np.shape(r.value[1])}"
    return None


CHECKS = (
    Check(
        "sigmoid_values",
        "q2",
        SIGMOID_CELL,
        1.5,
        "sigmoid of random arrays (shape kept)",
        "sigmoid(x) = 1 / (1 + exp(-x)), elementwise.",
        _sigmoid_values,
        close(),
    ),
    Check(
        "sigmoid_stability",
        "q2",
        SIGMOID_CELL,
        1.0,
        "sigmoid of inputs with |x| > 700 without overflow (warnings are errors)",
        "For negative x use exp(x) / (1 + exp(x)), so exp never gets a large positive argument.",
        _sigmoid_large,
        close(),
    ),
    Check(
        "sigmoid_grad_values",
        "q2",
        SIGMOID_CELL,
        1.5,
        "sigmoid_grad takes the sigmoid's VALUE s and returns s (1 - s)",
        "sigmoid_grad receives s = sigmoid(x), not x: do not apply the sigmoid again.",
        _sigmoid_grad_values,
        close(),
    ),
    Check(
        "gradcheck_accepts_correct",
        "q2",
        GRADCHECK_CELL,
        1.0,
        "passes correct gradients, including a strongly curved function",
        "Use centred differences (f(x + h) - f(x - h)) / 2h with h = 1e-4, and return True "
        "when every relative error is at most 1e-5.",
        _gradcheck_correct,
        equal_values(),
    ),
    Check(
        "gradcheck_rejects_wrong",
        "q2",
        GRADCHECK_CELL,
        1.5,
        "fails a gradient that is wrong in one entry",
        "Compare every entry of the gradient and return False at the first bad one.",
        _gradcheck_wrong,
        equal_values(),
    ),
    Check(
        "gradcheck_restores_random_state",
        "q2",
        GRADCHECK_CELL,
        1.5,
        "passes a correct gradient of a function that draws random numbers",
        "Restore the states of both `random` and `np.random` before EVERY call of f.",
        _gradcheck_noisy,
        equal_values(),
    ),
    Check(
        "forward_backward_cost",
        "q2",
        NEURAL_CELL,
        2.0,
        "the cost on random networks (summed over the examples)",
        "The cost is -sum(labels * log(y_hat)) over all N examples (a sum, not a mean).",
        _fbp_random,
        close(parts=[0], part_names=["cost", "gradient"]),
    ),
    Check(
        "forward_backward_gradient",
        "q2",
        NEURAL_CELL,
        3.0,
        "the gradient on random networks, in the order W1, b1, W2, b2",
        "Check every block, the bias gradients (sums of the deltas over the examples) "
        "included, and the order of the flattened gradient.",
        _fbp_random,
        close(parts=[1], part_names=["cost", "gradient"]),
    ),
    Check(
        "forward_backward_gradcheck",
        "q2",
        NEURAL_CELL,
        2.0,
        "your gradient agrees with centred differences of your own cost",
        "Your gradient does not match your cost function: check the backprop deltas.",
        _fbp_perturbed,
        _gradient_matches_differences,
    ),
    Check(
        "forward_backward_shapes",
        "q2",
        NEURAL_CELL,
        1.0,
        "returns a scalar cost and a gradient shaped like params",
        "Return (cost, grad) with grad flattened to the shape of params.",
        lambda rng: _fbp_random(rng)[:1],
        _shapes_only,
    ),
)
