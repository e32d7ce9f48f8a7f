"""One-line self-checks per part: `check("1(b)")` runs that part's sanity checks.

The sanity checks are the handout's small public examples, the same ones the notebooks'
sanity cells run (those cells are `check(...)` calls), with the fixtures of `cs224n.sanity`.
Nothing here knows the hidden tests: they use other inputs, and the grader runs them outside
this package. A self-check prints every example with `ok` or `FAIL` and what differed, then
raises AssertionError when a required part failed, so that *Run All* stops where the problem
is. An optional part (CBOW, extra credit) left as the stub is skipped with a note instead.

`nbgrader validate` (and JupyterLab's Validate button) only looks at the graded cells, so each
hidden-test cell starts with `validate_part("...")`: while nbgrader validates
($NBGRADER_VALIDATING is "1") it runs the part's self-check and fails the validation, naming
the part; at any other time, grading included, it does nothing.
"""

from __future__ import annotations

import os
import random
import sys
import textwrap
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cs224n import VALIDATING_ENV
from cs224n.sanity import dummy_setup, expect_close

QUIET = 10**9  # a PRINT_EVERY that prints nothing, as the hidden tests pass


@dataclass(frozen=True)
class Part:
    """A part of the assignment with code to check, named as the notebook names it."""

    key: str  # what check() takes: "1(b)", "3(e) cbow"
    title: str  # shown to the student: "1(b) softmax"
    functions: tuple[str, ...]  # the student's functions it calls, in the notebook's names
    run: Callable[[dict, Tally], None] = field(repr=False)
    optional: bool = False  # extra credit: skipped with a note while it is the stub
    uses: tuple[str, ...] = ()  # the student's functions of other parts that it runs too


class Tally:
    """Runs a part's examples one by one and remembers what passed."""

    def __init__(self, part: Part, namespace: dict) -> None:
        self.part = part
        self.namespace = namespace
        self.passed: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def fn(self, name: str) -> Callable:
        """The student's function `name` from the notebook's namespace."""
        found = self.namespace.get(name)
        if not callable(found):
            raise NameError(f"{name} is not defined: run the cell that defines it first")
        return found

    def example(self, what: str, test: Callable[[], object]) -> None:
        """Run one example; an AssertionError (or any error but a stub's) is its failure."""
        try:
            test()
        except NotImplementedError:
            raise
        except AssertionError as error:
            self.fail(what, str(error) or what)
        except Exception as error:  # noqa: BLE001  (a student's error, reported plainly)
            self.fail(what, f"{what}: raised {_describe(error)}")
        else:
            self.passed.append(what)
            print(f"  ok    {what}")

    def close(self, what: str, actual: Callable[[], object], expected, **tolerance) -> None:
        """An example whose result must be close to `expected` (see `expect_close`)."""
        self.example(what, lambda: expect_close(actual(), expected, what, **tolerance))

    def fail(self, what: str, message: str) -> None:
        self.failed.append((what, message))
        lines = message.splitlines() or [what]
        print(f"  FAIL  {lines[0]}")
        for line in lines[1:]:
            print(f"        {line}")


@dataclass
class Result:
    """What a self-check found (also returned, for scripts)."""

    title: str
    passed: list[str]
    failed: list[tuple[str, str]]
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _stub_name(error: NotImplementedError) -> str:
    """The function that raised: the innermost frame of the traceback, with its notebook."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "a function"
    frame = frames[-1]
    if ".ipynb, cell " in frame.filename:  # a function imported from another notebook
        return f"{frame.name} ({frame.filename.split(',')[0]})"
    return frame.name


def _find(part: str) -> list[Part]:
    wanted = " ".join(part.split()).lower()
    found = [p for p in PARTS if wanted in (p.key.lower(), p.title.lower())]
    found = found or [p for p in PARTS if p.key.lower().startswith(wanted)]
    found = found or [p for p in PARTS if wanted in (f.lower() for f in p.functions)]
    if not found:
        names = ", ".join(f'"{p.key}"' for p in PARTS)
        raise ValueError(f"no part called {part!r}; the parts are {names}")
    return found


def run_part(part: Part, namespace: dict) -> Result:
    """Run one part's examples, printing each; never raises for the student's mistakes."""
    print(f"{part.title}:")
    tally = Tally(part, namespace)
    try:
        part.run(namespace, tally)
    except NotImplementedError as error:
        name = _stub_name(error)
        if part.optional and name.split(" ")[0] in part.functions:
            note = (f"{part.title} skipped: {name} is not implemented (it still raises "
                    "NotImplementedError). That is fine: it is optional, and the rest of the "
                    "notebook does not use it.")
            print(f"  note  {note}")
            return Result(part.title, tally.passed, [], skipped=note)
        tally.fail(name, f"{name} is not implemented yet (it raises NotImplementedError)")
    except NameError as error:
        tally.fail(str(error), str(error))
    except Exception as error:  # noqa: BLE001  (a student's error, reported plainly)
        tally.fail(part.title, f"{part.title}: raised {_describe(error)}")
    total = len(tally.passed) + len(tally.failed)
    if tally.failed:
        print(f"{part.title}: {len(tally.failed)} of {total} sanity checks FAILED.")
        if part.uses:
            print(f"  (this part also runs your {_names(part.uses)}: if the part of one of "
                  "them fails too, fix that one first)")
    else:
        print(f"{part.title}: all {total} sanity checks passed.")
    return Result(part.title, tally.passed, tally.failed)


def check(part: str, namespace: dict | None = None) -> list[Result]:
    """Run the sanity checks of `part` ("1(b)", "2(g)", "3(e) cbow", or "3(e)" for all of
    (e)) on the functions defined in the notebook, and print what passed and what failed.

    Raises AssertionError, naming the part and what differs, when a required part fails
    (an optional part that fails only prints, so Run All goes on, except under validation).
    namespace: where the functions are; by default the notebook's (the caller's) globals.
    """
    __tracebackhide__ = True  # IPython: show the student the failure, not this function
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    results = [run_part(p, namespace) for p in _find(part)]
    failed = [r for r in results if not r.ok]
    validating = os.environ.get(VALIDATING_ENV) == "1"
    blocking = [r for r in failed
                if validating or not next(p for p in PARTS if p.title == r.title).optional]
    if blocking:
        raise AssertionError(_summary(blocking))
    for r in failed:
        print(f"Note: {r.title} is optional (extra credit): the rest of the notebook does not "
              "use it, so Run All goes on. Fix it or leave it as the stub.")
    return results


def validate_part(part: str, namespace: dict | None = None) -> None:
    """`check(part)` while `nbgrader validate` runs the notebook; otherwise nothing.

    In the hidden-test cells, so that validation (which only looks at graded cells) fails,
    naming the part, when a sanity check fails or a function is still the stub. Grading and
    Run All are not affected: the sanity cells above already ran the same checks.
    """
    __tracebackhide__ = True
    if os.environ.get(VALIDATING_ENV) != "1":
        return
    _short_tracebacks()
    with warnings.catch_warnings():
        # validate counts any stderr output of a graded cell as a failure: a numpy warning
        # (advice, worth no points) must not fail an honest notebook
        warnings.simplefilter("ignore")
        check(part, namespace if namespace is not None else sys._getframe(1).f_globals)


def _short_tracebacks() -> None:
    """In the throwaway kernel of a validation only: errors as one message, no stack, so that
    validate's report (which cuts lines at 90 characters) shows what failed."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.InteractiveTB.set_mode("Minimal")
    except Exception:  # noqa: BLE001  (not in IPython: plain tracebacks are fine)
        pass


def _names(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _summary(results: list[Result]) -> str:
    """What failed, in lines short enough for validate's report."""
    lines = []
    for r in results:
        total = len(r.passed) + len(r.failed)
        if total == 1 and "not implemented yet" in r.failed[0][1]:
            lines.append(f"{r.title} FAILED:")
            lines += textwrap.wrap(r.failed[0][1], 76, initial_indent="  ",
                                   subsequent_indent="  ")
            continue
        lines.append(f"{r.title} FAILED: {len(r.failed)} of {total} sanity checks")
        for _, message in r.failed[:3]:
            first, *rest = message.splitlines() or [""]
            lines += textwrap.wrap(first, 76, initial_indent="  - ", subsequent_indent="    ")
            lines += [f"    {line[:72]}" for line in rest[:4]]
        uses = next(p.uses for p in PARTS if p.title == r.title)
        if uses:
            lines += textwrap.wrap(f"(this part also runs your {_names(uses)}: if the part of "
                                   "one of them fails too, fix that one first)", 76,
                                   initial_indent="  ", subsequent_indent="  ")
    return "\n" + "\n".join(lines)


# ------------------------------------------------------------------------------- problem 1

def _softmax(ns: dict, t: Tally) -> None:
    softmax = t.fn("softmax")
    t.close("softmax([1, 2])", lambda: softmax(np.array([1, 2])), [0.26894142, 0.73105858])
    t.close("softmax([[1001, 1002], [3, 4]]) (row by row)",
            lambda: softmax(np.array([[1001, 1002], [3, 4]])),
            [[0.26894142, 0.73105858], [0.26894142, 0.73105858]])
    t.close("softmax([[-1001, -1002]])", lambda: softmax(np.array([[-1001, -1002]])),
            [[0.73105858, 0.26894142]])


# ------------------------------------------------------------------------------- problem 2

def _sigmoid(ns: dict, t: Tally) -> None:
    sigmoid, sigmoid_grad = t.fn("sigmoid"), t.fn("sigmoid_grad")
    x = np.array([[1, 2], [-1, -2]])
    t.close("sigmoid([[1, 2], [-1, -2]])", lambda: sigmoid(x),
            [[0.73105858, 0.88079708], [0.26894142, 0.11920292]])
    t.close("sigmoid_grad(sigmoid([[1, 2], [-1, -2]])) (sigmoid_grad takes the sigmoid's "
            "value s, not x)", lambda: sigmoid_grad(sigmoid(x)),
            [[0.19661193, 0.10499359], [0.19661193, 0.10499359]])
    t.close("sigmoid(np.zeros((2, 3, 4))) (the shape must be kept)",
            lambda: sigmoid(np.zeros((2, 3, 4))), np.full((2, 3, 4), 0.5))

    def large():
        values = np.array([-1000.0, -710.0, 0.0, 710.0, 1000.0])
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                return sigmoid(values)
        except FloatingPointError as error:
            print(f"  note  sigmoid([-1000, -710, 0, 710, 1000]) makes numpy warn ({error}). "
                  "This is advice, worth no points: for negative x, exp(x) / (1 + exp(x)) "
                  "avoids it.")
            with np.errstate(all="ignore"):
                return sigmoid(values)

    t.close("sigmoid([-1000, -710, 0, 710, 1000]) (0 or 1, never nan)", large,
            [0, 0, 0.5, 1, 1])


def _quad(x):
    """f(x) = sum(x ** 2), gradient 2 x."""
    return np.sum(x**2), 2 * x


def _cubic(x):
    """f(x) = sum(x ** 3), gradient 3 x ** 2: curved enough to expose one-sided differences."""
    return np.sum(x**3), 3 * x**2


def _sampled(x):
    """Draws from Python's random, as word2vec's negative sampling does."""
    flat = x.reshape(-1)
    k = random.randrange(flat.size)
    j = random.randrange(flat.size)
    grad = np.zeros(flat.size)
    grad[k] += 2 * flat[k]
    grad[j] += 3.0
    return flat[k] ** 2 + 3 * flat[j], grad.reshape(x.shape)


def _wrong(x):
    """sum(x ** 2) with a gradient that is wrong in entry (1, 0)."""
    grad = 2 * x
    grad[1, 0] += 0.01
    return np.sum(x**2), grad


def _wrong_last(x):
    """sum(x ** 2) with a gradient that is wrong in its last entry."""
    grad = 2 * x
    grad.flat[-1] += 0.01
    return np.sum(x**2), grad


def _gradcheck(ns: dict, t: Tally) -> None:
    gradcheck_naive = t.fn("gradcheck_naive")

    def verdict(f, x, expected, what):
        def test():
            x0 = x.copy()
            got = gradcheck_naive(f, x)
            if got is None:
                raise AssertionError(f"{what}: gradcheck_naive returned None. The handout's "
                                     "skeleton returns nothing, but this notebook asks for "
                                     "True or False, and the hidden tests read it")
            if bool(got) != expected:
                raise AssertionError(f"{what}: gradcheck_naive returned {got!r}, expected "
                                     f"{expected}")
            expect_close(x, x0, f"{what}: x after gradcheck_naive (put every entry back)",
                         rtol=0, atol=1e-12)
        t.example(what, test)

    random.seed(2017)
    np.random.seed(224)
    verdict(_quad, np.array(123.456), True, "sum(x^2) on a scalar (0-d array)")
    verdict(_quad, np.random.randn(3), True, "sum(x^2) on a vector of shape (3,)")
    verdict(_quad, np.random.randn(4, 5), True, "sum(x^2) on a matrix of shape (4, 5)")
    verdict(_cubic, np.array([1.5, -2.0, 2.5]), True,
            "sum(x^3) (one-sided differences fail here: use centred ones)")
    verdict(_sampled, np.random.randn(3, 4), True,
            "a function drawing from Python's random (restore random's state with "
            "random.setstate before every call of f)")
    print("  Gradients wrong in entry (1, 0) and in the last entry follow; your checker must "
          "reject both (its failure messages are expected):")
    verdict(_wrong, np.random.randn(3, 2), False, "a gradient wrong in entry (1, 0)")
    verdict(_wrong_last, np.random.randn(2, 3, 2), False, "a gradient wrong in its last entry")


def _centred_differences(cost_of, x, h=1e-4):
    """The numerical gradient of cost_of at x, independent of the student's gradcheck_naive."""
    numerical = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        numerical[i] = (cost_of(x + step) - cost_of(x - step)) / (2 * h)
    return numerical


def _neural(ns: dict, t: Tally) -> None:
    forward_backward_prop = t.fn("forward_backward_prop")
    gradcheck_naive = t.fn("gradcheck_naive")
    random.seed(31415)
    np.random.seed(9265)
    N = 20
    dimensions = [10, 5, 10]  # Dx, H, Dy
    Dx, H, Dy = dimensions
    X = np.random.randn(N, Dx)  # (N, Dx)
    labels = np.zeros((N, Dy))  # (N, Dy): one-hot rows
    for i in range(N):
        labels[i, random.randint(0, Dy - 1)] = 1
    params = np.random.randn((Dx + 1) * H + (H + 1) * Dy)  # (115,)

    def cost_of(p, rows=slice(None)):
        return forward_backward_prop(X[rows], labels[rows], p, dimensions)[0]

    def shapes():
        cost, grad = forward_backward_prop(X, labels, params, dimensions)
        if np.ndim(cost) != 0:
            raise AssertionError(f"the cost must be a number, got shape {np.shape(cost)}")
        if np.shape(grad) != params.shape:
            raise AssertionError(f"grad has shape {np.shape(grad)}, expected "
                                 f"{params.shape} like params")

    t.example("forward_backward_prop returns (a number, grad shaped like params)", shapes)
    t.close("cost with all parameters zero (N log Dy: a sum, not a mean)",
            lambda: cost_of(np.zeros_like(params)), N * np.log(Dy))
    t.close("cost of the batch against the sum of its examples' costs",
            lambda: cost_of(params),
            sum(cost_of(params, slice(n, n + 1)) for n in range(N)))
    t.close("cost on the sanity data", lambda: cost_of(params), 53.1657843165)

    grad = forward_backward_prop(X, labels, params, dimensions)[1]
    numerical = _centred_differences(cost_of, params)
    start = 0
    for name, size in [("W1", Dx * H), ("b1", H), ("W2", H * Dy), ("b2", Dy)]:
        block = slice(start, start + size)
        t.close(f"gradient of {name} (grad[{start}:{start + size}]) against centred "
                "differences of your cost", lambda b=block: np.asarray(grad).ravel()[b],
                numerical[block], rtol=1e-5, atol=1e-6)
        start += size

    def checker_agrees():
        passed = gradcheck_naive(lambda p: forward_backward_prop(X, labels, p, dimensions),
                                 params)
        if passed is None:
            raise AssertionError("your gradcheck_naive returned None: this notebook asks it to "
                                 "return True or False, see (f)")
        if not passed:
            raise AssertionError("your gradcheck_naive rejected forward_backward_prop, although "
                                 "the explicit centred differences above agree with it: "
                                 "check (f)")

    t.example("your gradcheck_naive accepts forward_backward_prop", checker_agrees)


# ------------------------------------------------------------------------------- problem 3

def _normalize(ns: dict, t: Tally) -> None:
    normalizeRows = t.fn("normalizeRows")
    t.close("normalizeRows([[3, 4], [1, 2]])",
            lambda: normalizeRows(np.array([[3.0, 4.0], [1.0, 2.0]])),
            [[0.6, 0.8], [0.4472136, 0.89442719]])
    t.close("normalizeRows([[0, -5, 0]])", lambda: normalizeRows(np.array([[0.0, -5.0, 0.0]])),
            [[0.0, -1.0, 0.0]])

    def non_square():
        try:
            return normalizeRows(np.array([[-3.0, 4.0], [1.0, -2.0], [-0.5, 0.0]]))
        except ValueError as error:
            raise AssertionError(f"normalizeRows of a 3 x 2 matrix raised {error}: the row "
                                 "norms must have shape (N, 1) to divide the rows "
                                 "(keepdims=True)") from error

    t.close("normalizeRows([[-3, 4], [1, -2], [-0.5, 0]]) (each row divided by its own "
            "Euclidean length)", non_square,
            [[-0.6, 0.8], [0.4472136, -0.89442719], [-1.0, 0.0]])


def _cost_function(t: Tally, name: str, expected) -> None:
    """The cost function `name` on the dummy data (vectors[0], target 2, vectors[5:]): its
    values, then both gradients against the student's gradcheck_naive."""
    cost_function, gradcheck_naive = t.fn(name), t.fn("gradcheck_naive")
    call = f"{name}(vectors[0], 2, vectors[5:], dataset)"
    dataset, vectors, _ = dummy_setup()
    predicted, U = vectors[0].copy(), vectors[5:].copy()
    result = cost_function(predicted, 2, U, dataset)
    if result is None or len(result) != 3:
        t.fail(call, f"{name} must return (cost, gradPred, grad)")
        return
    cost, gradPred, grad = result
    t.close(f"{call}: cost", lambda: cost, expected[0])
    t.close(f"{call}: gradPred", lambda: gradPred, expected[1])
    if np.shape(gradPred) != np.shape(predicted):
        print(f"  note  {name} returns gradPred of shape {np.shape(gradPred)}; skipgram and "
              "cbow add it to one row of gradIn, which needs shape (D,) = "
              f"{np.shape(predicted)}.")
    t.close(f"{call}: grad", lambda: grad, expected[2])

    def wrt_predicted(v):
        cost, gradPred, _ = cost_function(v, 2, U, dataset)
        return cost, np.reshape(np.asarray(gradPred), np.shape(v))

    def wrt_output(U_):
        cost, _, grad = cost_function(predicted, 2, U_, dataset)
        return cost, np.asarray(grad)

    for f, x, which in [(wrt_predicted, predicted, "gradPred"), (wrt_output, U, "grad")]:
        def gradient_check(f=f, x=x, which=which):
            if not gradcheck_naive(f, x.copy()):
                raise AssertionError(f"{name}: {which} does not match the numerical gradient "
                                     "of your cost")
        t.example(f"{name}: {which} against your gradcheck_naive", gradient_check)


def _softmax_cost(ns: dict, t: Tally) -> None:
    _cost_function(t, "softmaxCostAndGradient", (
        1.6040941202151995,
        [0.11908358, -0.67400559, 0.64342261],
        [[-0.29389885, -0.00663122, 0.0767061],
         [-0.08882685, -0.00200419, 0.02318336],
         [0.77284907, 0.01743774, -0.20170967],
         [-0.15785019, -0.00356156, 0.0411981],
         [-0.23227318, -0.00524076, 0.06062212]]))


def _neg_sampling(ns: dict, t: Tally) -> None:
    _cost_function(t, "negSamplingCostAndGradient", (
        9.148175457002496,
        [-1.86106846, -2.92331834, -0.18548263],
        [[-0.67685809, -0.0152719, 0.17665652],
         [-0.79945537, -0.01803805, 0.20865378],
         [0.38054522, 0.00858621, -0.09932037],
         [-2.15076071, -0.04852746, 0.56133759],
         [-1.88072786, -0.04243473, 0.49086039]]))


def _model_gradient(t: Tally, model_name: str, cost_name: str) -> None:
    """Gradient-check word2vec_sgd_wrapper(model, ..., cost function) on the dummy data."""
    model, cost_function = t.fn(model_name), t.fn(cost_name)
    wrapper, gradcheck_naive = t.fn("word2vec_sgd_wrapper"), t.fn("gradcheck_naive")

    def test():
        dataset, vectors, tokens = dummy_setup()

        def f(vec):
            return wrapper(model, tokens, vec, dataset, 5, cost_function)

        if not gradcheck_naive(f, vectors):
            raise AssertionError(f"{model_name} with {cost_name}: the gradient of "
                                 "word2vec_sgd_wrapper does not match the numerical gradient")

    t.example(f"gradient check of {model_name} with {cost_name}", test)


def _window(t: Tally, model_name: str, center: str, C: int, context: list[str],
            cost_name: str | None, what: str, expected: dict) -> None:
    """One window of the dummy data through the model: cost, gradIn and gradOut (or the rows
    of gradIn that `expected` names, e.g. "gradIn row 2")."""
    model = t.fn(model_name)
    extra = (t.fn(cost_name),) if cost_name else ()
    dataset, vectors, tokens = dummy_setup()
    cost, gradIn, gradOut = model(center, C, context, tokens, vectors[:5], vectors[5:],
                                  dataset, *extra)
    got = {"cost": cost, "gradIn": gradIn, "gradOut": gradOut}
    for key, value in expected.items():
        label, _, row = key.partition(" row ")
        actual = (lambda a=got[label], r=int(row): np.asarray(a)[r]) if row else (
            lambda a=got[label]: a)
        suffix = f" ({value[1]})" if isinstance(value, tuple) else ""
        t.close(f"{what}: {key}{suffix}", actual, value[0] if isinstance(value, tuple) else value)


def _skipgram(ns: dict, t: Tally) -> None:
    _model_gradient(t, "skipgram", "softmaxCostAndGradient")
    _model_gradient(t, "skipgram", "negSamplingCostAndGradient")
    _window(t, "skipgram", "c", 3, ["a", "b", "e", "d", "b", "c"], None,
            'skipgram("c", 3, ["a", "b", "e", "d", "b", "c"], ...) with softmaxCostAndGradient '
            "(b occurs twice, and the centre word c is in its own context: every occurrence "
            "counts)", {
                "cost": 11.16610900153398,
                "gradIn": ([[0, 0, 0], [0, 0, 0], [-1.26947339, -1.36873189, 2.45158957],
                            [0, 0, 0], [0, 0, 0]],
                           "only row 2, the centre word c, is non-zero"),
                "gradOut": [[-0.41045956, 0.18834851, 1.43272264],
                            [0.38202831, -0.17530219, -1.33348241],
                            [0.07009355, -0.03216399, -0.24466386],
                            [0.09472154, -0.04346509, -0.33062865],
                            [-0.13638384, 0.06258276, 0.47605228]]})
    _window(t, "skipgram", "c", 3, ["a", "b"], None,
            'skipgram("c", 3, ["a", "b"], ...) (fewer than 2C context words)', {
                "cost": 3.1741069859376743,
                "gradIn row 2": [-0.5220491372, -1.0408381351, 0.2912116052],
                "gradOut": [[0.0453377752, -0.0208042471, -0.1582529986],
                            [0.2184215856, -0.1002276054, -0.7624077429],
                            [-0.0677142972, 0.0310722122, 0.2363589861],
                            [-0.0595049690, 0.0273051793, 0.2077040555],
                            [-0.1365400946, 0.0626544610, 0.4765976999]]})
    _window(t, "skipgram", "c", 1, ["a", "b"], "negSamplingCostAndGradient",
            'skipgram("c", 1, ["a", "b"], ...) with negSamplingCostAndGradient', {
                "cost": 15.475254528181654,
                "gradIn": [[0, 0, 0], [0, 0, 0], [-4.58977058, -3.32368585, 0.15077283],
                           [0, 0, 0], [0, 0, 0]],
                "gradOut": [[-0.49853822, 0.22876535, 1.74016407],
                            [-0.02700439, 0.01239157, 0.09425972],
                            [-0.45528438, 0.20891737, 1.58918512],
                            [-0.63205221, 0.29003122, 2.20619908],
                            [-0.80620296, 0.36994417, 2.81407799]]})


def _cbow(ns: dict, t: Tally) -> None:
    cbow = t.fn("cbow")
    dataset, vectors, tokens = dummy_setup()
    # a first call of its own: a stub is skipped before any gradient check runs
    t.example('cbow("a", 2, ["a", "b"], ...) runs',
              lambda: cbow("a", 2, ["a", "b"], tokens, vectors[:5], vectors[5:], dataset))
    _model_gradient(t, "cbow", "softmaxCostAndGradient")
    _model_gradient(t, "cbow", "negSamplingCostAndGradient")
    _window(t, "cbow", "a", 2, ["a", "b", "c", "a"], None,
            'cbow("a", 2, ["a", "b", "c", "a"], ...) with softmaxCostAndGradient', {
                "cost": 0.7989958010906648,
                "gradIn": ([[0.23330542, -0.51643128, -0.8281311],
                            [0.11665271, -0.25821564, -0.41406555],
                            [0.11665271, -0.25821564, -0.41406555],
                            [0, 0, 0], [0, 0, 0]], "row 0, a, counts twice"),
                "gradOut": [[0.80954933, 0.21962514, -0.54095764],
                            [-0.03556575, -0.00964874, 0.02376577],
                            [-0.13016109, -0.0353118, 0.08697634],
                            [-0.1650812, -0.04478539, 0.11031068],
                            [-0.47874129, -0.1298792, 0.31990485]]})
    _window(t, "cbow", "a", 2, ["a", "b", "a", "c"], "negSamplingCostAndGradient",
            'cbow("a", 2, ["a", "b", "a", "c"], ...) with negSamplingCostAndGradient', {
                "cost": 9.745404965244377,
                "gradIn": [[-4.65667906, -4.81170724, -2.13675588],
                           [-2.32833953, -2.40585362, -1.06837794],
                           [-2.32833953, -2.40585362, -1.06837794],
                           [0, 0, 0], [0, 0, 0]],
                "gradOut": [[0.21992784, 0.0596649, -0.14696034],
                            [-0.68912523, -0.18695491, 0.46048776],
                            [-1.55404334, -0.42160121, 1.03844397],
                            [-2.58955401, -0.7025281, 1.73039366],
                            [-3.55123511, -0.96342553, 2.37300889]]})
    _window(t, "cbow", "c", 2, ["a", "b", "d", "a"], None,
            'cbow("c", 2, ["a", "b", "d", "a"], ...) with softmaxCostAndGradient (the target '
            "is c)", {
                "cost": 1.540245590427792,
                "gradIn": [[0.2878802204, -1.7146914613, 0.9270178018],
                           [0.1439401102, -0.8573457306, 0.4635089009],
                           [0, 0, 0],
                           [0.1439401102, -0.8573457306, 0.4635089009],
                           [0, 0, 0]],
                "gradOut": [[-0.2464417744, -0.1111741368, -0.1044367276],
                            [-0.0774692779, -0.034947728, -0.0328298151],
                            [1.3868844745, 0.625647517, 0.587731834],
                            [-0.6104646189, -0.2753911231, -0.2587017856],
                            [-0.4525088032, -0.2041345291, -0.1917635057]]})


def _shifted(x):
    """Minimum at (2, -1), not at 0."""
    d = x - np.array([2.0, -1.0])
    return np.sum(d * d), 2 * d


def _sgd(ns: dict, t: Tally) -> None:
    sgd = t.fn("sgd")
    for x0 in (0.5, 0.0, -1.5):
        def from_start(x0=x0):
            end = sgd(_quad, x0, 0.01, 1000, PRINT_EVERY=QUIET)
            if end is None:
                raise AssertionError("sgd returned None (did you forget `return x`?)")
            if not abs(end) <= 1e-6:
                raise AssertionError(f"sgd(quad, {x0}, 0.01, 1000) ended at {end}, expected "
                                     "|x| <= 1e-6")
        t.example(f"sgd on x^2 from {x0}: 1,000 steps of 0.01 end within 1e-6 of 0",
                  from_start)
    t.close("sgd(shifted, [0.5, 1], 0.01, 1000): the minimum of sum((x - [2, -1])**2)",
            lambda: sgd(_shifted, np.array([0.5, 1.0]), 0.01, 1000, PRINT_EVERY=QUIET),
            [2.0, -1.0], atol=1e-6)
    x0 = np.array([3.0, 4.0])
    normalise = lambda x: x / np.linalg.norm(x)  # noqa: E731
    t.close("one step from [3, 4] with step 0.1, then normalised to length 1 "
            "(postprocessing must be applied, and its result kept)",
            lambda: sgd(_quad, x0, 0.1, 1, postprocessing=normalise, PRINT_EVERY=QUIET),
            [0.6, 0.8])
    t.close("x0 after sgd (sgd must not modify its argument)", lambda: x0, [3.0, 4.0])
    t.close("three steps of 0.1 on shifted from [3, 4], each followed by the normalisation "
            "(postprocessing after EVERY step)",
            lambda: sgd(_shifted, x0, 0.1, 3, postprocessing=normalise, PRINT_EVERY=QUIET),
            [0.9960668183, 0.0886052681])


# ------------------------------------------------------------------------------- problem 4

def _features(ns: dict, t: Tally) -> None:
    getSentenceFeatures = t.fn("getSentenceFeatures")
    tokens = {"a": 0, "b": 1, "c": 2}
    vectors = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # (V, D) = (3, 2)

    def aba():
        got = getSentenceFeatures(tokens, vectors, ["a", "b", "a"])
        if got is not None and np.shape(got) != (2,):
            raise AssertionError(f'getSentenceFeatures(["a", "b", "a"]) has shape '
                                 f"{np.shape(got)}: return shape (D,) = (2,), not (1, D): the "
                                 "features of N sentences are stacked into an (N, D) matrix")
        if got is not None and np.allclose(got, [2.0, 3.0]):
            raise AssertionError('getSentenceFeatures(["a", "b", "a"]) gave (2, 3), the mean '
                                 "of the DISTINCT words a and b: a repeated word must count "
                                 "each time.")
        if got is not None and np.allclose(got, [5.0, 8.0]):
            raise AssertionError('getSentenceFeatures(["a", "b", "a"]) gave (5, 8), the SUM of '
                                 "the word vectors: divide by the number of words.")
        expect_close(got, [5 / 3, 8 / 3], 'getSentenceFeatures(["a", "b", "a"])')

    t.example('getSentenceFeatures(["a", "b", "a"]) is (5/3, 8/3)', aba)
    t.close('getSentenceFeatures(["c"]) (a one-word sentence: that word\'s vector, shape (D,))',
            lambda: getSentenceFeatures(tokens, vectors, ["c"]), [5.0, 6.0])
    t.close('getSentenceFeatures(["c", "b", "a"])',
            lambda: getSentenceFeatures(tokens, vectors, ["c", "b", "a"]), [3.0, 4.0])


def _selection(ns: dict, t: Tally) -> None:
    getRegularizationValues = t.fn("getRegularizationValues")
    chooseBestModel = t.fn("chooseBestModel")

    def values():
        found = np.asarray(getRegularizationValues(), dtype=float).ravel()
        assert found.size >= 5, (
            f"getRegularizationValues: only {found.size} values; try at least 5")
        assert np.all(np.isfinite(found)) and np.all(found > 0), (
            f"getRegularizationValues: the values must be positive and finite, got {found}")
        assert found.max() / found.min() >= 100, (
            "getRegularizationValues: the values span less than two orders of magnitude; "
            "space them logarithmically (np.logspace)")
        steps = np.diff(np.log10(np.unique(found)))
        assert np.unique(found).size >= 5 and steps.max() <= 10 * steps.min(), (
            "getRegularizationValues: the values are not spaced logarithmically (sorted, the "
            "largest step between neighbours on a log scale is more than 10 times the "
            "smallest): use np.logspace, not np.linspace")

    t.example("getRegularizationValues: at least 5 positive values, log-spaced over two "
              "orders of magnitude or more", values)

    results = [
        {"reg": 1e-4, "clf": None, "train": 41.0, "dev": 30.5, "test": 33.0},  # best train
        {"reg": 1e-3, "clf": None, "train": 38.0, "dev": 31.0, "test": 31.5},
        {"reg": 1e-2, "clf": None, "train": 39.0, "dev": 35.2, "test": 32.1},  # best dev
        {"reg": 0.1, "clf": None, "train": 36.0, "dev": 33.9, "test": 32.4},
        {"reg": 1.0, "clf": None, "train": 35.0, "dev": 34.8, "test": 36.8},  # best test
        {"reg": 100.0, "clf": None, "train": 30.0, "dev": 29.0, "test": 28.5},
    ]

    def best():
        found = chooseBestModel(results)
        assert isinstance(found, dict), (
            f"chooseBestModel: return one of the result dicts, not {found!r}")
        assert found["reg"] != 1e-4, "chooseBestModel chose by TRAIN accuracy: choose by dev"
        assert found["reg"] != 1.0, (
            "chooseBestModel chose the best TEST accuracy (or let the test accuracy take part "
            "in the choice): choose by dev accuracy alone")
        assert found == results[2], (
            f"chooseBestModel: expected the result with reg = 0.01 (dev 35.2%), got {found}")

    t.example("chooseBestModel picks the best dev accuracy (reg = 0.01 in a made-up sweep)",
              best)


COST_HELPERS = ("softmaxCostAndGradient", "negSamplingCostAndGradient", "gradcheck_naive")
PARTS: tuple[Part, ...] = (
    Part("1(b)", "1(b) softmax", ("softmax",), _softmax),
    Part("2(e)", "2(e) sigmoid and sigmoid_grad", ("sigmoid", "sigmoid_grad"), _sigmoid),
    Part("2(f)", "2(f) gradcheck_naive", ("gradcheck_naive",), _gradcheck),
    Part("2(g)", "2(g) forward_backward_prop", ("forward_backward_prop",), _neural,
         uses=("softmax", "sigmoid", "sigmoid_grad", "gradcheck_naive")),
    Part("3(e) normalizeRows", "3(e) normalizeRows", ("normalizeRows",), _normalize),
    Part("3(e) softmaxCostAndGradient", "3(e) softmaxCostAndGradient",
         ("softmaxCostAndGradient",), _softmax_cost, uses=("softmax", "gradcheck_naive")),
    Part("3(e) negSamplingCostAndGradient", "3(e) negSamplingCostAndGradient",
         ("negSamplingCostAndGradient",), _neg_sampling, uses=("sigmoid", "gradcheck_naive")),
    Part("3(e) skipgram", "3(e) skipgram", ("skipgram",), _skipgram, uses=COST_HELPERS),
    Part("3(e) cbow", "3(e) cbow (extra credit)", ("cbow",), _cbow, optional=True,
         uses=COST_HELPERS),
    Part("3(f)", "3(f) sgd", ("sgd",), _sgd),
    Part("4(a)", "4(a) getSentenceFeatures", ("getSentenceFeatures",), _features),
    Part("4(c)", "4(c) getRegularizationValues and chooseBestModel",
         ("getRegularizationValues", "chooseBestModel"), _selection),
)
