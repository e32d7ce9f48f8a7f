"""Problem 3: stochastic gradient descent with step annealing and checkpoints.

Checkpoints (cs224n.checkpoints, shared with the students' notebook) hold the parameters and
the states of both `random` and `np.random` in an .npz, never a pickle, so a resumed run
continues exactly as an uninterrupted one would.
"""

import os
import random
from collections.abc import Callable

import numpy as np

from cs224n.checkpoints import (  # noqa: F401  (re-exported: the reference's checkpoint API)
    ANNEAL_EVERY,
    SAVE_PARAMS_EVERY,
    latest_checkpoint,
    load_saved_params,
    save_params,
)


def sgd(
    f: Callable,
    x0: np.ndarray,
    step: float,
    iterations: int,
    postprocessing: Callable | None = None,
    useSaved: bool = False,
    PRINT_EVERY: int = 10,
    *,
    checkpoint_dir: str | os.PathLike = ".",
    save_every: int = SAVE_PARAMS_EVERY,
    anneal_every: int = ANNEAL_EVERY,
    progress=None,
) -> np.ndarray:
    """Minimise f by stochastic gradient descent.

    Args:
        f: x -> (cost, grad); grad shaped like x.
        x0: (any shape) starting point; not modified.
        step: initial step size, halved every `anneal_every` iterations.
        iterations: total number of iterations (including those a resumed run skips).
        postprocessing: x -> x applied after each step (e.g. normalisation); identity if None.
        useSaved: resume from the newest checkpoint in checkpoint_dir, and write one every
            `save_every` iterations.
        PRINT_EVERY: print an exponential moving average of the cost this often (0: never).
        progress: optional callable(iteration, expcost) called every PRINT_EVERY iterations
            instead of printing (a progress bar uses it).
    Returns:
        The final x.
    """
    start_iter = 0
    x = np.array(x0, dtype=float, copy=True)
    if useSaved:
        start_iter, saved_x, states = load_saved_params(checkpoint_dir)
        if start_iter > 0:
            x = saved_x
            step *= 0.5 ** (start_iter // anneal_every)
            random.setstate(states[0])
            np.random.set_state(states[1])
    if postprocessing is None:
        postprocessing = _identity

    expcost = None
    for it in range(start_iter + 1, iterations + 1):
        cost, grad = f(x)
        x -= step * grad
        x = postprocessing(x)

        if PRINT_EVERY and it % PRINT_EVERY == 0:
            expcost = cost if expcost is None else 0.95 * expcost + 0.05 * cost
            if progress is not None:
                progress(it, expcost)
            else:
                print(f"iter {it}: {expcost:f}")
        if useSaved and it % save_every == 0:
            save_params(it, x, checkpoint_dir)
        if it % anneal_every == 0:
            step *= 0.5
    return x


def _identity(x: np.ndarray) -> np.ndarray:
    return x
