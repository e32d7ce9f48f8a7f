import random

import numpy as np
import pytest

from solutions.sgd import (
    ANNEAL_EVERY,
    SAVE_PARAMS_EVERY,
    latest_checkpoint,
    load_saved_params,
    save_params,
    sgd,
)


def quad(x):
    return np.sum(x**2), 2 * x


@pytest.mark.parametrize("x0", [0.5, 0.0, -1.5])
def test_converges_on_quadratic(x0):
    x = sgd(quad, np.array(x0), 0.01, 1000, PRINT_EVERY=100)
    assert abs(x) <= 1e-6


def test_postprocessing_is_applied_every_step():
    seen = []

    def post(x):
        seen.append(x.copy())
        return x / np.linalg.norm(x)

    x = sgd(quad, np.array([3.0, 4.0]), 0.1, 5, postprocessing=post, PRINT_EVERY=0)
    assert len(seen) == 5
    assert np.linalg.norm(x) == pytest.approx(1.0)


def test_step_is_annealed():
    def record(x):
        return 0.0, np.ones_like(x)

    x = sgd(record, np.zeros(1), 1.0, 6, PRINT_EVERY=0, anneal_every=2)
    # steps 1,1,0.5,0.5,0.25,0.25
    assert x[0] == pytest.approx(-3.5)


def noisy_objective(x):
    """Cost with a random minibatch effect from both generators."""
    w = random.random() + np.random.rand()
    return w * np.sum((x - 1) ** 2), 2 * w * (x - 1)


def test_resume_equals_uninterrupted(tmp_path):
    def run(directory, iterations):
        return sgd(noisy_objective, np.array([5.0, -3.0]), 0.05, iterations, useSaved=True,
                   PRINT_EVERY=0, checkpoint_dir=directory, save_every=10, anneal_every=15)

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    random.seed(0)
    np.random.seed(0)
    full = run(tmp_path / "a", 40)

    random.seed(0)
    np.random.seed(0)
    run(tmp_path / "b", 20)  # stops after the checkpoint at 20
    random.seed(123)  # a fresh process would have other states
    np.random.seed(123)
    resumed = run(tmp_path / "b", 40)
    np.testing.assert_array_equal(full, resumed)
    assert latest_checkpoint(tmp_path / "b")[0] == 40


def test_checkpoint_roundtrip_without_pickle(tmp_path):
    random.seed(7)
    np.random.seed(7)
    x = np.arange(6.0).reshape(2, 3)
    path = save_params(5000, x, tmp_path)
    expected_py, expected_np = random.random(), np.random.rand()
    random.seed(1)
    np.random.seed(1)
    it, params, states = load_saved_params(tmp_path)
    assert it == 5000
    np.testing.assert_array_equal(params, x)
    random.setstate(states[0])
    np.random.set_state(states[1])
    assert random.random() == expected_py and np.random.rand() == expected_np
    with np.load(path, allow_pickle=False) as data:  # loads without pickle
        assert "params" in data.files


def test_resume_restores_annealed_step(tmp_path):
    x = np.zeros(1)
    save_params(45, x, tmp_path)
    out = sgd(lambda v: (0.0, np.ones_like(v)), x, 1.0, 46, useSaved=True, PRINT_EVERY=0,
              checkpoint_dir=tmp_path, save_every=1000, anneal_every=20)
    assert out[0] == pytest.approx(-0.25)  # 45 // 20 == 2 halvings


def test_module_defaults_match_the_assignment():
    assert SAVE_PARAMS_EVERY == 5000 and ANNEAL_EVERY == 20000
