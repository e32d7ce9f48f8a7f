"""Hidden checks for problem 3: word2vec and SGD (16 points + 2 extra for CBOW).

The inputs are built so that each known mistake (autograder/mutants/q3_word2vec.py) fails on
every seed, not on some:

* normalizeRows: square, tall, wide and single-row matrices whose rows have distinct norms,
  none near 1, and a negative first entry (a division by the first column, the column norms,
  the global norm, the squared norm, or norms without keepdims cannot agree by luck).
* the cost functions: V != D (a transposed grad has the wrong shape); negative sampling's
  draws include the target (which must be redrawn) and are long enough that a second draw
  gives other samples; repeated samples are tested separately, so dropping them costs once.
* skipgram and cbow: a test cost function whose outputs depend on the target, the predicted
  vector and the output vectors, with a grad that is non-zero in every row; windows with
  distinct context words (routing), one shorter than 2C, and windows in which words repeat
  and the centre word occurs (tested separately).
* sgd: a quadratic whose minimum is away from 0 and from x0; postprocessing after every step.

Helpers the student wrote elsewhere (softmax, sigmoid) are isolated: a bug there costs once.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.model import Check, Compared, Hint, close
from autograder.kernel.probe import Call, Ref

NORMALIZE_PART = "3(e) normalizeRows"
NORMALIZE_CELL = "q3_normalize_hidden"
SOFTMAX_COST_PART = "3(e) softmaxCostAndGradient"
SOFTMAX_COST_CELL = "q3_softmax_cost_hidden"
NEG_SAMPLING_PART = "3(e) negSamplingCostAndGradient"
NEG_SAMPLING_CELL = "q3_neg_sampling_hidden"
SKIPGRAM_PART = "3(e) skipgram"
SKIPGRAM_CELL = "q3_skipgram_hidden"
CBOW_PART = "3(e) cbow (extra credit)"
CBOW_CELL = "q3_cbow_hidden"
SGD_PART = "3(f) sgd"
SGD_CELL = "q3_sgd_hidden"
COST_PARTS = ["cost", "gradPred", "grad"]
MODEL_PARTS = ["cost", "gradIn", "gradOut"]
K = 10  # negative samples: the default of negSamplingCostAndGradient

# ---------------------------------------------------------------- normalizeRows


def _rows(rng: np.random.Generator, N: int, D: int) -> np.ndarray:
    """N rows of length D: distinct norms (ratios of at least 1.5, none within a factor 1.6
    of 1) and a negative first entry."""
    base = rng.uniform(1.6, 2.0)
    norms = base * 1.5 ** rng.permutation(N)
    norms = np.where(rng.random(N) < 0.5, norms, 1.0 / norms)
    directions = rng.normal(size=(N, D))
    directions[:, 0] = -(np.abs(directions[:, 0]) + 0.2)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions * norms[:, None]


def _normalize(rng):
    """A tall, a wide and a square matrix, and a single row."""
    n = int(rng.integers(2, 6))
    wide = n + int(rng.integers(1, 3))
    return [
        Call("normalizeRows", (_rows(rng, wide, n),)),
        Call("normalizeRows", (_rows(rng, n, wide),)),
        Call("normalizeRows", (_rows(rng, n + 1, n + 1),)),
        Call("normalizeRows", (_rows(rng, 1, wide),)),
    ]


# ---------------------------------------------------------------- cost functions


def _cost_inputs(rng, low: int = 4, high: int = 12):
    """predicted (D,), target, U (V, D) with V != D, V."""
    V = int(rng.integers(low, high))
    D = int(rng.choice([d for d in range(2, 8) if d != V]))
    return rng.normal(size=D), int(rng.integers(V)), rng.normal(size=(V, D)), V


def _softmax_cost(rng):
    calls = []
    for _ in range(3):
        predicted, target, U, _ = _cost_inputs(rng)
        calls.append(
            Call("softmaxCostAndGradient", (predicted, target, U, None), isolate=("softmax",))
        )
    return calls


def _replay(draws) -> Ref:
    return Ref("object", "replay_dataset", ([int(d) for d in draws],))


def _neg_sampling(rng):
    """K distinct negatives after one draw of the target (to be redrawn), then more draws:
    a second set of K samples holds words the first does not."""
    calls = []
    for _ in range(3):
        predicted, target, U, V = _cost_inputs(rng, 14, 20)
        others = [int(w) for w in rng.permutation([w for w in range(V) if w != target])]
        at = int(rng.integers(1, K))  # where the target is drawn
        first = others[:K]
        draws = [*first[:at], target, *first[at:], *others[K:], *first[: K // 2]]
        calls.append(Call("negSamplingCostAndGradient", (predicted, target, U, _replay(draws)),
                          isolate=("sigmoid",)))
    return calls


def _neg_sampling_repeats(rng):
    """Two words drawn 6 and 4 times (and the target once, redrawn); a second set of samples
    would hold them 8 and 2 times."""
    predicted, target, U, V = _cost_inputs(rng)
    word, other = (int(w) for w in rng.permutation([w for w in range(V) if w != target])[:2])
    draws = [word] * 3 + [target] + [word] * 3 + [other] * 4 + [other] * 2 + [word] * 8
    return [Call("negSamplingCostAndGradient", (predicted, target, U, _replay(draws)),
                 isolate=("sigmoid",))]


# ---------------------------------------------------------------- skip-gram and CBOW

WINDOW_COST = Ref("object", "window_cost")


def _model_call(model: str, rng, C: int, context_of) -> Call:
    """One window of a V-word vocabulary whose words are named in a random order."""
    V, D = int(rng.integers(8, 12)), int(rng.integers(2, 5))
    words = [f"w{i}" for i in rng.permutation(V)]
    tokens = {w: i for i, w in enumerate(words)}
    order = [words[int(i)] for i in rng.permutation(V)]
    centre, others = order[0], order[1:]
    context = context_of(centre, others)
    return Call(model, (centre, C, context, tokens, rng.normal(size=(V, D)),
                        rng.normal(size=(V, D)), None, WINDOW_COST))


def _distinct_windows(model: str):
    """Distinct context words, not the centre word: 2C of them, and one window shorter."""

    def calls(rng):
        return [_model_call(model, rng, C, lambda centre, others, n=n: others[:n])
                for C, n in ((1, 2), (2, 4), (3, 5))]

    return calls


def _repeat_windows(model: str):
    """2C = 6 words: two words twice each, the centre word, another word; shuffled, with the
    centre word never first (a CBOW that predicts its first context word must fail here too)."""

    def calls(rng):
        def context(centre, others):
            window = [others[0], others[0], others[1], others[1], centre, others[2]]
            shuffled = [window[int(i)] for i in rng.permutation(len(window))]
            if shuffled[0] == centre:
                shuffled[0], shuffled[-1] = shuffled[-1], shuffled[0]
            return shuffled

        return [_model_call(model, rng, 3, context)]

    return calls


# ---------------------------------------------------------------- sgd

QUIET = 10**9  # PRINT_EVERY: never print


def _away_from_zero(rng, size: int) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=size) * rng.uniform(0.5, 2.0, size=size)


def _sgd_converges(rng):
    """1,000 steps of 0.01 on sum((x - c)^2): within 1e-8 of c, far from 0 and from x0."""
    centre = _away_from_zero(rng, 3)
    x0 = centre + _away_from_zero(rng, 3)
    return [Call("sgd", (Ref("object", "shifted", (centre,)), x0, 0.01, 1000),
                 {"PRINT_EVERY": QUIET})]


def _sgd_postprocessing(rng):
    centre = _away_from_zero(rng, 4)
    x0 = centre + _away_from_zero(rng, 4)
    return [Call("sgd", (Ref("object", "shifted", (centre,)), x0, 0.1, 7),
                 {"postprocessing": Ref("object", "normalise"), "PRINT_EVERY": QUIET})]


# ---------------------------------------------------------------- comparisons


def _rows_differ(student, reference) -> Compared:
    """Values compared; a result whose shape is not the input's gets its own words."""
    for s, r in zip(student, reference, strict=True):
        got, want = np.shape(s.value), np.shape(r.value)
        if s.value is not None and got != want:
            return Compared(f"for an input of shape {want} your result has shape {got}: "
                            "normalizeRows returns an array shaped like its input")
    return close()(student, reference)


def _transposed(i: int):
    """Whether part i of every result has the reference's shape reversed (and not equal)."""

    def predicate(student, reference) -> bool:
        for s, r in zip(student, reference, strict=True):
            want = np.shape(r.value[i])
            if want == want[::-1] or np.shape(np.asarray(s.value[i])) != want[::-1]:
                return False
        return True

    return predicate


def _raised(text: str):
    """Whether one of the student's calls raised an error whose message contains text."""

    def predicate(student, reference) -> bool:
        return any(not s.ok and text in (s.error or "") for s in student)

    return predicate


def _nan_cost_right_gradients(student, reference) -> bool:
    """Whether the cost is NaN or infinite although both gradients are right."""
    costs = [np.asarray(s.value[0], dtype=float) for s in student]
    return (not all(np.all(np.isfinite(c)) for c in costs)
            and close(parts=[1, 2], part_names=COST_PARTS)(student, reference).reason is None)


CHECKS = (
    Check(
        name="normalize_rows",
        cell=NORMALIZE_CELL,
        part=NORMALIZE_PART,
        points=2.0,
        description="each row scaled to unit length, for tall, wide, square and 1 x D "
                    "matrices whose rows have different lengths",
        calls=_normalize,
        compare=_rows_differ,
        hints=(
            Hint("you divide by the first column; divide each row by its Euclidean norm, "
                 "np.linalg.norm(x, axis=1, keepdims=True).", mutant="normalize_first_column"),
            Hint("the norms are taken over the columns (axis 0); take them over each row: "
                 "axis=1, keepdims=True.", mutant="normalize_columns"),
            Hint("you divide by the norm of the whole matrix; each row needs its own norm "
                 "(axis=1, keepdims=True).", mutant="normalize_global_norm"),
            Hint("you divide by the squared norm, sum(x**2); take its square root.",
                 mutant="normalize_squared_norm"),
            Hint("without keepdims=True the N norms have shape (N,) and divide the columns, "
                 "not the rows (or do not broadcast at all): use keepdims=True (or "
                 "norms[:, None]).", when=_raised("could not be broadcast")),
            Hint("that is the sum of absolute values (the L1 norm); normalizeRows uses the "
                 "Euclidean length, sqrt(sum(x**2)).", mutant="normalize_l1"),
        ),
    ),
    Check(
        name="softmax_cost_value",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="the cost -log(y_hat[target]) with y_hat = softmax(U v_c)",
        calls=_softmax_cost,
        compare=close(parts=[0], part_names=COST_PARTS),
        hints=(
            Hint("your cost has the wrong sign: cost = -log(y_hat[target]).",
                 mutant="softmax_cost_sign"),
            Hint("your cost is not a number: is it computed after subtracting 1 from "
                 "y_hat[target] in place? Take the log before, or work on a copy "
                 "(delta = y_hat.copy()).", when=_nan_cost_right_gradients),
        ),
    ),
    Check(
        name="softmax_cost_gradPred",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="gradPred = U^T (y_hat - y), the gradient with respect to v_c",
        calls=_softmax_cost,
        compare=close(parts=[1], part_names=COST_PARTS),
        hints=(
            Hint("gradPred misses the -u_o term: subtract 1 at index target (y_hat - y), not "
                 "y_hat alone.", mutant="softmax_cost_gradPred_no_target"),
        ),
    ),
    Check(
        name="softmax_cost_grad",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="grad = (y_hat - y) v_c^T, shaped like outputVectors (V, D)",
        calls=_softmax_cost,
        compare=close(parts=[2], part_names=COST_PARTS),
        hints=(
            Hint("grad is transposed: np.outer(y_hat - y, predicted) has one row per word, "
                 "shape (V, D) like outputVectors.", when=_transposed(2)),
            Hint("grad misses the -1 at the target's row: use y_hat - y, not y_hat.",
                 mutant="softmax_cost_grad_no_target"),
        ),
    ),
    Check(
        name="neg_sampling_cost",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.0,
        description="the negative-sampling cost with K = 10 distinct samples from the given "
                    "getNegativeSamples (the dataset also draws the target, which is redrawn)",
        calls=_neg_sampling,
        compare=close(parts=[0], part_names=COST_PARTS),
        hints=(
            Hint("the negative terms need a minus inside the sigmoid: "
                 "-sum_k log sigmoid(-u_k . v_c).", mutant="neg_cost_sign"),
            Hint("the target was used as a negative sample: draw the samples with the given "
                 "lines (getNegativeSamples redraws the target), not with "
                 "dataset.sampleTokenIdx() directly.", mutant="neg_no_target_rejection"),
            Hint("the sum over the negatives includes the target (indices[0]); the negatives "
                 "are indices[1:].", mutant="neg_target_in_sum"),
        ),
    ),
    Check(
        name="neg_sampling_gradients",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.5,
        description="gradPred and grad, with K = 10 distinct samples",
        calls=_neg_sampling,
        compare=close(parts=[1, 2], part_names=COST_PARTS),
        hints=(
            Hint("the negative samples' terms have the wrong sign: d cost / d u_k = "
                 "sigmoid(u_k . v_c) v_c, and gradPred gets + sigmoid(u_k . v_c) u_k.",
                 mutant="neg_grad_sign"),
            Hint("the gradient coefficient of a negative sample is sigmoid(u_k . v_c), not "
                 "the dot product u_k . v_c itself.", mutant="neg_grad_no_sigmoid"),
            Hint("the rows of grad are off by one: the target's row received a negative "
                 "sample's term; the negatives are indices[1:].", mutant="neg_off_by_one"),
            Hint("the gradients use other samples than the cost: draw the samples once (the "
                 "given lines) and use them for both.", mutant="neg_draws_twice"),
            Hint("the target was used as a negative sample: draw the samples with the given "
                 "lines (getNegativeSamples redraws the target), not with "
                 "dataset.sampleTokenIdx() directly.", mutant="neg_no_target_rejection"),
        ),
    ),
    Check(
        name="neg_sampling_repeated_samples",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.5,
        description="a word drawn several times counts once per draw (cost and gradients)",
        calls=_neg_sampling_repeats,
        compare=close(part_names=COST_PARTS),
        hints=(
            Hint("a repeated sample's row of grad gets its term once: grad[neg] += ... with a "
                 "repeated index adds once, and grad[k] = ... overwrites; use "
                 "np.add.at(grad, neg, rows) or a loop with +=.", mutant="neg_fancy_add"),
            Hint("each distinct sample is counted once; a word drawn twice counts twice, in "
                 "the cost and in the gradients.", mutant="neg_distinct_samples"),
        ),
    ),
    Check(
        name="skipgram_gradients",
        cell=SKIPGRAM_CELL,
        part=SKIPGRAM_PART,
        points=2.0,
        description="skip-gram sums the costs and routes the gradients to the right rows "
                    "(windows of distinct context words, with a test cost function)",
        calls=_distinct_windows("skipgram"),
        compare=close(part_names=MODEL_PARTS),
        hints=(
            Hint("gradPred belongs in the CENTRE word's row of gradIn, for every context word.",
                 mutant="skipgram_wrong_rows"),
            Hint("gradIn[c] = gradPred keeps only the last context word's gradient: add (+=).",
                 mutant="skipgram_assigns_gradIn"),
            Hint("gradOut = grad keeps only the last context word's gradient: add (+=).",
                 mutant="skipgram_assigns_gradOut"),
            Hint("add the whole grad to gradOut: the cost function's grad can be non-zero in "
                 "every row, not only the target's.", mutant="skipgram_target_row_only"),
            Hint("the cost is the SUM over the context words, not the mean.",
                 mutant="skipgram_mean_cost"),
            Hint("pass outputVectors (not inputVectors) to the cost function.",
                 mutant="skipgram_swapped_vectors"),
            Hint("each call's target is the context word, tokens[word], not the centre word.",
                 mutant="skipgram_centre_as_target"),
            Hint("contextWords can hold fewer than 2C words: loop over the list itself.",
                 when=_raised("IndexError")),
        ),
    ),
    Check(
        name="skipgram_repeated_context",
        cell=SKIPGRAM_CELL,
        part=SKIPGRAM_PART,
        points=1.0,
        description="skip-gram on a window with repeated context words that also contains the "
                    "centre word",
        calls=_repeat_windows("skipgram"),
        compare=close(part_names=MODEL_PARTS),
        hints=(
            Hint("a context word equal to the centre word is skipped; every word of "
                 "contextWords counts, the centre word too.", mutant="skipgram_skips_centre"),
            Hint("a repeated context word counts once per occurrence, not once: do not turn "
                 "contextWords into a set.", mutant="skipgram_distinct_context"),
        ),
    ),
    Check(
        name="cbow_gradients",
        cell=CBOW_CELL,
        part=CBOW_PART,
        points=1.5,
        description="CBOW predicts the centre word from the SUM of the context vectors and "
                    "gives gradPred to every context row (distinct context words)",
        calls=_distinct_windows("cbow"),
        compare=close(part_names=MODEL_PARTS),
        hints=(
            Hint("the predicted vector is the SUM of the context words' input vectors, not "
                 "their mean (and each context row gets the whole gradPred).",
                 mutant="cbow_mean"),
            Hint("gradPred goes to the rows of the CONTEXT words, not of the centre word.",
                 mutant="cbow_gradIn_centre"),
            Hint("the target of the cost function is the centre word, tokens[currentWord].",
                 mutant="cbow_context_target"),
        ),
    ),
    Check(
        name="cbow_repeated_context",
        cell=CBOW_CELL,
        part=CBOW_PART,
        points=0.5,
        description="CBOW on a window with repeated context words that also contains the "
                    "centre word",
        calls=_repeat_windows("cbow"),
        compare=close(part_names=MODEL_PARTS),
        hints=(
            Hint("gradIn[indices] += gradPred adds once per distinct index: use "
                 "np.add.at(gradIn, indices, gradPred) or a loop.", mutant="cbow_fancy_add"),
            Hint("a repeated context word counts once per occurrence, in the sum and in "
                 "gradIn: do not turn contextWords into a set.", mutant="cbow_distinct"),
        ),
    ),
    Check(
        name="sgd_converges",
        cell=SGD_CELL,
        part=SGD_PART,
        points=2.0,
        description="1,000 steps of size 0.01 on sum((x - c)**2), whose minimum c is not 0",
        calls=_sgd_converges,
        compare=close(atol=1e-6),
        hints=(
            Hint("x never changes: update it, x -= step * grad.", mutant="sgd_no_update"),
            Hint("step against the gradient: x -= step * grad (descent), not +=.",
                 mutant="sgd_ascent"),
            Hint("the step is step * grad, not a step of fixed length along grad.",
                 mutant="sgd_normalised_step"),
        ),
    ),
    Check(
        name="sgd_postprocessing",
        cell=SGD_CELL,
        part=SGD_PART,
        points=2.0,
        description="postprocessing is applied after every step and its result kept "
                    "(7 steps of 0.1, then normalisation to length 1)",
        calls=_sgd_postprocessing,
        compare=close(),
        hints=(
            Hint("postprocessing was not applied, or its result was not kept: it returns the "
                 "new x, so assign it, x = postprocessing(x), after every step.",
                 mutant="sgd_postprocessing_not_assigned"),
            Hint("apply postprocessing AFTER the update in each iteration, not before.",
                 mutant="sgd_postprocessing_first"),
            Hint("apply postprocessing in every iteration, not once after the loop.",
                 mutant="sgd_postprocessing_at_end"),
        ),
    ),
)
