"""Hidden checks for problem 3: word2vec and SGD (16 points + 2 extra for CBOW)."""

from autograder.checks.model import Check, Hint, close
from autograder.kernel.probe import Call, Ref

NORMALIZE_PART = "3(a) normalizeRows"
NORMALIZE_CELL = "q3_normalize_hidden"
SOFTMAX_COST_PART = "3(b) softmaxCostAndGradient"
SOFTMAX_COST_CELL = "q3_softmax_cost_hidden"
NEG_SAMPLING_PART = "3(c) negSamplingCostAndGradient"
NEG_SAMPLING_CELL = "q3_neg_sampling_hidden"
SKIPGRAM_PART = "3(d) skipgram"
SKIPGRAM_CELL = "q3_skipgram_hidden"
CBOW_PART = "3(e) cbow (extra credit)"
CBOW_CELL = "q3_cbow_hidden"
SGD_PART = "3(f) sgd"
SGD_CELL = "q3_sgd_hidden"
COST_PARTS = ["cost", "gradPred", "grad"]
MODEL_PARTS = ["cost", "gradIn", "gradOut"]

# ---------------------------------------------------------------- normalizeRows


def _normalize(rng):
    N, D = (int(v) for v in rng.integers(2, 9, size=2))
    return [
        Call("normalizeRows", (rng.normal(size=(N, D)) * 5,)),
        Call("normalizeRows", (rng.normal(size=(1, D)),)),
    ]


# ---------------------------------------------------------------- cost functions


def _cost_inputs(rng):
    V, D = int(rng.integers(4, 12)), int(rng.integers(2, 7))
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
    return Ref("object", "replay_dataset", (list(draws),))


def _neg_sampling(rng):
    """Distinct negatives (and one draw of the target, to be redrawn): repeats are tested
    separately, so dropping repeated samples loses points once."""
    calls = []
    for _ in range(3):
        V, D = int(rng.integers(14, 20)), int(rng.integers(2, 7))
        predicted, U, target = rng.normal(size=D), rng.normal(size=(V, D)), int(rng.integers(V))
        others = rng.permutation([w for w in range(V) if w != target])[:10]
        draws = [*others[:3], target, *others[3:]]
        calls.append(Call("negSamplingCostAndGradient", (predicted, target, U, _replay(draws)),
                          isolate=("sigmoid",)))
    return calls


def _neg_sampling_repeats(rng):
    predicted, target, U, V = _cost_inputs(rng)
    word = (target + 1 + int(rng.integers(V - 1))) % V  # any word but the target
    draws = [word] * 6 + [target] + [(word + 1) % V if (word + 1) % V != target else word] * 4
    return [
        Call(
            "negSamplingCostAndGradient",
            (predicted, target, U, _replay(draws)),
            isolate=("sigmoid",),
        )
    ]


# ---------------------------------------------------------------- skip-gram and CBOW


def _vocabulary(rng, V):
    words = [f"w{i}" for i in rng.permutation(V)]
    return {w: i for i, w in enumerate(words)}, words


def _model_call(model, rng, context_size, repeats):
    V, D = int(rng.integers(5, 10)), int(rng.integers(2, 5))
    tokens, words = _vocabulary(rng, V)
    centre = words[int(rng.integers(V))]
    context = [words[int(i)] for i in rng.integers(V, size=2 * context_size)]
    if repeats:
        context = context[:2] * 2 + [centre]  # repeated context words, and the centre word
    return Call(
        model,
        (
            centre,
            context_size,
            context,
            tokens,
            rng.normal(size=(V, D)),
            rng.normal(size=(V, D)),
            None,
            Ref("object", "probe_cost"),
        ),
    )


def _skipgram(rng):
    return [_model_call("skipgram", rng, int(rng.integers(1, 4)), False) for _ in range(3)]


def _skipgram_repeats(rng):
    return [_model_call("skipgram", rng, 2, True)]


def _cbow(rng):
    return [_model_call("cbow", rng, int(rng.integers(1, 4)), r) for r in (False, False, True)]


# ---------------------------------------------------------------- sgd

QUIET = 10**9  # PRINT_EVERY: never print


def _sgd_converges(rng):
    x0 = rng.uniform(-2, 2, size=3)
    centre = rng.uniform(-2, 2, size=3)
    return [Call("sgd", (Ref("object", "shifted", (centre,)), x0, 0.01, 1000),
                 {"PRINT_EVERY": QUIET})]


def _sgd_postprocessing(rng):
    x0 = rng.normal(size=4)
    return [
        Call(
            "sgd",
            (Ref("object", "shifted", (rng.normal(size=4),)), x0, 0.1, 7),
            {"postprocessing": Ref("object", "normalise"), "PRINT_EVERY": QUIET},
        )
    ]


CHECKS = (
    Check(
        name="normalize_rows",
        cell=NORMALIZE_CELL,
        part=NORMALIZE_PART,
        points=2.0,
        description="each row of random matrices scaled to unit length",
        calls=_normalize,
        compare=close(),
        hints=(Hint("Divide each row by its own Euclidean norm (axis=1, keepdims=True)."),),
    ),
    Check(
        name="softmax_cost_value",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="the softmax cross-entropy cost",
        calls=_softmax_cost,
        compare=close(parts=[0], part_names=COST_PARTS),
        hints=(Hint("The cost is -log(y_hat[target]) with y_hat = softmax(U v_c)."),),
    ),
    Check(
        name="softmax_cost_gradPred",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="the gradient with respect to the predicted vector v_c",
        calls=_softmax_cost,
        compare=close(parts=[1], part_names=COST_PARTS),
        hints=(Hint("d cost / d v_c = U^T (y_hat - y)."),),
    ),
    Check(
        name="softmax_cost_grad",
        cell=SOFTMAX_COST_CELL,
        part=SOFTMAX_COST_PART,
        points=1.0,
        description="the gradient with respect to the output vectors U",
        calls=_softmax_cost,
        compare=close(parts=[2], part_names=COST_PARTS),
        hints=(Hint("d cost / d U = (y_hat - y) v_c^T, shaped like U."),),
    ),
    Check(
        name="neg_sampling_cost",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.0,
        description="the negative-sampling cost (K = 10 samples from getNegativeSamples)",
        calls=_neg_sampling,
        compare=close(parts=[0], part_names=COST_PARTS),
        hints=(Hint("cost = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c); draw the samples once "
        "with getNegativeSamples(target, dataset, K)."),),
    ),
    Check(
        name="neg_sampling_gradients",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.5,
        description="both negative-sampling gradients",
        calls=_neg_sampling,
        compare=close(parts=[1, 2], part_names=COST_PARTS),
        hints=(Hint("Check gradPred and the rows of grad for the target and for every negative sample."),),
    ),
    Check(
        name="neg_sampling_repeated_samples",
        cell=NEG_SAMPLING_CELL,
        part=NEG_SAMPLING_PART,
        points=1.5,
        description="a word drawn several times as a negative counts once per draw",
        calls=_neg_sampling_repeats,
        compare=close(part_names=COST_PARTS),
        hints=(Hint("When a negative index repeats, its gradient rows must add up (np.add.at or a "
        "loop), not overwrite each other."),),
    ),
    Check(
        name="skipgram_gradients",
        cell=SKIPGRAM_CELL,
        part=SKIPGRAM_PART,
        points=2.0,
        description="skip-gram sums the cost and routes gradients to the right rows",
        calls=_skipgram,
        compare=close(part_names=MODEL_PARTS),
        hints=(Hint("gradPred belongs in the centre word's row of gradIn; sum cost and gradOut over "
        "the context words."),),
    ),
    Check(
        name="skipgram_repeated_context",
        cell=SKIPGRAM_CELL,
        part=SKIPGRAM_PART,
        points=1.0,
        description="skip-gram with repeated context words (and the centre word in its context)",
        calls=_skipgram_repeats,
        compare=close(part_names=MODEL_PARTS),
        hints=(Hint("Every context word counts, repeats included."),),
    ),
    Check(
        name="cbow_gradients",
        cell=CBOW_CELL,
        part=CBOW_PART,
        points=2.0,
        description="CBOW predicts from the SUM of the context vectors, gradients to every context row",
        calls=_cbow,
        compare=close(part_names=MODEL_PARTS),
        hints=(Hint("Each occurrence of a context word receives gradPred (repeats add up)."),),
    ),
    Check(
        name="sgd_converges",
        cell=SGD_CELL,
        part=SGD_PART,
        points=2.0,
        description="sgd minimises a quadratic",
        calls=_sgd_converges,
        compare=close(atol=1e-6),
        hints=(Hint("Each iteration: cost, grad = f(x); x -= step * grad; x = postprocessing(x)."),),
    ),
    Check(
        name="sgd_postprocessing",
        cell=SGD_CELL,
        part=SGD_PART,
        points=2.0,
        description="sgd applies postprocessing after every step",
        calls=_sgd_postprocessing,
        compare=close(),
        hints=(Hint("Assign the result: x = postprocessing(x), after the update, every iteration."),),
    ),
)
