#!/usr/bin/env bash
# Build the grader image with no network inside the build.
#
#   docker/build.sh [--base IMAGE] [--tag TAG] [--context DIR] [--refresh-wheels]
#                   [--no-cache] [--quiet] [--dockerfile FILE] [-- extra docker build args...]
#
#   --base IMAGE       base image (default python:3.11-slim; CI: cs224n/base:bookworm,
#                      made by `bash .ci/docker.sh base`)
#   --tag TAG          image tag (default cs224n/grader:latest)
#   --context DIR      build context folder (default build/docker-context in the repo)
#   --refresh-wheels   download the dependency wheels again even if pyproject.toml is unchanged
#   --no-cache         docker build --no-cache
#   --quiet            docker build -q (prints the image id only)
#   --dockerfile FILE  Dockerfile (default docker/grader.Dockerfile; the sandbox's kernel image:
#                      --dockerfile docker/kernel.Dockerfile --tag cs224n/kernel:latest)
#
# Steps: docker/wheels.sh fills DIR/wheels (dependencies; skipped when pyproject.toml did not
# change) and DIR/project (the project's wheel, rebuilt every time), then
# `docker build -f docker/grader.Dockerfile DIR`.
set -euo pipefail

die() { printf '[build.sh] error: %s\n' "$*" >&2; exit 1; }
log() { printf '[build.sh] %s\n' "$*" >&2; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="python:3.11-slim"
tag="cs224n/grader:latest"
context="$REPO/build/docker-context"
dockerfile="$REPO/docker/grader.Dockerfile"
wheel_args=()
build_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --base) [ $# -ge 2 ] || die "--base needs an image"; base="$2"; shift 2 ;;
        --base=*) base="${1#*=}"; shift ;;
        --tag) [ $# -ge 2 ] || die "--tag needs a name"; tag="$2"; shift 2 ;;
        --tag=*) tag="${1#*=}"; shift ;;
        --context) [ $# -ge 2 ] || die "--context needs a folder"; context="$2"; shift 2 ;;
        --context=*) context="${1#*=}"; shift ;;
        --refresh-wheels) wheel_args+=(--force); shift ;;
        --no-cache) build_args+=(--no-cache); shift ;;
        --quiet|-q) build_args+=(-q); shift ;;
        --dockerfile) [ $# -ge 2 ] || die "--dockerfile needs a file"; dockerfile="$2"; shift 2 ;;
        --dockerfile=*) dockerfile="${1#*=}"; shift ;;
        -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; build_args+=("$@"); break ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

command -v docker >/dev/null 2>&1 || die "docker not found (CI: bash .ci/docker.sh up)"
timeout 20 docker info >/dev/null 2>&1 || die "no Docker daemon answers (CI: bash .ci/docker.sh up)"
if ! docker image inspect "$base" >/dev/null 2>&1; then
    case "$base" in
        cs224n/*) die "base image $base is missing: build it with 'bash .ci/docker.sh base'" ;;
        *) log "base image $base is not local: docker will pull it (needs a registry)" ;;
    esac
fi

mkdir -p "$context"
context="$(cd "$context" && pwd)"
t0=$SECONDS
bash "$REPO/docker/wheels.sh" "${wheel_args[@]}" --project-out "$context/project" "$context/wheels"
log "wheels ready in $((SECONDS - t0))s"

# Debian's docker.io 20.10 has no buildx plugin: a newer client would then refuse BuildKit,
# so use the classic builder there. Where buildx exists, Docker's default applies.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
fi

t0=$SECONDS
log "docker build -t $tag (base $base, context $context)"
docker build --force-rm --build-arg "BASE_IMAGE=$base" -t "$tag" \
    -f "$dockerfile" "${build_args[@]}" "$context"
size="$(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')"
log "built $tag ($size) in $((SECONDS - t0))s"
