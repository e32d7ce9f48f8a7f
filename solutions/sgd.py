"""Problem 3: stochastic gradient descent with step annealing and checkpoints.

Checkpoints are `saved_params_<iter>.npz` files written with np.savez and read with
np.load(allow_pickle=False): never pickle, so a checkpoint cannot run code when loaded. Each
holds the parameters and the states of both `random` and `np.random`, so a resumed run
continues exactly as an uninterrupted one would.
"""

import glob
import os
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np

SAVE_PARAMS_EVERY = 5000
ANNEAL_EVERY = 20000
CHECKPOINT_PREFIX = "saved_params_"


def save_params(iteration: int, params: np.ndarray, directory: str | os.PathLike = ".") -> Path:
    """Write params and both random states to DIRECTORY/saved_params_<iteration>.npz."""
    version, mt_state, gauss_next = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    path = Path(directory) / f"{CHECKPOINT_PREFIX}{iteration}.npz"
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(
        tmp,
        params=params,
        iteration=iteration,
        py_version=version,
        py_state=np.array(mt_state, dtype=np.uint64),
        py_gauss=np.nan if gauss_next is None else gauss_next,
        np_keys=np_keys,
        np_pos=np_pos,
        np_has_gauss=np_has_gauss,
        np_gauss=np_gauss,
    )
    os.replace(tmp, path)  # a crash mid-write never leaves a truncated checkpoint
    return path


def latest_checkpoint(directory: str | os.PathLike = ".") -> tuple[int, Path | None]:
    """(iteration, path) of the newest checkpoint in directory, or (0, None)."""
    best, best_path = 0, None
    for name in glob.glob(os.path.join(directory, f"{CHECKPOINT_PREFIX}*.npz")):
        stem = Path(name).name[len(CHECKPOINT_PREFIX) : -len(".npz")]
        if stem.isdigit() and int(stem) > best:
            best, best_path = int(stem), Path(name)
    return best, best_path


def load_saved_params(directory: str | os.PathLike = "."):
    """Load the newest checkpoint: (iteration, params, restore) or (0, None, None).

    restore() sets `random` and `np.random` to the states saved with the checkpoint.
    """
    iteration, path = latest_checkpoint(directory)
    if path is None:
        return 0, None, None
    with np.load(path, allow_pickle=False) as data:
        params = data["params"].copy()
        gauss = float(data["py_gauss"])
        py_state = (
            int(data["py_version"]),
            tuple(int(v) for v in data["py_state"]),
            None if np.isnan(gauss) else gauss,
        )
        np_state = (
            "MT19937",
            data["np_keys"].copy(),
            int(data["np_pos"]),
            int(data["np_has_gauss"]),
            float(data["np_gauss"]),
        )

    def restore() -> None:
        random.setstate(py_state)
        np.random.set_state(np_state)

    return iteration, params, restore


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
        start_iter, saved_x, restore = load_saved_params(checkpoint_dir)
        if start_iter > 0:
            x = saved_x
            step *= 0.5 ** (start_iter // anneal_every)
            restore()
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
