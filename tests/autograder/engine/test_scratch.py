"""Private temp folders: removed on a clean end, reaped on the next start when their owner
died, never while any process of their owner still holds them."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

from autograder.engine import scratch


def test_a_closed_folder_is_gone(tmp_path):
    temp = scratch.PrivateTemp(tmp_path)
    (temp.path / "autograder-job-1").mkdir()
    temp.close()
    assert list(tmp_path.iterdir()) == []


def test_only_folders_whose_owners_died_are_reaped(tmp_path):
    mine = scratch.PrivateTemp(tmp_path)  # alive: held by this process
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from autograder.engine import scratch\n"
        "t = scratch.PrivateTemp(Path(sys.argv[1])); (t.path / 'autograder-job-x').mkdir()\n"
        "print(t.path, flush=True); time.sleep(60)"), str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        theirs = tmp_path / os.path.basename(child.stdout.readline().strip())
        assert scratch.reap_stale(tmp_path) == []  # both alive
        child.send_signal(signal.SIGKILL)  # dies without cleaning
        child.wait(10)
        assert (theirs / "autograder-job-x").is_dir()
        assert scratch.reap_stale(tmp_path) == [theirs]
        assert not theirs.exists() and mine.path.is_dir()
    finally:
        child.kill()
        mine.close()


def test_a_lock_shared_with_a_worker_process_keeps_the_folder(tmp_path):
    temp = scratch.PrivateTemp(tmp_path)
    fd = scratch.hold(temp.path)  # as a grading process does
    os.close(temp._fd)  # the owner is gone, its worker is not
    temp._fd = None
    assert scratch.reap_stale(tmp_path) == []
    os.close(fd)
    assert scratch.reap_stale(tmp_path) == [temp.path]


def test_a_folder_being_created_is_left_alone(tmp_path):
    young = tmp_path / f"{scratch.PREFIX}1-abc"
    young.mkdir()  # no lock file yet
    assert scratch.reap_stale(tmp_path) == []
    old = time.time() - 2 * scratch.YOUNG_SECONDS
    os.utime(young, (old, old))
    assert scratch.reap_stale(tmp_path) == [young]


def test_the_lock_is_never_seen_unlocked(tmp_path):
    temp = scratch.PrivateTemp(tmp_path)
    fd = os.open(temp.path / scratch.LOCK, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            raise AssertionError("the lock was free")
        except BlockingIOError:
            pass
    finally:
        os.close(fd)
        temp.close()
