"""The one atomic write: a reader sees the old file or the new one, never half, and a failed
write leaves the old file and no temporary file behind."""

from __future__ import annotations

import json
import os
import stat

import pytest

from autograder.kernel.atomic import write_atomic, write_json, write_text


def test_a_write_replaces_the_file_whole_with_its_mode(tmp_path):
    target = tmp_path / "progress.json"
    write_json(target, {"cell": 1})
    write_json(target, {"cell": 2})
    assert json.loads(target.read_text()) == {"cell": 2}
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_atomic(target, b"secret", mode=0o600, durable=True)
    assert target.read_bytes() == b"secret" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["progress.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "cells.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_json(target, {"not data": object()})
    with pytest.raises(TypeError):
        write_atomic(target, "text, not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["cells.json"]


def test_a_link_at_the_target_is_replaced_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.write_text("keep")
    box = tmp_path / "box"
    box.mkdir()
    (box / "commit.json").symlink_to(outside)
    write_json(box / "commit.json", [])
    assert outside.read_text() == "keep" and not (box / "commit.json").is_symlink()


def test_text_is_written_as_utf8_into_a_new_folder(tmp_path):
    target = tmp_path / "out" / "feedback.html"
    write_text(target, "résumé \ud800\r\n")  # a lone surrogate cannot be encoded: replaced
    assert target.read_bytes() == "résumé ?\r\n".encode()
