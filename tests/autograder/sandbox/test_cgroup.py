"""A run's cgroups: what each controller is given (v1 and v2, on fake hierarchies in a
temporary folder), and, on this host as root, that a child joins them all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox import cgroup
from autograder.sandbox.cgroup import PARENT_NAME, RunCgroups

MiB = 1024**2


def _v1(tmp_path: Path) -> dict[str, Path]:
    """Fake v1 hierarchies, one folder per controller."""
    roots = {}
    for controller in ("pids", "memory", "cpu"):
        root = tmp_path / controller
        root.mkdir()
        (root / "cgroup.procs").write_text("")
        roots[controller] = root
    return roots


def _v2(tmp_path: Path) -> Path:
    root = tmp_path / "unified"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")
    return root


def test_v1_one_cgroup_per_hierarchy_with_each_limit(tmp_path):
    roots = _v1(tmp_path)
    run = RunCgroups(66, 512 * MiB, cpu=True, cpus=1.5, name="1-a", roots=dict(roots))
    run.create()
    path = {c: roots[c] / PARENT_NAME / "1-a" for c in roots}
    assert (path["pids"] / "pids.max").read_text() == "66"
    assert (path["memory"] / "memory.limit_in_bytes").read_text() == str(512 * MiB)
    # a fake hierarchy has no memsw file: swap is then discouraged, not counted
    assert (path["memory"] / "memory.swappiness").read_text() == "0"
    assert (path["cpu"] / "cpu.shares").read_text() == "1024"
    assert (path["cpu"] / "cpu.cfs_quota_us").read_text() == "150000"
    assert not (path["pids"] / "memory.limit_in_bytes").exists()


def test_v1_swap_is_counted_where_the_kernel_can(tmp_path):
    roots = _v1(tmp_path)
    run = RunCgroups(8, 256 * MiB, name="1-b", roots=dict(roots))
    memory = next(g for g in run.groups if "memory" in g.controllers)
    memory.create([])
    (memory.path / "memory.memsw.limit_in_bytes").write_text("9223372036854771712")
    writes = cgroup._memory_settings(memory, 256 * MiB)
    assert writes == [("memory.limit_in_bytes", str(256 * MiB)),
                      ("memory.memsw.limit_in_bytes", str(256 * MiB))]


def test_v2_one_cgroup_for_the_controllers_that_share_a_root(tmp_path):
    root = _v2(tmp_path)
    run = RunCgroups(66, 512 * MiB, cpu=True, name="1-c",
                     roots={"pids": root, "memory": root, "cpu": root})
    assert len(run.groups) == 1
    run.groups[0].create([])
    (run.groups[0].path / "memory.swap.max").write_text("max")
    for file, value in cgroup._settings(run.groups[0], 66, 512 * MiB, 2.0):
        (run.groups[0].path / file).write_text(value)
    path = root / PARENT_NAME / "1-c"
    assert (path / "pids.max").read_text() == "66"
    assert (path / "memory.max").read_text() == str(512 * MiB)
    assert (path / "memory.swap.max").read_text() == "0"
    assert (path / "cpu.weight").read_text() == "100"
    assert (path / "cpu.max").read_text() == "200000 100000"
    for folder in (root, root / PARENT_NAME):  # the controllers are delegated down the tree
        assert set((folder / "cgroup.subtree_control").read_text().split()) == {
            "+pids", "+memory", "+cpu"}


def test_oom_kills_and_peak_are_read_from_the_kernel(tmp_path):
    root = _v2(tmp_path)
    run = RunCgroups(8, 64 * MiB, name="1-d", roots={"pids": root, "memory": root})
    run.groups[0].create([])
    path = run.groups[0].path
    (path / "memory.events").write_text("low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n")
    (path / "memory.peak").write_text(f"{64 * MiB}\n")
    assert run.oom_kills() == 2 and run.memory_peak() == 64 * MiB
    (tmp_path / "v1").mkdir()
    roots = _v1(tmp_path / "v1")
    run1 = RunCgroups(8, 64 * MiB, name="1-e", roots=dict(roots))
    memory = next(g for g in run1.groups if "memory" in g.controllers)
    memory.create([])
    (memory.path / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\n"
                                                     "oom_kill 3\n")
    (memory.path / "memory.max_usage_in_bytes").write_text("1000\n")
    assert run1.oom_kills() == 3 and run1.memory_peak() == 1000


def test_a_missing_hierarchy_is_an_error_naming_its_setting(tmp_path):
    with pytest.raises(OSError, match="AUTOGRADER_SANDBOX_MEMORY_CGROUP"):
        RunCgroups(8, 64 * MiB, roots={"pids": tmp_path, "memory": None})


@pytest.mark.skipif(os.geteuid() != 0, reason="making cgroups on this host needs root")
def test_a_child_joins_every_cgroup_of_the_run():
    for controller in ("pids", "memory", "cpu"):
        problem = cgroup.probe(controller)
        if problem:
            pytest.skip(f"this host cannot make a {controller} cgroup: {problem}")
    run = RunCgroups(8, 128 * MiB, cpu=True)
    run.create()
    try:
        proc = subprocess.run([sys.executable, "-c", "print(open('/proc/self/cgroup').read())"],
                              preexec_fn=run.join_from_child, capture_output=True, text=True,
                              check=True)
        lines = proc.stdout.splitlines()
        for group in run.groups:
            inside = f"/{PARENT_NAME}/{run.name}"
            assert any(line.endswith(inside) and (group.v2 or any(
                c in line.split(":")[1].split(",") for c in group.controllers))
                for line in lines), (group.path, lines)
        assert run.pids() == []
    finally:
        run.remove()
    assert not any(group.path.exists() for group in run.groups)


def test_the_parent_weighs_as_much_as_the_runs_in_it(tmp_path):
    """Each sandbox weighs as much as one session of the host: all of them together do not
    share one session's weight."""
    roots = _v1(tmp_path)
    shares = roots["cpu"] / PARENT_NAME / "cpu.shares"
    runs = [RunCgroups(8, cpu=True, name=f"1-{i}", roots=dict(roots)) for i in range(3)]
    for run in runs:
        run.create()
    assert shares.read_text() == "3072"
    _fake_remove(runs[0])
    assert shares.read_text() == "2048"
    for run in runs[1:]:
        _fake_remove(run)
    assert shares.read_text() == "1024"  # never less than one session


def _fake_remove(run: RunCgroups) -> None:
    """remove() on a fake hierarchy: unlike cgroupfs, a folder with files cannot be removed."""
    for group in run.groups:
        for file in group.path.iterdir():
            file.unlink()
    run.remove()
