"""Hidden checks for problem 2: sigmoid, gradient checker, two-layer network (16 points)."""

import numpy as np

from autograder.checks.model import Check, Hint, close, equal_values
from autograder.kernel.probe import Call, Ref

SIGMOID_PART = "2(e) sigmoid and sigmoid_grad"
SIGMOID_CELL = "q2_sigmoid_hidden"
GRADCHECK_PART = "2(f) gradcheck_naive"
GRADCHECK_CELL = "q2_gradcheck_hidden"
NEURAL_PART = "2(g) forward_backward_prop"
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


def _gradcheck(objective: Ref, x, seeds=None):
    return Call("gradcheck_naive", (objective, x), cast="bool", seeds=seeds)


def _objective(rng, shape, curvature=0.0, error=None) -> Ref:
    return Ref("object", "objective", (rng.uniform(0.5, 2.0, size=shape), curvature, error))


def _gradcheck_correct(rng):
    x = rng.normal(size=(3, 2))
    curved = rng.uniform(0.5, 1.5, size=4)
    return [
        _gradcheck(_objective(rng, x.shape), x),
        _gradcheck(_objective(rng, curved.shape, 3.0), curved),  # one-sided differences fail
    ]


def _gradcheck_wrong(rng):
    x = rng.normal(size=(3, 4))
    error = np.zeros(x.shape)
    error[int(rng.integers(3)), int(rng.integers(4))] = 0.1
    return [_gradcheck(_objective(rng, x.shape, 0.0, error), x)]


def _gradcheck_noisy(rng):
    seeds = (int(rng.integers(2**31)), int(rng.integers(2**31)))
    x = rng.normal(size=5)
    return [_gradcheck(Ref("object", "sampled", (rng.uniform(0.5, 2.0, size=5),)), x, seeds)]


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
        name="sigmoid_values",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=1.5,
        description="sigmoid of random arrays (shape kept)",
        calls=_sigmoid_values,
        compare=close(),
        hints=(Hint("sigmoid(x) = 1 / (1 + exp(-x)), elementwise."),),
    ),
    Check(
        name="sigmoid_stability",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=1.0,
        description="sigmoid of inputs with |x| > 700 without overflow (warnings are errors)",
        calls=_sigmoid_large,
        compare=close(),
        hints=(Hint("For negative x use exp(x) / (1 + exp(x)), so exp never gets a large positive argument."),),
    ),
    Check(
        name="sigmoid_grad_values",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=1.5,
        description="sigmoid_grad takes the sigmoid's VALUE s and returns s (1 - s)",
        calls=_sigmoid_grad_values,
        compare=close(),
        hints=(Hint("sigmoid_grad receives s = sigmoid(x), not x: do not apply the sigmoid again."),),
    ),
    Check(
        name="gradcheck_accepts_correct",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.0,
        description="passes correct gradients, including a strongly curved function",
        calls=_gradcheck_correct,
        compare=equal_values(),
        hints=(Hint("Use centred differences (f(x + h) - f(x - h)) / 2h with h = 1e-4, and return True "
        "when every relative error is at most 1e-5."),),
    ),
    Check(
        name="gradcheck_rejects_wrong",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.5,
        description="fails a gradient that is wrong in one entry",
        calls=_gradcheck_wrong,
        compare=equal_values(),
        hints=(Hint("Compare every entry of the gradient and return False at the first bad one."),),
    ),
    Check(
        name="gradcheck_restores_random_state",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.5,
        description="passes a correct gradient of a function that draws random numbers",
        calls=_gradcheck_noisy,
        compare=equal_values(),
        hints=(Hint("Restore the states of both `random` and `np.random` before EVERY call of f."),),
    ),
    Check(
        name="forward_backward_cost",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=2.0,
        description="the cost on random networks (summed over the examples)",
        calls=_fbp_random,
        compare=close(parts=[0], part_names=["cost", "gradient"]),
        hints=(Hint("The cost is -sum(labels * log(y_hat)) over all N examples (a sum, not a mean)."),),
    ),
    Check(
        name="forward_backward_gradient",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=3.0,
        description="the gradient on random networks, in the order W1, b1, W2, b2",
        calls=_fbp_random,
        compare=close(parts=[1], part_names=["cost", "gradient"]),
        hints=(Hint("Check every block, the bias gradients (sums of the deltas over the examples) "
        "included, and the order of the flattened gradient."),),
    ),
    Check(
        name="forward_backward_gradcheck",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=2.0,
        description="your gradient agrees with centred differences of your own cost",
        calls=_fbp_perturbed,
        compare=_gradient_matches_differences,
        hints=(Hint("Your gradient does not match your cost function: check the backprop deltas."),),
    ),
    Check(
        name="forward_backward_shapes",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=1.0,
        description="returns a scalar cost and a gradient shaped like params",
        calls=lambda rng: _fbp_random(rng)[:1],
        compare=_shapes_only,
        hints=(Hint("Return (cost, grad) with grad flattened to the shape of params."),),
    ),
)
