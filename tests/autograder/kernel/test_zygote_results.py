"""kernel.zygote.read_results under the sandbox's address-space limit.

The zygote reads each notebook's result files inside the sandbox, under RLIMIT_AS
(memory_mb). Reading with ``f.read(bound + 1)`` reserved the whole 512 MiB bound per file
and raised MemoryError at memory_mb=384 (the Gradescope container): this runs the reading
in a child with RLIMIT_AS at 384 MiB, as the sandbox does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from autograder.kernel import zygote

_CHILD = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from autograder.kernel import zygote
    limit = 384 * 1024**2
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    found = zygote.read_results(Path(sys.argv[1]))
    print(sorted((name, len(data)) for name, data in found.items()))
""")


def test_results_are_read_under_a_384_mib_address_space_limit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "outcomes.json").write_bytes(b"x" * 1000)
    (out / "cells.json").write_bytes(b"[]")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(out)], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[3])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[('cells.json', 2), ('outcomes.json', 1000)]"


def test_the_bound_holds_for_all_files_together(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a" * 60)
    (tmp_path / "b").write_bytes(b"b" * 50)  # over what a leaves of 100: left out
    (tmp_path / "c").write_bytes(b"c" * 40)
    (tmp_path / "d").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    found = zygote.read_results(tmp_path, limit=100)
    assert found == {"a": b"a" * 60, "c": b"c" * 40, "d": b""}


def test_a_file_larger_than_a_chunk_is_read_whole(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zygote, "READ_CHUNK", 7)
    data = bytes(range(256)) * 3
    (tmp_path / "f").write_bytes(data)
    assert zygote.read_results(tmp_path, limit=len(data)) == {"f": data}
    assert zygote.read_results(tmp_path, limit=len(data) - 1) == {}
