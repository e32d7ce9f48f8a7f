"""A submission whose q1 notebook probes the grader from inside the sandbox.

Its last cell tries to read the package's seed and the instructor notebooks, to write
results.json, to open an Internet socket and to leave a process running, then raises with
what it found: the error reaches results.json's output (the engine reports cell errors),
so a test reads there what student code could and could not do.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

PROBE = r'''
import os, socket, subprocess
found = []
def probe(label, action):
    try:
        action()
        found.append(label + "=OPEN")
    except Exception as exc:
        found.append(label + "=" + type(exc).__name__)
def read(path):
    with open(path) as fh:
        found.append("read:" + fh.read(200).replace("\n", " "))
probe("seed", lambda: read("/autograder/source/autograder.json"))
probe("notebooks", lambda: os.listdir("/autograder/source/course/source/ps1"))
probe("grader", lambda: os.listdir("/opt/cs224n"))
probe("autograder", lambda: os.listdir("/autograder"))
probe("results", lambda: open("/autograder/results/results.json", "w").write('{"score": 1000}'))
probe("net", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
subprocess.Popen(["sleep", "600"])
raise RuntimeError("PROBE " + " ".join(found))
'''


def write_hostile(src: Path, dst: Path) -> None:
    """The notebooks of src (an honest submission folder) with the probe cell added to q1."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if path.stem == "q1_softmax":
            nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        (dst / path.name).write_text(json.dumps(nb), encoding="utf-8")
