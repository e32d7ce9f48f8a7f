import numpy as np

from solutions.reference_run import main


def test_reference_run_on_the_sample_writes_every_output(tmp_path):
    out = tmp_path / "out"
    assert main(["--sample", "--out", str(out), "--iterations", "300", "--no-progress"]) == 0
    for name in ["q3_word_vectors.npy", "q3_word_vectors.png", "q4_reg_v_acc.png",
                 "q4_dev_conf.png", "q4_dev_pred.txt", "q4_sweep.txt"]:
        assert (out / name).stat().st_size > 0, name
    vectors = np.load(out / "q3_word_vectors.npy")
    assert vectors.shape[1] == 10 and np.all(np.isfinite(vectors))
    assert (out / "checkpoints").is_dir()
    lines = (out / "q4_dev_pred.txt").read_text().splitlines()
    assert lines[0].startswith("True\tPredicted") and len(lines) == 41  # 40 dev sentences


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "cs224n-download" in capsys.readouterr().err
