"""The two scripts Gradescope runs: ``setup.sh`` (once, building the image) and
``run_autograder`` (per submission). Kept as text here so the package needs no data files."""

from __future__ import annotations

from autograder.gradescope.layout import ASSIGNMENT_COPY, GRADER_HOME, ROOT, SITE, VENV
from autograder.sandbox.runtime import RUNTIME_PACKAGES

SETUP_SH = r"""#!/usr/bin/env bash
# CS224n PS1 autograder for Gradescope: setup.sh. Gradescope runs it once, as root, when it
# builds the autograder image, from /autograder/source (the zip's contents).
#
# Installs: the grader (this project, nbgrader, ...) in a root-only venv at @HOME@/@VENV@;
# the sandbox runtime (only what notebooks may import) at @SITE@; bubblewrap if apt-get can
# get it. Bundled wheels (wheels/requirements.txt) are installed with no network; without them
# pip uses the package index. Then the assignment is prepared once (nbgrader
# generate_assignment into @HOME@/@COPY@) and the sandbox this image will use is reported.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR=@HOME@
SITE=@SITE@
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 DEBIAN_FRONTEND=noninteractive
log() { printf '[setup.sh] %s\n' "$*"; }
die() { printf '[setup.sh] error: %s\n' "$*" >&2; exit 1; }
apt_install() {  # best effort: no apt-get, or no network, is reported by the caller
    command -v apt-get >/dev/null 2>&1 || return 1
    timeout 600 apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
    timeout 300 apt-get update -qq >/dev/null 2>&1 \
        && timeout 600 apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}
t0=$SECONDS

command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv || die "no python3"
PYTHON="$(command -v python3)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$("$PYTHON" --version) is too old: Python 3.10 or newer is needed (a newer base image)"
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv \
    || die "python3 has no venv module (apt-get install python3-venv)"
if command -v bwrap >/dev/null 2>&1 || apt_install bubblewrap; then
    log "bubblewrap $(bwrap --version 2>/dev/null | cut -d' ' -f2): used if the container allows it"
else
    log "bubblewrap could not be installed: student code will run in the container sandbox"
fi

rm -rf "$HOME_DIR"
mkdir -p "$HOME_DIR"
chmod 700 "$HOME_DIR" "$SRC"
"$PYTHON" -m venv "$HOME_DIR/@VENV@"
PIP=("$HOME_DIR/@VENV@/bin/python" -m pip install -q)
if [ -f "$SRC/wheels/requirements.txt" ]; then
    log "installing from the bundled wheels (no network)"
    PIP+=(--no-index --find-links "$SRC/wheels" -c "$SRC/wheels/requirements.txt")
else
    log "installing the dependencies from the package index"
fi
project=("$SRC"/wheels/cs224n_ps1-*.whl)
[ -f "${project[0]}" ] || die "the project's wheel is missing from wheels/"
"${PIP[@]}" "${project[0]}[course]" || die "pip could not install the grader"

log "sandbox runtime (@PACKAGES@) into $SITE"
rm -rf "$SITE"
"${PIP[@]}" --target "$SITE" @PACKAGES@ || die "pip could not install the sandbox runtime"
"$PYTHON" -m compileall -q -j 0 "$SITE" >/dev/null || true
MPLCONFIGDIR="$SITE/.matplotlib" "$PYTHON" -I -S -c 'import sys; sys.path.insert(0, sys.argv[1])
import matplotlib; matplotlib.use("Agg"); import matplotlib.font_manager' "$SITE" \
    || die "the sandbox runtime does not import"
printf 'setup.sh\n' >"$SITE/.stamp"
chmod -R a+rX "$SITE"

"$HOME_DIR/@VENV@/bin/python" -m autograder.gradescope.run prepare --source "$SRC" \
    || die "could not prepare the assignment"
log "ready in $((SECONDS - t0)) s"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# CS224n PS1 autograder for Gradescope: grades /autograder/submission and writes
# /autograder/results/results.json (Gradescope runs this as root, per submission).
PY=@HOME@/@VENV@/bin/python
if [ ! -x "$PY" ]; then
    mkdir -p @ROOT@/results
    msg="The autograder is not installed (its setup failed): this is not about your work."
    printf '{"score": 0, "output": "%s The course staff will look at it.", "tests": []}\n' \
        "$msg" >@ROOT@/results/results.json
    echo "run_autograder: $PY is missing: setup.sh failed when the image was built" >&2
    exit 1
fi
exec "$PY" -m autograder.gradescope.run grade --root @ROOT@
"""


def _fill(template: str) -> str:
    return (template.replace("@HOME@", str(GRADER_HOME)).replace("@VENV@", VENV)
            .replace("@SITE@", str(SITE)).replace("@COPY@", ASSIGNMENT_COPY)
            .replace("@ROOT@", str(ROOT)).replace("@PACKAGES@", " ".join(RUNTIME_PACKAGES)))


def setup_sh() -> str:
    return _fill(SETUP_SH)


def run_autograder() -> str:
    return _fill(RUN_AUTOGRADER)
