"""Unit tests of the sandbox's helpers: no sandbox needed."""

from __future__ import annotations

import io
import os
import re
import struct
import tarfile

import pytest

from autograder.sandbox import Limits
from autograder.sandbox.base import killed_reason, sandbox_env, split_status
from autograder.sandbox.files import (
    copy_back,
    copy_job_in,
    extract_tar_stream,
    files_tar,
    job_tar,
    read_tail,
    safe_relpath,
)
from autograder.sandbox.runtime import RUNTIME_PACKAGES
from autograder.sandbox.seccomp import build_filter
from autograder.settings import declared_default
from tests.course.course import REPO as REPO_ROOT


def test_limits_defaults_and_validation():
    limits = Limits()
    assert limits.memory_bytes == 2 * 1024**3 and limits.pids == 64
    # the wall limit is the grading setting notebook_timeout (it was 120 here, 300 in the CLI)
    assert limits.wall_seconds == declared_default("notebook_timeout") == 300.0
    assert limits.cpu_seconds == 120
    assert limits.file_bytes == 64 * 1024**2 and limits.scratch_bytes == 256 * 1024**2
    assert limits.open_files == 256
    assert set(Limits.help()) == set(limits.__dict__) and all(Limits.help().values())
    for bad in ({"pids": 0}, {"memory_bytes": -1}, {"wall_seconds": 0}, {"pids": 1.5}):
        with pytest.raises(ValueError):
            Limits(**bad)


def test_sandbox_env():
    env = sandbox_env({"EXTRA": "1"}, path="/usr/bin")
    assert env["HOME"] == "/job" and env["EXTRA"] == "1" and env["PATH"] == "/usr/bin"
    for bad in ({"A=B": "x"}, {"A": "x\0y"}, {"": "x"}):
        with pytest.raises(ValueError):
            sandbox_env(bad, path="/usr/bin")


def test_status_and_reason():
    assert split_status(0) == (0, None)
    assert split_status(1) == (1, None)
    assert split_status(137) == (None, 9)
    assert split_status(-9) == (None, 9)
    assert killed_reason(timed_out=True, sig=9, stderr_tail="", output_full=False) == "timeout"
    assert killed_reason(timed_out=False, sig=9, stderr_tail="", output_full=False,
                         oom_killed=True) == "memory"
    assert killed_reason(timed_out=False, sig=None, stderr_tail="x\nMemoryError\n",
                         output_full=False) == "memory"
    assert killed_reason(timed_out=False, sig=None, stderr_tail="", output_full=False) is None


def test_seccomp_filter_is_well_formed():
    prog = build_filter("x86_64")
    assert len(prog) % 8 == 0 and 10 < len(prog) // 8 < 256
    n = len(prog) // 8
    for i in range(n):
        code, jt, jf, _k = struct.unpack_from("=HBBI", prog, 8 * i)
        if code & 0x07 == 0x05:  # a jump stays inside the program
            assert i + 1 + max(jt, jf) < n
    assert build_filter("aarch64") != prog
    with pytest.raises(ValueError):
        build_filter("sparc")


@pytest.mark.parametrize("name,expected", [
    ("job/a/b.txt", "a/b.txt"), ("job", "."), ("./job/x", "x"), ("job//x", "x"),
    ("/job/x", None), ("job/../x", None), ("other/x", None), ("job/a\\b", None),
])
def test_safe_relpath(name, expected):
    got = safe_relpath(name, "job")
    assert (None if got is None else str(got)) == expected


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _info(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, link: str = ""
          ) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname, info.mode = kind, size, link, 0o644
    return info


def test_extract_skips_hostile_members(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched")
    dest = tmp_path / "dest"
    dest.mkdir()
    data = _tar([
        (_info("job", tarfile.DIRTYPE), None),
        (_info("job/ok.txt", size=2), b"ok"),
        (_info("/etc/evil", size=1), b"x"),
        (_info("job/../outside.txt", size=4), b"evil"),
        (_info("job/link", tarfile.SYMTYPE, link=str(outside)), None),
        (_info("job/hard", tarfile.LNKTYPE, link="job/ok.txt"), None),
        (_info("job/dev", tarfile.CHRTYPE), None),
        (_info("job/fifo", tarfile.FIFOTYPE), None),
        (_info("job/sub", tarfile.DIRTYPE), None),
        (_info("job/sub/deep.txt", size=4), b"deep"),
    ])
    stats = extract_tar_stream(iter([data]), dest, "job", 1024 * 1024, {})
    assert outside.read_text() == "untouched"
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*")) == [
        "ok.txt", "sub", "sub/deep.txt"]
    assert stats.files == 2 and stats.skipped >= 5


def test_extract_does_not_follow_a_host_symlink(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "sub").symlink_to(target)  # e.g. left by the caller
    data = _tar([(_info("job/sub/x.txt", size=1), b"x")])
    extract_tar_stream(iter([data]), dest, "job", 1024, {})
    assert list(target.iterdir()) == []


def test_extract_is_bounded(tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    big = b"x" * 5000
    data = _tar([(_info(f"job/f{i}", size=len(big)), big) for i in range(10)])
    stats = extract_tar_stream(iter([data[i:i + 512] for i in range(0, len(data), 512)]),
                               dest, "job", 12000, {})
    assert stats.bytes <= 12000
    assert sum(p.stat().st_size for p in dest.iterdir()) <= 12000


def test_copy_back_skips_links_and_unchanged(tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    (job / "given.txt").write_text("given")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    manifest = copy_job_in(job, scratch, os.getuid(), os.getgid())
    (scratch / "new.txt").write_text("new")
    (scratch / "link").symlink_to("/etc/passwd")
    os.mkfifo(scratch / "fifo")
    (scratch / "d").mkdir()
    (scratch / "d" / "big").write_bytes(b"x" * 100)
    stats = copy_back(scratch, job, manifest, max_bytes=50)
    assert sorted(p.name for p in job.iterdir()) == ["d", "given.txt", "new.txt"]
    assert not (job / "d" / "big").exists()  # over the byte budget
    assert stats.files == 1


def test_job_and_files_tar_round_trip(tmp_path):
    job = tmp_path / "job"
    (job / "a").mkdir(parents=True)
    (job / "a" / "x.txt").write_text("x")
    (job / "link").symlink_to("/etc/passwd")
    data, manifest = job_tar(job, 1001, 1001)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = {m.name: m for m in tar.getmembers()}
    assert set(names) == {"a", "a/x.txt"} and set(manifest) == {"a/x.txt"}
    assert names["a/x.txt"].uid == 1001
    runner = tmp_path / "runner.py"
    runner.write_text("pass")
    data = files_tar({"/opt/grader/kernel/runner.py": runner}, "/opt/grader")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {"kernel", "kernel/runner.py"}
    assert members["kernel/runner.py"].uid == 0 and members["kernel/runner.py"].mode == 0o644


def test_read_tail(tmp_path):
    path = tmp_path / "out"
    path.write_bytes(b"a" * 10000 + b"\xff" + b"end")
    tail = read_tail(path, 100)
    assert tail.endswith("\ufffdend") and len(tail) == 100
    assert read_tail(tmp_path / "missing") == ""


def test_runtime_package_lists_agree():
    script = (REPO_ROOT / "scripts" / "sandbox-runtime.sh").read_text()
    listed = re.search(r"^PACKAGES=\(([^)]*)\)", script, re.M)
    assert listed is not None
    assert tuple(listed.group(1).split()) == RUNTIME_PACKAGES
    dockerfile = (REPO_ROOT / "docker" / "kernel.Dockerfile").read_text()
    arg = re.search(r'^ARG RUNTIME_PACKAGES="([^"]*)"', dockerfile, re.M)
    assert arg is not None
    assert tuple(arg.group(1).split()) == RUNTIME_PACKAGES
    assert "nbgrader" not in RUNTIME_PACKAGES


def test_kernel_image_holds_no_project_code():
    dockerfile = (REPO_ROOT / "docker" / "kernel.Dockerfile").read_text()
    copies = [line for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert copies and all("wheels/" in line or "/opt/venv" in line for line in copies)
    assert "project/" not in dockerfile.replace("this project", "")
