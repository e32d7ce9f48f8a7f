import numpy as np
import pytest

from solutions.sentiment import (
    accuracy,
    chooseBestModel,
    getRegularizationValues,
    getSentenceFeatures,
    regularization_sweep,
)


def test_sentence_features_are_the_mean_with_repeats():
    tokens = {"a": 0, "b": 1, "c": 2}
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
    np.testing.assert_allclose(getSentenceFeatures(tokens, vectors, ["a", "b", "a"]),
                               [2 / 3, 2 / 3])
    assert getSentenceFeatures(tokens, vectors, ["c"]).shape == (2,)


def test_regularization_values_are_log_spaced():
    values = getRegularizationValues()
    assert values == sorted(values) and len(values) >= 5
    assert values[-1] / values[0] >= 100


def test_accuracy_in_percent():
    assert accuracy(np.array([0, 1, 2, 3]), np.array([0, 1, 0, 0])) == 50.0
    with pytest.raises(ValueError):
        accuracy(np.array([0, 1]), np.array([0]))


def test_best_model_is_chosen_by_dev():
    results = [{"reg": 1, "train": 90, "dev": 20, "test": 50},
               {"reg": 2, "train": 50, "dev": 40, "test": 10},
               {"reg": 3, "train": 40, "dev": 30, "test": 60}]
    assert chooseBestModel(results)["reg"] == 2


def test_sweep_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(5, 4)) * 4
    labels = rng.integers(5, size=300)
    features = centres[labels] + rng.normal(size=(300, 4))
    split = (features[:200], labels[:200]), (features[200:250], labels[200:250]), \
        (features[250:], labels[250:])
    results = regularization_sweep(*split, regValues=[1e-3, 1e3])
    assert [r.reg for r in results] == [1e-3, 1e3]
    assert results[0].dev > 80 and results[0].dev > results[1].dev  # strong reg underfits
    assert chooseBestModel(results).reg == 1e-3
