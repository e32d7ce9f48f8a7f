# Kernel image (cs224n/kernel:latest): where the docker sandbox backend runs student code.
#
# Only what student notebooks and the in-sandbox runner import -- numpy, scipy, scikit-learn,
# matplotlib, tqdm, ipython, nbformat -- in /opt/venv, installed from wheels in the build
# context with no network. Nothing of this project is in it: the runner is copied into each
# container at run time (read-only, /opt/grader), and solutions or checks never are.
# The package list must match RUNTIME_PACKAGES in autograder/sandbox/runtime.py (a test checks).
#
# Build (the context's wheels/ comes from docker/wheels.sh, as for the grader image):
#   bash docker/build.sh --dockerfile docker/kernel.Dockerfile --tag cs224n/kernel:latest \
#       [--base cs224n/base:bookworm]
#
# BASE_IMAGE: python:3.11-slim for people with a registry; CI uses cs224n/base:bookworm.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS deps
ARG RUNTIME_PACKAGES="numpy scipy scikit-learn matplotlib tqdm ipython nbformat"
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PIP_CONFIG_FILE=/dev/null
RUN python3 -m venv /opt/venv
COPY wheels/ /wheels/
# the versions pinned for the grader image (requirements.txt) constrain these, when present
RUN if [ -f /wheels/requirements.txt ]; then set -- -c /wheels/requirements.txt; fi \
 && /opt/venv/bin/pip install --no-index --find-links /wheels "$@" ${RUNTIME_PACKAGES}

FROM ${BASE_IMAGE}
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="cs224n-ps1 kernel" \
      org.opencontainers.image.description="Runtime for sandboxed CS224n notebooks (no grader code)" \
      org.cs224n.base-image="${BASE_IMAGE}"
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    IPYTHONDIR=/tmp/ipython \
    HOME=/job
# /job and /opt/grader are mount points: the backend mounts size-limited tmpfs of the container there
RUN useradd --uid 1001 --user-group --no-create-home --home-dir /job --shell /usr/sbin/nologin student \
 && mkdir -p /job /opt/grader \
 && chown student:student /job
COPY --from=deps /opt/venv /opt/venv
RUN python -c "import numpy, scipy, sklearn, matplotlib, tqdm, IPython, nbformat"
# matplotlib's font cache, built once: the runner copies it into each sandbox's MPLCONFIGDIR
# ($CS224N_MPL_CACHE), so notebooks that plot skip the font scan
RUN mkdir -p /opt/site \
 && MPLCONFIGDIR=/opt/site/.matplotlib python -c "import matplotlib; matplotlib.use('Agg'); import matplotlib.font_manager" \
 && chmod -R a+rX /opt/site
WORKDIR /job
USER 1001:1001
CMD ["python"]
