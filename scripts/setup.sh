#!/usr/bin/env bash
# Set up this project on a fresh machine: a virtualenv in .venv with the project and its
# development dependencies (numpy, scikit-learn, matplotlib, nbgrader, jupyter, pytest, ruff).
# Idempotent; re-run after pulling. Debian packages the grader's sandbox needs are installed
# when running as root (apt-get), and skipped with a notice otherwise.
#
# It prints one line per step; pip's own output (its warnings included) goes to
# build/setup.log, printed only when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
LOG=build/setup.log
mkdir -p build
: >"$LOG"
# quiet: the command's output into the log; on failure, the log's tail and the exit code
quiet() {
    if ! "$@" >>"$LOG" 2>&1; then
        say "failed: $*"
        say "the last lines of $LOG:"
        tail -n 40 "$LOG" >&2
        exit 1
    fi
}

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $("$PYTHON" --version 2>&1)"
    quiet "$PYTHON" -m venv .venv
fi
start=$SECONDS
say "installing the project and its development dependencies into .venv (log: $LOG)"
quiet .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip
quiet .venv/bin/python -m pip install --disable-pip-version-check -e '.[dev]'
say "installed in $((SECONDS - start)) s"

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${need[*]} (apt-get)"
        quiet apt-get update -qq
        DEBIAN_FRONTEND=noninteractive quiet apt-get install -y -qq "${need[@]}"
    else
        say "please install ${need[*]} (Debian: apt-get install ${need[*]})"
    fi
fi
say "done (.venv ready)"
bash scripts/sandbox-runtime.sh
