#!/usr/bin/env bash
# Download (or build) wheels so that the grader image installs with no network.
#
#   docker/wheels.sh [--force] [--project-out DIR] OUTDIR [requirement args...]
#
# With no requirement args it works on this project: builds the project's own wheel
# (`pip wheel . --no-deps`, into --project-out, default OUTDIR) and fetches a wheel for every
# dependency of `cs224n-ps1[EXTRAS]` (EXTRAS from CS224N_WHEEL_EXTRAS, default "course,service") into
# OUTDIR. pyproject.toml is read at run time, so dependencies added later are picked up.
# With requirement args (e.g. `-r requirements.txt` or `numpy==1.26.4`) it fetches those.
#
# Target: CPython 3.11.2 on linux x86_64 -- bookworm's python3 is 3.11.2, older than the
# host's, and some projects' latest releases need a newer 3.11.x (e.g. soupsieve needs
# >=3.11.5), so resolving with the host's own Python would pick wheels the image cannot
# install. Hence `pip download --only-binary=:all:` with the target's version and platform
# tags, whatever the host is (python:3.11-slim has a later 3.11.x, which these wheels suit too).
# A dependency with no wheel on the index makes it fail: pin a version that has one.
#
# OUTDIR/requirements.txt pins every dependency wheel (name==version), for a cacheable
# "dependencies only" install layer. OUTDIR.stamp (beside OUTDIR, so that it is not part of
# what the Dockerfile copies) records what the set was made from: when the dependencies in
# pyproject.toml (or the args) did not change, the download is skipped (--force redoes it).
#
# Environment: CS224N_WHEEL_MARKER_REQS (requirements the target's markers add, see below),
# PYTHON (default: the repo's .venv/bin/python, else python3),
# CS224N_WHEEL_EXTRAS (default course,service), CS224N_WHEEL_PY (target Python, default 3.11.2).
set -euo pipefail

# this host's pip config may list local file:// indexes that lack some projects: pip warns
# once per project, which says nothing about the result
quiet_pip() { grep -v "^WARNING: Location 'file://.*' is ignored" >&2 || true; }
die() { printf '[wheels.sh] error: %s\n' "$*" >&2; exit 1; }
log() { printf '[wheels.sh] %s\n' "$*" >&2; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
force=0
project_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=1; shift ;;
        --project-out) [ $# -ge 2 ] || die "--project-out needs a folder"; project_out="$2"; shift 2 ;;
        --project-out=*) project_out="${1#*=}"; shift ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (options come before OUTDIR)" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "usage: docker/wheels.sh [--force] [--project-out DIR] OUTDIR [requirement args...]"
outdir="$1"; shift
reqs=("$@")
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
[ -n "$project_out" ] || project_out="$outdir"
mkdir -p "$project_out"
project_out="$(cd "$project_out" && pwd)"

if [ -z "${PYTHON:-}" ]; then
    if [ -x "$REPO/.venv/bin/python" ]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON=python3; fi
fi
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip (set PYTHON=...)"

target_py="${CS224N_WHEEL_PY:-3.11.2}"
extras="${CS224N_WHEEL_EXTRAS:-course,service}"
[[ "$target_py" =~ ^3\.[0-9]+(\.[0-9]+)?$ ]] || die "CS224N_WHEEL_PY must look like 3.11.2 (got $target_py)"
py_minor="$(echo "$target_py" | cut -d. -f1-2)"
abi="cp${py_minor/./}"
# glibc of bookworm is 2.36: any manylinux wheel up to 2_36 runs there
cross_args=(--only-binary=:all: --implementation cp --python-version "$target_py" --abi "$abi"
            --platform manylinux1_x86_64 --platform manylinux2010_x86_64
            --platform manylinux2014_x86_64)
for v in $(seq 5 36); do cross_args+=(--platform "manylinux_2_${v}_x86_64"); done

# 1. the project's own wheel (always rebuilt: it is small; reproducible via SOURCE_DATE_EPOCH,
#    so an unchanged tree gives a byte-identical wheel and Docker's layer cache holds)
project_wheel=""
if [ "${#reqs[@]}" -eq 0 ]; then
    [ -f "$REPO/pyproject.toml" ] || die "no pyproject.toml in $REPO"
    tmp_proj="$(mktemp -d)"
    trap 'rm -rf "$tmp_proj"' EXIT
    log "building the project wheel from $REPO"
    # from a clean copy of the tree: setuptools' in-tree build/ folder keeps modules that were
    # since deleted, and they would end up in the wheel (tar keeps mtimes: reproducible)
    mkdir -p "$tmp_proj/src" "$tmp_proj/out"
    tar -C "$REPO" -cf - --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./out \
        --exclude=./data --exclude=./release --exclude='*.egg-info' --exclude=__pycache__ \
        --exclude=.pytest_cache --exclude=.ruff_cache --exclude='*.pyc' . \
        | tar -C "$tmp_proj/src" -xf -
    # a cached build environment with [build-system].requires (no per-run isolated env)
    benv="${CS224N_WHEEL_BUILD_ENV:-$REPO/build/wheel-build-env}"
    breqs="$("$PYTHON" -c 'import sys, tomllib; print("\n".join(tomllib.load(open(sys.argv[1], "rb")).get("build-system", {}).get("requires", ["setuptools"])))' "$REPO/pyproject.toml" 2>/dev/null || true)"
    built=0
    if [ -n "$breqs" ]; then
        if [ ! -x "$benv/bin/python" ] || [ "$(cat "$benv/.requires" 2>/dev/null)" != "$breqs" ]; then
            rm -rf "$benv"
            { "$PYTHON" -m venv "$benv" && mapfile -t breq_list <<<"$breqs" \
                && "$benv/bin/python" -m pip install -q "${breq_list[@]}" wheel \
                && printf '%s\n' "$breqs" >"$benv/.requires"; } >"$tmp_proj/benv.log" 2>&1 \
                || { log "could not prepare $benv (build isolation instead)"; rm -rf "$benv"; }
        fi
        if [ -x "$benv/bin/python" ] && SOURCE_DATE_EPOCH=315532800 "$benv/bin/python" -m pip wheel \
                --no-deps --no-build-isolation -q -w "$tmp_proj/out" "$tmp_proj/src" >"$tmp_proj/log" 2>&1; then
            built=1
        fi
    fi
    if [ "$built" -eq 0 ]; then
        SOURCE_DATE_EPOCH=315532800 "$PYTHON" -m pip wheel --no-deps -q -w "$tmp_proj/out" "$tmp_proj/src" \
            >"$tmp_proj/log" 2>&1 || { cat "$tmp_proj/log" >&2; die "could not build the project wheel"; }
    fi
    new="$(ls "$tmp_proj"/out/*.whl)"
    name="$(basename "$new")"
    # replace an older build of the project (any version), keep the file if identical
    for old in "$project_out"/"${name%%-*}"-*.whl; do
        [ -e "$old" ] || continue
        [ "$(basename "$old")" = "$name" ] && cmp -s "$old" "$new" && continue
        rm -f "$old"
    done
    [ -e "$project_out/$name" ] || cp "$new" "$project_out/$name"
    project_wheel="$project_out/$name"
    log "project wheel: $project_wheel"
    reqs=("${project_wheel}[${extras}]")
    # pip evaluates environment markers with the host's interpreter, not --python-version:
    # requirements that only the target's older Python adds must be listed here (redis needs
    # async-timeout below Python 3.11.3; harmless on a newer 3.11)
    read -r -a marker_reqs <<<"${CS224N_WHEEL_MARKER_REQS-async-timeout>=4.0.3}"
    reqs+=("${marker_reqs[@]}")
    # what the dependency set depends on: [project] dependencies, requires-python and the
    # chosen extras (following self-references such as cs224n-ps1[course]); not the rest of
    # pyproject.toml, so editing tool settings does not refetch anything
    stamp_src="$("$PYTHON" - "$REPO/pyproject.toml" "$extras" <<'PY' 2>/dev/null || cat "$REPO/pyproject.toml"
import json, re, sys, tomllib

project = tomllib.load(open(sys.argv[1], "rb"))["project"]
norm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
name = norm(project["name"])
optional = project.get("optional-dependencies", {})
todo, seen, reqs = [e.strip() for e in sys.argv[2].split(",") if e.strip()], set(), []
while todo:
    extra = todo.pop()
    if extra in seen:
        continue
    seen.add(extra)
    for req in optional.get(extra, []):
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", req)
        if m and norm(m.group(1)) == name:
            todo += [e.strip() for e in (m.group(2) or "").split(",") if e.strip()]
        else:
            reqs.append(req)
print(json.dumps({"requires-python": project.get("requires-python"),
                  "dependencies": sorted(project.get("dependencies", [])),
                  "extras": sorted(seen), "extra-requirements": sorted(reqs)}, sort_keys=True))
PY
)"
    what="dependencies of ${name%%-*}[$extras]"
else
    stamp_src="$(printf '%s\n' "${reqs[@]}")"
    for ((i = 0; i < ${#reqs[@]}; i++)); do
        if [ "${reqs[$i]}" = "-r" ] && [ -f "${reqs[$((i + 1))]:-}" ]; then
            stamp_src+="$(cat "${reqs[$((i + 1))]}")"
        fi
    done
    what="${reqs[*]}"
fi

# 2. the dependencies, unless the stamp says this set was made from the same inputs
stamp="$(printf '%s\n' "v3 py=$target_py extras=$extras markers=${marker_reqs[*]:-}" "$stamp_src" | sha256sum | cut -d' ' -f1)"
if [ "$force" -eq 0 ] && [ "$(cat "$outdir.stamp" 2>/dev/null || true)" = "$stamp" ] \
        && [ -f "$outdir/requirements.txt" ]; then
    log "wheels for $what are up to date in $outdir ($(find "$outdir" -maxdepth 1 -name "*.whl" | wc -l) wheels)"
    exit 0
fi

log "fetching wheels for $what"
fresh="$(mktemp -d "$outdir.fresh.XXXXXX")"
cleanup() { rm -rf "$fresh" "${tmp_proj:-}"; }
trap cleanup EXIT
# the previous set is offered as --find-links, so unchanged wheels are copied, not downloaded
"$PYTHON" -m pip download -q "${cross_args[@]}" --find-links "$outdir" -d "$fresh" "${reqs[@]}" \
    2> >(quiet_pip) >&2 \
    || die "pip download failed for CPython $target_py manylinux x86_64 (see above)"
# the project's wheel lives in --project-out only
if [ -n "$project_wheel" ] && [ "$project_out" != "$outdir" ]; then
    rm -f "$fresh/$(basename "$project_wheel")"
fi
# pins: every dependency wheel as name==version
pins="$(for w in "$fresh"/*.whl; do
          [ -e "$w" ] || continue
          b="$(basename "$w" .whl)"
          n="${b%%-*}"; rest="${b#*-}"; v="${rest%%-*}"
          [ -n "$project_wheel" ] && [ "$n" = "$(basename "$project_wheel" | cut -d- -f1)" ] && continue
          echo "${n//_/-}==$v"
        done | sort -f)"
# replace the old set with the fresh one
find "$outdir" -maxdepth 1 -type f \( -name '*.whl' -o -name '*.tar.gz' -o -name '*.zip' \) \
    ! -path "$project_wheel" -delete
mv "$fresh"/* "$outdir"/ 2>/dev/null || true
printf '%s\n' "$pins" >"$outdir/requirements.txt"
echo "$stamp" >"$outdir.stamp"
log "$(grep -c . "$outdir/requirements.txt") dependency wheels in $outdir ($(du -sh "$outdir" | cut -f1))"
