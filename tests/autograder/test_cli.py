"""`autograder grade`: the loud warning when the secret check seed is not set."""

from __future__ import annotations

import pytest

from autograder import cli


@pytest.mark.parametrize("value", [None, ""])
def test_grade_warns_loudly_without_a_seed(monkeypatch, capsys, tmp_path, value):
    monkeypatch.delenv("CS224N_CHECK_SEED", raising=False)
    if value is not None:
        monkeypatch.setenv("CS224N_CHECK_SEED", value)
    cli.main(["grade", str(tmp_path / "nowhere"), "-q"])
    err = capsys.readouterr().err
    assert "WARNING: CS224N_CHECK_SEED is not set" in err
    assert "each term" in err and "nbgrader autograde" in err
    paragraph = err.split("=" * 88)[1]
    assert paragraph.count("\n\n") == 0  # one paragraph


def test_grade_is_quiet_about_a_set_seed(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CS224N_CHECK_SEED", "987654")
    cli.main(["grade", str(tmp_path / "nowhere"), "-q"])
    assert "CS224N_CHECK_SEED" not in capsys.readouterr().err
