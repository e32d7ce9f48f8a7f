#!/bin/bash
# The subset of the official redis image's entrypoint that docker-compose.yml uses: run as
# the redis user, and without a config file listen on every interface (protected mode off,
# as the official image does; the compose network is the boundary).
set -euo pipefail
if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec gosu redis "$0" "$@"
fi
if [ "${1:-}" = redis-server ]; then
    shift
    exec redis-server --bind 0.0.0.0 --protected-mode no --dir /data "$@"
fi
exec "$@"
