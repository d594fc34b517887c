# syntax=docker/dockerfile:1
# The ClusterHub production image: gunicorn serving clusterhub:create_app() on port 8000.
#   docker build -t clusterhub:$(git describe --tags --always) .

# The same minor version as .python-version (local machines and CI) and the locks in requirements/.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: install the package and its dependencies into a virtualenv, compile translations ---
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Exactly the locked versions, each checked against its hash (`make lock` writes them); this layer is
# rebuilt only when a lock changes. Every dependency ships wheels for this platform, so no compiler is
# installed even here.
COPY requirements/build.txt requirements/runtime.txt ./requirements/
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --require-hashes -r requirements/build.txt \
 && pip install --require-hashes -r requirements/runtime.txt
# The application itself, with no dependency resolution left to chance.
COPY pyproject.toml README.md ./
COPY platform ./platform
RUN pip install --no-deps --no-build-isolation . \
 && pip uninstall -y -q setuptools wheel \
 && python -m compileall -q /opt/venv

# .mo files are build output, never committed: compile them here so the image is self-contained.
COPY translations ./translations
RUN pybabel compile -d translations -D messages

# --- runtime: the virtualenv and the app's data folders, nothing else ---
FROM ${PYTHON_IMAGE} AS runtime

ARG APP_UID=10001
RUN groupadd --system --gid ${APP_UID} clusterhub \
 && useradd --system --uid ${APP_UID} --gid clusterhub --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin clusterhub

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLASK_APP=clusterhub \
    CLUSTERHUB_ENV=production \
    STORAGE_LOCAL_PATH=/app/uploads

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Owned by root and read-only to the app user: the container may run with a read-only root file system.
# `flask db upgrade` and `flask tenants sync` read migrations/ and tenants/ from here.
COPY gunicorn.conf.py ./
COPY migrations ./migrations
COPY tenants ./tenants
COPY --from=build /src/translations ./translations
# The only writable place, for LocalStorage uploads; in Kubernetes a volume is mounted over it.
RUN mkdir -p /app/uploads && chown clusterhub:clusterhub /app/uploads

USER ${APP_UID}:${APP_UID}
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# gunicorn reads ./gunicorn.conf.py, which names the app and reads every setting from the environment.
CMD ["gunicorn"]
