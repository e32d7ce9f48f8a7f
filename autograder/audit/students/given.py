"""The code the notebooks give around a student's lines, so each student writes only their part.

Students fill in the middle of `forward_backward_prop` (between the given unpacking and
stacking), of `negSamplingCostAndGradient` (after the given sampling lines) and of `sgd` (the
body of the given loop). These builders wrap a student's lines in the given code exactly as
the release notebooks show it, so a student's source reads like the cell they submit.
"""

from __future__ import annotations

import textwrap


def _indent(body: str, spaces: int) -> str:
    return textwrap.indent(textwrap.dedent(body).strip("\n"), " " * spaces) + "\n"


def forward_backward_prop(body: str, signature: str = "X, labels, params, dimensions") -> str:
    """The notebook's forward_backward_prop cell with the student's lines in the middle.

    The lines must set cost, gradW1, gradb1, gradW2 and gradb2 (the given stacking uses them).
    """
    return (
        f"def forward_backward_prop({signature}):\n"
        "    ### Unpack network parameters (do not modify)\n"
        "    ofs = 0\n"
        "    Dx, H, Dy = (dimensions[0], dimensions[1], dimensions[2])\n"
        "\n"
        "    W1 = np.reshape(params[ofs : ofs + Dx * H], (Dx, H))\n"
        "    ofs += Dx * H\n"
        "    b1 = np.reshape(params[ofs : ofs + H], (1, H))\n"
        "    ofs += H\n"
        "    W2 = np.reshape(params[ofs : ofs + H * Dy], (H, Dy))\n"
        "    ofs += H * Dy\n"
        "    b2 = np.reshape(params[ofs : ofs + Dy], (1, Dy))\n"
        "\n"
        + _indent(body, 4)
        + "\n"
        "    ### Stack gradients (do not modify)\n"
        "    grad = np.concatenate((gradW1.flatten(), gradb1.flatten(),\n"
        "                           gradW2.flatten(), gradb2.flatten()))\n"
        "\n"
        "    return cost, grad\n"
    )


def neg_sampling(body: str) -> str:
    """The notebook's negSamplingCostAndGradient cell: the given sampling, then the lines."""
    return (
        "def negSamplingCostAndGradient(predicted, target, outputVectors, dataset, K=10):\n"
        "    # Sampling of indices is done for you (do not modify): indices[0] is the target,\n"
        "    # indices[1:] are the K negative samples, (K + 1,) ints in all.\n"
        "    indices = [target]\n"
        "    indices.extend(getNegativeSamples(target, dataset, K))\n"
        "\n"
        + _indent(body, 4)
    )


SGD_HEAD = '''\
from cs224n.checkpoints import (
    ANNEAL_EVERY,
    CHECKPOINT_DIR,
    SAVE_PARAMS_EVERY,
    load_saved_params,
    save_params,
)


def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10, *,
        checkpoint_dir=CHECKPOINT_DIR, progress=None):
    start_iter = 0
    x = np.array(x0, dtype=float)  # a copy: the caller's x0 is never modified
    if useSaved:
        start_iter, saved_x, states = load_saved_params(checkpoint_dir)
        if start_iter > 0:
            x = saved_x
            step *= 0.5 ** (start_iter // ANNEAL_EVERY)
            random.setstate(states[0])
            np.random.set_state(states[1])
    if postprocessing is None:
        postprocessing = lambda x: x

    expcost = None
    for it in range(start_iter + 1, iterations + 1):
        # One step: cost and gradient at x, x moved by `step` against the gradient, then
        # postprocessing. Store the cost in `cost` (used below) and the new x in `x`.
'''

SGD_TAIL = '''
        if PRINT_EVERY and it % PRINT_EVERY == 0:
            expcost = cost if expcost is None else 0.95 * expcost + 0.05 * cost
            if progress is not None:
                progress(it, expcost)
            else:
                print(f"iter {it}: {expcost:f}")
        if useSaved and it % SAVE_PARAMS_EVERY == 0:
            save_params(it, x, checkpoint_dir)
        if it % ANNEAL_EVERY == 0:
            step *= 0.5
    return x
'''


def sgd(body: str) -> str:
    """The notebook's sgd cell with the student's lines as the body of the loop."""
    return SGD_HEAD + _indent(body, 8) + SGD_TAIL


def join(*parts: str) -> str:
    """A student's whole source: their cells, in notebook order, dedented."""
    return "\n\n".join(textwrap.dedent(p).strip("\n") + "\n" for p in parts)
