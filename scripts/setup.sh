#!/usr/bin/env bash
# Set up this project on a fresh machine: a virtualenv in .venv with the project and its
# development dependencies (numpy, scikit-learn, matplotlib, nbgrader, jupyter, pytest, ruff).
# Idempotent; re-run after pulling. Debian packages the grader's sandbox needs are installed
# when running as root (apt-get), and skipped with a notice otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "setup: please install ${need[*]} (Debian: apt-get install ${need[*]})" >&2
    fi
fi
echo "setup: done (.venv ready)"
bash scripts/sandbox-runtime.sh
