"""SGD checkpoints: parameters plus the states of `random` and `np.random`, without pickle.

A checkpoint is `saved_params_<iteration>.npz`, written with np.savez and read with
np.load(allow_pickle=False), so loading one can never run code (the original assignment's
pickle files could). With both random states saved, a resumed run continues exactly as an
uninterrupted one would.
"""

import os
import random
from pathlib import Path

import numpy as np

SAVE_PARAMS_EVERY = 5000  # iterations between checkpoints
ANNEAL_EVERY = 20000  # iterations between halvings of the step size
CHECKPOINT_DIR = "checkpoints"
PREFIX = "saved_params_"


def save_params(iteration: int, params: np.ndarray, directory=CHECKPOINT_DIR) -> Path:
    """Write params and both random states to directory/saved_params_<iteration>.npz."""
    os.makedirs(directory, exist_ok=True)
    py_version, py_state, py_gauss = random.getstate()
    _, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    path = Path(directory) / f"{PREFIX}{iteration}.npz"
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, params=params, py_version=py_version,
             py_state=np.array(py_state, dtype=np.uint64),
             py_gauss=np.nan if py_gauss is None else py_gauss,
             np_keys=np_keys, np_pos=np_pos, np_has_gauss=np_has_gauss, np_gauss=np_gauss)
    os.replace(tmp, path)  # an interrupted save never leaves a broken checkpoint behind
    return path


def latest_checkpoint(directory=CHECKPOINT_DIR) -> tuple[int, Path | None]:
    """(iteration, path) of the newest checkpoint in directory, or (0, None)."""
    best, best_path = 0, None
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            number = name[len(PREFIX):-len(".npz")]
            if name.startswith(PREFIX) and name.endswith(".npz") and number.isdigit():
                if int(number) > best:
                    best, best_path = int(number), Path(directory) / name
    return best, best_path


def load_saved_params(directory=CHECKPOINT_DIR):
    """The newest checkpoint: (iteration, params, (random state, np.random state)), or
    (0, None, None) when there is none. Set the states with random.setstate and
    np.random.set_state to continue exactly where the run stopped."""
    iteration, path = latest_checkpoint(directory)
    if path is None:
        return 0, None, None
    with np.load(path, allow_pickle=False) as saved:
        params = saved["params"].copy()
        py_gauss = float(saved["py_gauss"])
        py_state = (int(saved["py_version"]), tuple(int(v) for v in saved["py_state"]),
                    None if np.isnan(py_gauss) else py_gauss)
        np_state = ("MT19937", saved["np_keys"].copy(), int(saved["np_pos"]),
                    int(saved["np_has_gauss"]), float(saved["np_gauss"]))
    return iteration, params, (py_state, np_state)
