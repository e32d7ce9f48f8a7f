#!/usr/bin/env bash
# Install the Python packages that sandboxed student code may import, into a folder of their own.
#
#   scripts/sandbox-runtime.sh [DIR]        (default DIR: build/sandbox-runtime in the repo)
#
# The bwrap sandbox binds DIR read-only at /opt/site and puts it on PYTHONPATH; nothing else of
# the host's site-packages is visible inside. So DIR holds ONLY what notebooks and the in-sandbox
# runner need (no nbgrader, not this project). The list must match RUNTIME_PACKAGES in
# autograder/sandbox/runtime.py (a test checks it).
#
# Installed with the host's .venv/bin/python (PYTHON=... overrides), so the packages suit the
# same Python version the sandbox runs (the venv's base installation). Idempotent: when
# DIR/.stamp records the same package list and Python, nothing is done (FORCE=1 redoes it).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { printf '[sandbox-runtime] error: %s\n' "$*" >&2; exit 1; }
log() { printf '[sandbox-runtime] %s\n' "$*" >&2; }

PACKAGES=(numpy scipy scikit-learn matplotlib tqdm ipython nbformat)

dir="${1:-$REPO/build/sandbox-runtime}"
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$REPO/.venv/bin/python" ]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON=python3; fi
fi
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip (set PYTHON=...)"

pyver="$("$PYTHON" -c 'import sys; print(sys.implementation.cache_tag, sys.base_prefix)')"
want="packages: ${PACKAGES[*]}
versions: the installing environment's (pip freeze constraints)
python: $pyver
matplotlib font cache: 1
bytecode: compiled"
if [ "${FORCE:-0}" != 1 ] && [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
    log "$dir is up to date"
    exit 0
fi

# install into a fresh folder beside DIR, then swap it in: a failed install leaves no half tree
parent="$(dirname "$dir")"
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/.sandbox-runtime.XXXXXX")"
trap 'rm -rf "$tmp" "$tmp.constraints"' EXIT
log "installing ${PACKAGES[*]} into $dir"
# the versions the grader's own environment has (numpy above all: the sandbox computes what
# the grader compares), and no clash with what that environment pins (pip checks --target
# installs against it: celery pins python-dateutil)
"$PYTHON" -m pip freeze --exclude-editable --disable-pip-version-check 2>/dev/null \
    | grep -E '^[A-Za-z0-9_.-]+==' >"$tmp.constraints" || true
# pip's output (its warnings about this machine's indexes included) goes to a log, shown
# only when it fails
pip_log="$parent/sandbox-runtime-pip.log"
if ! "$PYTHON" -m pip install --disable-pip-version-check --target "$tmp" \
        --constraint "$tmp.constraints" "${PACKAGES[@]}" >"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    die "pip install failed (log: $pip_log)"
fi
rm -f "$tmp.constraints"
# -I -S: no site-packages of the installing Python, only the new folder
"$PYTHON" -I -S -c 'import sys; sys.path.insert(0, sys.argv[1]); import os
os.environ["MPLBACKEND"] = "Agg"
import numpy, scipy, sklearn, matplotlib, tqdm, IPython, nbformat' "$tmp" \
    || die "the installed runtime does not import"
# bytecode compiled once here: the sandbox mounts this folder read-only and never writes .pyc
"$PYTHON" -m compileall -q -j 0 "$tmp" >/dev/null || die "compileall failed"
# matplotlib's font cache, built once here: the runner copies it into each sandbox's
# MPLCONFIGDIR, which saves every notebook that plots a second or two of font scanning
MPLCONFIGDIR="$tmp/.matplotlib" "$PYTHON" -I -S -c 'import sys; sys.path.insert(0, sys.argv[1])
import matplotlib; matplotlib.use("Agg"); import matplotlib.font_manager' "$tmp" \
    || die "could not build the matplotlib font cache"
printf '%s\n' "$want" >"$tmp/.stamp"
chmod -R a+rX "$tmp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
log "ready: $dir ($(du -sh "$dir" | cut -f1))"
