"""The limits hold: small probes against each backend (bwrap, and docker where a daemon runs).

Each probe is bounded by itself (a fork loop of at most 64 tries, allocations of 200 MiB, a
2 s wall clock), so a broken sandbox fails a test instead of taking the machine down.
"""

from __future__ import annotations

import signal
import socket

from autograder.sandbox import RunResult

MiB = 1024**2


def _lines(result: RunResult) -> dict[str, str]:
    """``key=value`` lines of stdout as a dict."""
    out = {}
    for line in result.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def test_memory_limit_stops_a_large_allocation(run_py):
    result = run_py(
        """
        data = bytearray(200 * 1024 * 1024)
        data[::4096] = b"x" * len(data[::4096])
        print("allocated")
        """,
        memory_bytes=64 * MiB,
    )
    assert "allocated" not in result.stdout
    assert not result.ok
    assert result.killed_reason == "memory", result


def test_pids_limit_stops_a_fork_loop(run_py):
    result = run_py(
        """
        import os, time
        children = 0
        for attempt in range(64):
            try:
                pid = os.fork()
            except OSError as exc:
                print("fork_failed=", exc.errno)
                break
            if pid == 0:
                time.sleep(1)
                os._exit(0)
            children += 1
        print("children=", children)
        """,
        pids=16,
    )
    out = _lines(result)
    assert result.exit_code == 0, result
    assert "fork_failed" in out, result.stdout
    assert int(out["children"]) < 16


def test_no_network(run_py):
    # a port the HOST listens on, on loopback: the sandbox must not reach it
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        result = run_py(
            f"""
            import socket, sys
            names = [name for _, name in socket.if_nameindex()]
            print("interfaces=", ",".join(names))
            routes = open("/proc/net/route").read().splitlines()[1:]
            print("routes=", len(routes))
            if names != ["lo"] or routes:
                sys.exit("network namespace is not empty: stopping before any outbound try")
            s = socket.socket()
            s.settimeout(3)
            print("host_port=", s.connect_ex(("127.0.0.1", {port})))
            try:
                socket.getaddrinfo("sandbox-probe.invalid", 80)
                print("dns= resolved")
            except OSError as exc:
                print("dns= failed", type(exc).__name__)
            """
        )
    finally:
        listener.close()
    out = _lines(result)
    assert result.exit_code == 0, result
    assert out["interfaces"] == "lo"
    assert out["routes"] == "0"
    assert out["host_port"] != "0"  # ECONNREFUSED: the sandbox's own loopback is empty
    assert out["dns"].startswith("failed")


def test_wall_clock_timeout_kills(run_py):
    result = run_py("while True: pass", wall_seconds=2.0)
    assert result.timed_out
    assert result.killed_reason == "timeout"
    assert result.exit_code is None
    assert 1.5 < result.wall_seconds < 15


def test_cpu_limit(run_py):
    result = run_py("while True: pass", cpu_seconds=1, wall_seconds=30.0)
    assert not result.timed_out
    assert result.signal in (signal.SIGXCPU, signal.SIGKILL), result
    assert result.killed_reason == "cpu"


def test_file_size_limit(run_py):
    result = run_py(
        """
        with open("/tmp/big", "wb") as f:
            for _ in range(10):
                f.write(b"x" * (1024 * 1024))
        print("wrote")
        """,
        file_bytes=1 * MiB,
    )
    assert "wrote" not in result.stdout
    assert result.killed_reason == "file_size", result
    assert "File too large" in result.stderr or result.signal == signal.SIGXFSZ


def test_scratch_is_bounded(run_py, job):
    result = run_py(
        """
        import errno
        written = 0
        try:
            for i in range(8):
                with open(f"chunk{i}", "wb") as f:
                    f.write(b"x" * (1024 * 1024))
                written += 1
        except OSError as exc:
            print("error=", errno.errorcode[exc.errno])
        print("written=", written)
        """,
        scratch_bytes=4 * MiB,
        file_bytes=2 * MiB,
    )
    out = _lines(result)
    assert out["error"] == "ENOSPC", result
    assert int(out["written"]) < 8
    back = sum(p.stat().st_size for p in job.iterdir())
    assert back <= 4 * MiB


def test_open_files_limit(run_py):
    result = run_py(
        """
        import resource
        print("nofile=", resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        files = []
        try:
            for _ in range(1000):
                files.append(open("/dev/null"))
        except OSError as exc:
            print("stopped=", exc.errno)
        """,
        open_files=64,
    )
    out = _lines(result)
    assert out["nofile"] == "64"
    assert "stopped" in out


def test_output_is_a_bounded_tail(run_py):
    result = run_py(
        """
        import sys
        for i in range(20000):
            print("line", i)
        print("the end")
        print("err tail", file=sys.stderr)
        """
    )
    assert result.exit_code == 0
    assert len(result.stdout.encode()) <= 8 * 1024
    assert result.stdout.rstrip().endswith("the end")
    assert "line 0\n" not in result.stdout
    assert result.stderr.strip() == "err tail"


def test_memory_limit_binds_the_processes_together(run_py):
    """Four children of 200 MiB each under a 512 MiB limit: each fits alone, not all at once.
    The limit is the notebook's, not each process's: the kernel ends children until the rest
    fits, and the program itself goes on."""
    result = run_py(
        """
        import os, select, struct, time
        read_end, write_end = os.pipe()
        alive = set()
        for _ in range(4):
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                block = bytearray(200 * 1024 * 1024)
                block[::4096] = b"\\1" * len(range(0, len(block), 4096))
                os.write(write_end, struct.pack("i", os.getpid()))
                time.sleep(2)
                os._exit(0)
            alive.add(pid)
        os.close(write_end)
        holding, most, killed = set(), 0, 0
        while alive:
            if select.select([read_end], [], [], 0.02)[0]:
                data = os.read(read_end, 4096)
                holding |= {struct.unpack_from("i", data, i)[0] for i in range(0, len(data), 4)}
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid:
                alive.discard(pid)
                killed += os.WIFSIGNALED(status)
            most = max(most, len(holding & alive))
        print("most=", most)
        print("killed=", killed)
        """,
        memory_bytes=512 * MiB,
    )
    out = _lines(result)
    assert result.exit_code == 0, result
    assert int(out["killed"]) >= 1, out
    assert int(out["most"]) <= 2, out  # three would be 600 MiB
    assert result.killed_reason is None  # the program was not stopped, only children were
    if result.memory_peak_bytes is not None:
        assert result.memory_peak_bytes <= 512 * MiB


def test_memory_outside_the_address_space_counts(run_py):
    """Files in the /tmp tmpfs are memory that RLIMIT_AS does not see: the notebook's memory
    limit counts them, and the program stopped for it is reported as out of memory."""
    result = run_py(
        """
        for i in range(20):
            with open(f"/tmp/fill{i}", "wb") as f:
                f.write(b"x" * (8 * 1024 * 1024))
        print("filled", flush=True)
        block = bytearray(150 * 1024 * 1024)
        block[::4096] = b"\\1" * len(range(0, len(block), 4096))
        print("allocated")
        """,
        memory_bytes=256 * MiB,
        scratch_bytes=256 * MiB,
    )
    assert "filled" in result.stdout and "allocated" not in result.stdout, result
    assert result.killed_reason == "memory", result
