#!/usr/bin/env bash
# Docker helper for CI and tests: installs Debian's Docker, runs a private dockerd,
# and builds an offline base image (no container registry is needed anywhere).
#
#   bash .ci/docker.sh up       install docker.io/docker-compose/debootstrap if missing,
#                               start dockerd in the background unless one answers already,
#                               wait for `docker info` (CS224N_DOCKER_WAIT seconds, default 60)
#   bash .ci/docker.sh down     stop dockerd, but only if `up` started it
#   bash .ci/docker.sh status   print running=yes|no started_by_us=yes|no pid=...
#   bash .ci/docker.sh base [--rebuild]
#                               build cs224n/base:bookworm from debootstrap (cached)
#   bash .ci/docker.sh services-base [--rebuild]
#                               build cs224n/ci-services-base:bookworm the same way, with
#                               Debian's postgresql and redis-server (the CI stand-ins' base)
#   bash .ci/docker.sh mirror   print the Debian mirror that `base` would use
#
# It can also be sourced (`source .ci/docker.sh`): that only defines the cs224n_docker_*
# functions and changes no shell option of the caller.
#
# Environment:
#   CS224N_DOCKER_STATE   state folder (pid, log, "we started it" marker); /tmp/cs224n-docker
#   CS224N_DOCKER_WAIT    seconds to wait for the daemon; 60
#   CS224N_BASE_IMAGE     tag of the base image; cs224n/base:bookworm
#   CS224N_BASE_CACHE     debootstrap cache folder; /var/cache/cs224n-base
#   CS224N_DEBIAN_MIRROR  Debian mirror URL; read from this machine's apt sources when unset
#   CS224N_DEBIAN_SUITE   suite; bookworm

CS224N_DOCKER_STATE="${CS224N_DOCKER_STATE:-/tmp/cs224n-docker}"
CS224N_DOCKER_WAIT="${CS224N_DOCKER_WAIT:-60}"
CS224N_BASE_IMAGE="${CS224N_BASE_IMAGE:-cs224n/base:bookworm}"
CS224N_BASE_CACHE="${CS224N_BASE_CACHE:-/var/cache/cs224n-base}"
CS224N_DEBIAN_SUITE="${CS224N_DEBIAN_SUITE:-bookworm}"
# Packages of the base image. python3-venv brings ensurepip's bundled pip wheel, so a venv
# made in the image has pip without Debian's python3-pip.
CS224N_BASE_INCLUDE="${CS224N_BASE_INCLUDE:-python3,python3-venv,ca-certificates}"
# The CI stand-ins' base: Debian's PostgreSQL and Redis (docker/ci/*.Dockerfile)
CS224N_SERVICES_IMAGE="${CS224N_SERVICES_IMAGE:-cs224n/ci-services-base:bookworm}"
CS224N_SERVICES_INCLUDE="${CS224N_SERVICES_INCLUDE:-postgresql,redis-server,gosu,ca-certificates}"

cs224n_docker_log() { printf '[docker.sh] %s\n' "$*" >&2; }
cs224n_docker_die() { printf '[docker.sh] error: %s\n' "$*" >&2; return 1; }

# --- packages ------------------------------------------------------------------------------

cs224n_docker_install() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    [ "${#missing[@]}" -eq 0 ] && return 0
    # de-duplicate
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    [ "$(id -u)" -eq 0 ] || { cs224n_docker_die "need root to apt-get install ${missing[*]}"; return 1; }
    command -v apt-get >/dev/null 2>&1 \
        || { cs224n_docker_die "apt-get not found: install ${missing[*]} by hand"; return 1; }
    cs224n_docker_log "installing ${missing[*]} (Debian packages)"
    local log="$CS224N_DOCKER_STATE/apt.log"
    mkdir -p "$CS224N_DOCKER_STATE"
    if ! { apt-get update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" iptables; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        cs224n_docker_die "apt-get install ${missing[*]} failed (full log: $log)"
        return 1
    fi
}

# --- daemon --------------------------------------------------------------------------------

cs224n_docker_ready() { timeout 10 docker info >/dev/null 2>&1; }

# pid of the dockerd that `up` started, if it is still alive; empty otherwise
cs224n_docker_our_pid() {
    local f="$CS224N_DOCKER_STATE/started-by-us" pid
    [ -f "$f" ] || return 0
    pid="$(cat "$f" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ] && echo "$pid"
    return 0
}

cs224n_docker_up() {
    cs224n_docker_install || return 1
    mkdir -p "$CS224N_DOCKER_STATE"
    (
        flock -w 120 9 || { cs224n_docker_die "timed out waiting for $CS224N_DOCKER_STATE/lock"; exit 1; }
        if cs224n_docker_ready; then
            if [ -n "$(cs224n_docker_our_pid)" ]; then
                cs224n_docker_log "dockerd already running (started by this script, pid $(cs224n_docker_our_pid))"
            else
                rm -f "$CS224N_DOCKER_STATE/started-by-us"
                cs224n_docker_log "dockerd already running (not started by this script; 'down' will leave it)"
            fi
            exit 0
        fi
        local_pid="$(cs224n_docker_our_pid)"
        if [ -z "$local_pid" ]; then
            # a stale /var/run/docker.pid of a dead daemon makes dockerd refuse to start
            if [ -f /var/run/docker.pid ]; then
                old="$(cat /var/run/docker.pid 2>/dev/null || true)"
                if [ -n "$old" ] && [ -d "/proc/$old" ]; then
                    cs224n_docker_die "a dockerd (pid $old) runs but does not answer 'docker info'"
                    exit 1
                fi
                rm -f /var/run/docker.pid
            fi
            log="$CS224N_DOCKER_STATE/dockerd.log"
            cs224n_docker_log "starting dockerd (log: $log)"
            # setsid: the daemon outlives this shell and is not hit by signals sent to its group
            setsid dockerd --pidfile "$CS224N_DOCKER_STATE/dockerd.pid" </dev/null >>"$log" 2>&1 9>&- &
            local_pid=$!
            echo "$local_pid" >"$CS224N_DOCKER_STATE/started-by-us"
        fi
        deadline=$((SECONDS + CS224N_DOCKER_WAIT))
        until cs224n_docker_ready; do
            if ! kill -0 "$local_pid" 2>/dev/null; then
                tail -n 30 "$CS224N_DOCKER_STATE/dockerd.log" >&2 || true
                rm -f "$CS224N_DOCKER_STATE/started-by-us"
                cs224n_docker_die "dockerd exited during start-up (log above)"
                exit 1
            fi
            if [ "$SECONDS" -ge "$deadline" ]; then
                tail -n 30 "$CS224N_DOCKER_STATE/dockerd.log" >&2 || true
                cs224n_docker_die "dockerd (pid $local_pid) did not answer within ${CS224N_DOCKER_WAIT}s"
                exit 1
            fi
            sleep 0.5
        done
        cs224n_docker_log "dockerd ready (pid $local_pid, $(docker info --format '{{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}' 2>/dev/null))"
    ) 9>"$CS224N_DOCKER_STATE/lock"
}

# containerd-shim processes left behind by the daemon that we stopped (their parent died,
# so they were re-parented); found by the docker-managed containerd address in their
# command line and ended one pid at a time.
cs224n_docker_reap_shims() {
    local p cmd pid shims=() kids=()
    for p in /proc/[0-9]*; do
        case "$(cat "$p/comm" 2>/dev/null || true)" in containerd-shim*) ;; *) continue ;; esac
        cmd="$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true)"
        case "$cmd" in *"/var/run/docker/containerd/"*|*"-namespace moby"*) ;; *) continue ;; esac
        shims+=("${p#/proc/}")
    done
    # docker's own containerd, if dockerd died without stopping it
    local cpid
    cpid="$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)"
    if [[ "$cpid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$cpid/comm" 2>/dev/null || true)" = containerd ]; then
        cs224n_docker_log "ending leftover containerd (pid $cpid)"
        kill -TERM "$cpid" 2>/dev/null || true
    fi
    [ "${#shims[@]}" -gt 0 ] || return 0
    # a shim outlives its daemon while its container runs: end the container's processes
    # (the shim's children), then the shim
    for pid in "${shims[@]}"; do
        for p in /proc/[0-9]*; do
            if [ "$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)" = "$pid" ]; then
                kids+=("${p#/proc/}")
            fi
        done
    done
    cs224n_docker_log "ending ${#shims[@]} leftover containerd-shim(s) (${shims[*]}) and their containers (${kids[*]:-none})"
    for pid in "${kids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${shims[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 20); do
        local alive=0
        for pid in "${shims[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
        [ "$alive" -eq 0 ] && return 0
        sleep 0.25
    done
    for pid in "${shims[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

cs224n_docker_down() {
    mkdir -p "$CS224N_DOCKER_STATE"
    (
        flock -w 120 9 || { cs224n_docker_die "timed out waiting for $CS224N_DOCKER_STATE/lock"; exit 1; }
        pid="$(cs224n_docker_our_pid)"
        if [ -z "$pid" ]; then
            if [ -f "$CS224N_DOCKER_STATE/started-by-us" ]; then
                rm -f "$CS224N_DOCKER_STATE/started-by-us"
                cs224n_docker_reap_shims
                cs224n_docker_log "dockerd started by this script has already exited"
            else
                cs224n_docker_log "dockerd was not started by this script: leaving it alone"
            fi
            exit 0
        fi
        cs224n_docker_log "stopping dockerd (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        # dockerd gives running containers up to 15 s, then stops containerd
        for _ in $(seq 1 120); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            cs224n_docker_log "dockerd did not exit in 60s: sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
        rm -f "$CS224N_DOCKER_STATE/started-by-us"
        cs224n_docker_reap_shims
        cs224n_docker_log "dockerd stopped"
    ) 9>"$CS224N_DOCKER_STATE/lock"
}

cs224n_docker_status() {
    local running=no ours=no pid
    cs224n_docker_ready && running=yes
    pid="$(cs224n_docker_our_pid)"
    [ -n "$pid" ] && ours=yes
    echo "running=$running started_by_us=$ours pid=${pid:-}"
}

# --- base image ----------------------------------------------------------------------------

# The first http(s) Debian mirror in this machine's apt sources (deb822 *.sources files and
# one-line *.list files) that serves the plain suite (not -security/-updates).
cs224n_docker_mirror() {
    if [ -n "${CS224N_DEBIAN_MIRROR:-}" ]; then echo "$CS224N_DEBIAN_MIRROR"; return 0; fi
    local files=() f
    for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
    local uri=""
    if [ "${#files[@]}" -gt 0 ]; then
        # paragraphs: Types: deb / URIs: ... / Suites: ...; a blank line ends one
        uri="$(awk -v suite="$CS224N_DEBIAN_SUITE" '
            function flush() {
                if (found) return
                if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
                    n = split(suites, s, /[ \t]+/)
                    plain = 0
                    for (i = 1; i <= n; i++) if (s[i] != "" && s[i] !~ /-/) plain = 1
                    m = split(uris, u, /[ \t]+/)
                    for (i = 1; i <= m; i++)
                        if (plain && u[i] ~ /^https?:\/\// && u[i] !~ /security/) { print u[i]; found = 1; exit }
                }
                types = ""; uris = ""; suites = ""; enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "types:"   { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
            tolower($1) == "uris:"    { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
            tolower($1) == "suites:"  { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
            tolower($1) == "enabled:" { sub(/^[^:]*:[ \t]*/, ""); enabled = tolower($0); next }
            END { flush() }
        ' "${files[@]}")"
    fi
    if [ -z "$uri" ]; then
        files=()
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f "$f" ] && files+=("$f"); done
        if [ "${#files[@]}" -gt 0 ]; then
            uri="$(awk '
                $1 != "deb" { next }
                { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } }
                $i ~ /^https?:\/\// && $i !~ /security/ && $(i + 1) !~ /-/ { print $i; exit }
            ' "${files[@]}")"
        fi
    fi
    [ -n "$uri" ] || { cs224n_docker_die "no Debian mirror in /etc/apt/sources.list{,.d/*}: set CS224N_DEBIAN_MIRROR"; return 1; }
    echo "${uri%/}"
}

cs224n_docker_base() {
    cs224n_docker_rootfs_image "$CS224N_BASE_IMAGE" "$CS224N_BASE_INCLUDE" \
        "$CS224N_DEBIAN_SUITE-rootfs" "$@"
}

# The CI stand-ins for the official postgres and redis images start from this one (see
# docker/ci/): the same debootstrap, with Debian's postgresql and redis-server inside.
cs224n_docker_services_base() {
    cs224n_docker_rootfs_image "$CS224N_SERVICES_IMAGE" "$CS224N_SERVICES_INCLUDE" \
        "$CS224N_DEBIAN_SUITE-services-rootfs" "$@"
}

# cs224n_docker_rootfs_image TAG INCLUDE ROOTFS_NAME [--rebuild]: debootstrap (cached in
# $CS224N_BASE_CACHE/ROOTFS_NAME) and `docker import` as TAG
cs224n_docker_rootfs_image() {
    local image="$1" include="$2" name="$3" rebuild=0
    shift 3
    [ "${1:-}" = "--rebuild" ] && rebuild=1
    cs224n_docker_ready || { cs224n_docker_die "no Docker daemon answers: run 'bash .ci/docker.sh up' first"; return 1; }
    local key="suite=$CS224N_DEBIAN_SUITE variant=minbase include=$include"
    if [ "$rebuild" -eq 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
        local have
        have="$(docker image inspect --format '{{index .Config.Labels "org.cs224n.base.key"}}' "$image" 2>/dev/null || true)"
        if [ "$have" = "$key" ]; then
            cs224n_docker_log "$image exists: nothing to do (--rebuild to force)"
            return 0
        fi
        cs224n_docker_log "$image was built with other settings ($have): rebuilding"
    fi
    command -v debootstrap >/dev/null 2>&1 || { cs224n_docker_die "debootstrap missing: run 'bash .ci/docker.sh up'"; return 1; }
    mkdir -p "$CS224N_BASE_CACHE"
    (
        flock -w 1800 9 || { cs224n_docker_die "timed out waiting for $CS224N_BASE_CACHE/.$name.lock"; exit 1; }
        set -euo pipefail
        rootfs="$CS224N_BASE_CACHE/$name"
        if [ "$rebuild" -eq 1 ] || [ "$(cat "$rootfs.key" 2>/dev/null || true)" != "$key" ]; then
            rm -rf "$rootfs" "$rootfs.key"
        fi
        if [ ! -d "$rootfs" ]; then
            mirror="$(cs224n_docker_mirror)"
            tmp="$rootfs.tmp"
            rm -rf "$tmp"
            keyring=()
            [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] \
                && keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
            cs224n_docker_log "debootstrap $CS224N_DEBIAN_SUITE (minbase + $include) into $tmp"
            if ! debootstrap --variant=minbase --include="$include" "${keyring[@]}" \
                    "$CS224N_DEBIAN_SUITE" "$tmp" "$mirror" >"$CS224N_BASE_CACHE/$name.debootstrap.log" 2>&1; then
                tail -n 30 "$CS224N_BASE_CACHE/$name.debootstrap.log" >&2
                [ -f "$tmp/debootstrap/debootstrap.log" ] && tail -n 30 "$tmp/debootstrap/debootstrap.log" >&2
                cs224n_docker_die "debootstrap failed (log: $CS224N_BASE_CACHE/$name.debootstrap.log)"
                exit 1
            fi
            # an image has no init: keep apt from trying to start services in derived builds
            printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
            chmod 755 "$tmp/usr/sbin/policy-rc.d"
            mv "$tmp" "$rootfs"
            echo "$key" >"$rootfs.key"
        else
            cs224n_docker_log "using cached root file system $rootfs"
        fi
        cs224n_docker_log "importing $rootfs as $image"
        tar -C "$rootfs" --numeric-owner \
            --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' \
            --exclude='./tmp/*' --exclude='./var/cache/apt/archives/*.deb' \
            --exclude='./var/lib/apt/lists/*' --exclude='./debootstrap' \
            --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' \
            --exclude='./usr/share/info/*' \
            -cf - . \
        | docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV LANG=C.UTF-8' \
            --change "LABEL org.cs224n.base.key=\"$key\"" \
            --change 'CMD ["python3"]' \
            --message "debootstrap $CS224N_DEBIAN_SUITE minbase" \
            - "$image" >/dev/null
        cs224n_docker_log "built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
    ) 9>"$CS224N_BASE_CACHE/.$name.lock"
}

# --- CLI -----------------------------------------------------------------------------------

cs224n_docker_main() {
    set -euo pipefail
    local cmd="${1:-}"
    [ $# -gt 0 ] && shift
    case "$cmd" in
        up) cs224n_docker_up ;;
        down) cs224n_docker_down ;;
        status) cs224n_docker_status ;;
        base) cs224n_docker_base "$@" ;;
        services-base) cs224n_docker_services_base "$@" ;;
        mirror) cs224n_docker_mirror ;;
        install) cs224n_docker_install ;;
        -h|--help|help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
        *) echo "usage: $0 up|down|status|base|services-base [--rebuild]|mirror|install|help (got '${cmd}')" >&2
           return 2 ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cs224n_docker_main "$@"
fi
