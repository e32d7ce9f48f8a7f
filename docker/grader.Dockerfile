# Grader image: cs224n-ps1[course,service] (nbgrader, jupyter, numpy, the service's Celery and
# PostgreSQL driver, ...) in /opt/venv, installed
# only from wheels in the build context, so the build needs no network.
#
# The context is made by docker/build.sh:
#   wheels/   a wheel for every dependency, and requirements.txt pinning them (docker/wheels.sh)
#   project/  the project's own wheel (cs224n_ps1-*.whl)
# The dependency layer is cached as long as wheels/ is unchanged; a code change only
# reinstalls the project's small wheel.
#
# BASE_IMAGE: python:3.11-slim for people with a registry; CI uses cs224n/base:bookworm
# (debootstrap, Debian's python3 + python3-venv; see .ci/docker.sh base).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PIP_CONFIG_FILE=/dev/null
RUN python3 -m venv /opt/venv
COPY wheels/ /wheels/
RUN /opt/venv/bin/pip install --no-index --find-links /wheels -r /wheels/requirements.txt

FROM ${BASE_IMAGE}
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="cs224n-ps1 grader" \
      org.opencontainers.image.description="CS224n assignment 1 autograder (nbgrader) sandbox" \
      org.cs224n.base-image="${BASE_IMAGE}"
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PIP_CONFIG_FILE=/dev/null \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    IPYTHONDIR=/tmp/ipython \
    JUPYTER_RUNTIME_DIR=/tmp/jupyter-runtime
# Writable state goes under /tmp (above), so the container runs with --read-only --tmpfs /tmp.
# /data: the service's uploads and state (a named volume in docker-compose.yml takes over
# this folder's owner when it is first mounted)
RUN useradd --uid 1000 --user-group --create-home --shell /bin/sh grader \
 && useradd --uid 1001 --user-group --create-home --shell /bin/sh student \
 && mkdir -p /work /data \
 && chown grader:grader /work /data
COPY --from=deps /opt/venv /opt/venv
COPY project/ /tmp/project/
# the dependencies are installed already: this only adds the project, and fails if the
# wheels set no longer satisfies cs224n-ps1[course,service]
RUN pip install --no-index --find-links /tmp/project "cs224n-ps1[course,service]" \
 && pip check \
 && rm -rf /tmp/project /tmp/* \
 && python -c "import numpy, nbgrader, nbclient, ipykernel, celery, psycopg"
WORKDIR /work
USER grader
# The autograder CLI; any other program: docker run --entrypoint python IMAGE -c ...
ENTRYPOINT ["autograder"]
CMD ["--help"]
