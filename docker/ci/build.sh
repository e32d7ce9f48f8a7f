#!/usr/bin/env bash
# Build the CI stand-ins for the official postgres and redis images (no registry here):
#   bash docker/ci/build.sh      needs cs224n/ci-services-base:bookworm
#                                (bash .ci/docker.sh services-base)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base="${CS224N_SERVICES_IMAGE:-cs224n/ci-services-base:bookworm}"
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0  # Debian's docker.io has no buildx
fi
for name in postgres redis; do
    docker build -q --build-arg "BASE_IMAGE=$base" -t "cs224n/ci-$name:latest" \
        -f "$here/$name.Dockerfile" "$here" >/dev/null
    echo "[ci/build.sh] built cs224n/ci-$name:latest" >&2
done
