# Memory Garden as a single-user Jupyter image, for JupyterHub and Binder.
#
#   docker build -t memgarden .                          # the STUDENT edition (default)
#   docker build -t memgarden-full --build-arg EDITION=full .   # the whole repo, solutions included
#   docker run --rm -p 8888:8888 memgarden jupyter notebook --ip=0.0.0.0
#
# EDITION=student (the default, for a class): a first stage runs
# `deno task release` and the final image holds only its output: the lessons
# with stubs in place of solutions, the library without the hidden tests, the
# data. No solution and no hidden test is in any layer of the final image.
# EDITION=full: the repository as it is (lessons with their solutions, the
# hidden tests), for public readers and instructors; never for a class.
#
# Zero to JupyterHub: `singleuser.image.name`/`tag` = this image; its command,
# jupyterhub-singleuser, is what the hub expects. The Littlest JupyterHub:
# install it with the tljh-repo2docker plug-in, which builds this file with
# repo2docker as a user environment (README, "Running a class").
# Binder (repo2docker builds this file with NB_USER and NB_UID build args and
# starts `jupyter notebook ...` in place of the command).
#
# The course lives in /opt/memgarden, not in the home folder: hubs mount a
# persistent volume over the home folder, hiding whatever the image put there.
# At each start, docker/memgarden-start (the entry point) links the library and
# configuration into ~/memgarden and copies the lessons there only when they
# are missing: a student's saved notebook is never overwritten.
#
# The build runs the same set-up as `./garden setup` (its apt step as root,
# then the rest as the user: Deno from npm into .tools/, the locked npm
# packages into Deno's cache); CI runs `./garden setup` and checks this
# file's shape (tests/exercise/gradescope_test.ts) but builds no image: there
# is no Docker engine on CI.

ARG EDITION=student

# --- The system: Debian 12 with Node.js 20 (which garden installs Deno with), a
# non-root user, garden's Debian packages, and jupyterhub for its single-user server.
FROM node:20-bookworm-slim AS system
ARG NB_USER=jovyan
ARG NB_UID=1000
ENV NB_USER=${NB_USER} NB_UID=${NB_UID} USER=${NB_USER} HOME=/home/${NB_USER} \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    DENO_DIR=/opt/memgarden-cache/deno
# The node image already has a user with UID 1000: give that UID to NB_USER.
RUN if getent passwd "${NB_UID}" >/dev/null; then userdel -r "$(getent passwd "${NB_UID}" | cut -d: -f1)"; fi \
 && useradd --create-home --uid "${NB_UID}" --shell /bin/bash "${NB_USER}" \
 && mkdir -p /opt/memgarden /opt/memgarden-cache \
 && chown "${NB_UID}:${NB_UID}" /opt/memgarden /opt/memgarden-cache
COPY garden /usr/local/lib/memgarden/garden
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates jupyterhub \
 && /usr/local/lib/memgarden/garden setup-apt \
 && rm -rf /var/lib/apt/lists/*
# Where the lessons open, for jupyterhub-singleuser and for Binder's `jupyter notebook`.
RUN mkdir -p /etc/jupyter \
 && printf '%s\n' 'c.NotebookApp.default_url = "/tree/memgarden/notebooks"' \
    'c.ServerApp.default_url = "/tree/memgarden/notebooks"' \
    > /etc/jupyter/jupyter_notebook_config.py

# --- The whole repository, set up (the full edition, and the source of the release).
FROM system AS full
USER ${NB_USER}
WORKDIR /opt/memgarden
COPY --chown=${NB_UID}:${NB_UID} . .
RUN ./garden setup

# --- The student edition: `deno task release` in the full tree, then only its output.
FROM full AS release
RUN .tools/node_modules/.bin/deno run -A --frozen tools/release.ts --out /tmp/student-edition

FROM system AS student
USER ${NB_USER}
WORKDIR /opt/memgarden
COPY --from=release --chown=${NB_UID}:${NB_UID} /tmp/student-edition/ ./
# Deno as the full stage installed it (garden finds it and checks its version).
COPY --from=release --chown=${NB_UID}:${NB_UID} /opt/memgarden/.tools ./.tools
COPY --chown=${NB_UID}:${NB_UID} docker/memgarden-start docker/memgarden-start
RUN ./garden setup

# --- The image: the chosen edition, Deno on PATH, the Deno kernel registered.
FROM ${EDITION} AS image
USER root
RUN ln -sf /opt/memgarden/docker/memgarden-start /usr/local/bin/memgarden-start
USER ${NB_USER}
ENV JUPYTER_PATH=/opt/memgarden/.jupyter \
    PATH=/opt/memgarden/.tools/node_modules/.bin:${PATH}
WORKDIR ${HOME}
EXPOSE 8888
ENTRYPOINT ["memgarden-start"]
# The hub passes the address and port in the environment (JUPYTERHUB_SERVICE_URL).
CMD ["jupyterhub-singleuser"]
