# syntax=docker/dockerfile:1
# The gateway's image: the reference page built with Node, the locked dependencies installed
# with their hashes, and a slim runtime that runs as a non-root user.
#
#   docker build -t spo-gateway .
#   docker run -p 8000:8000 -e SPO_CONFIG=/etc/spo/config.toml -v $PWD/prod.toml:/etc/spo/config.toml:ro spo-gateway
#
# Kubernetes: deploy/k8s/ (README, "Deployment").

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- the page: web/ built to web/dist (the gateway serves it at /) -------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema.graphql /src/schema.graphql
COPY web/ ./
RUN npm run build

# --- Python: the runtime lock with hashes, then the project without its dependencies -----------
FROM ${PYTHON_IMAGE} AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/spo
COPY requirements/runtime.txt /tmp/runtime.txt
RUN /opt/spo/bin/pip install --require-hashes -r /tmp/runtime.txt
WORKDIR /app
COPY pyproject.toml ./
COPY domain/ domain/
COPY connectors/ connectors/
COPY store/ store/
COPY resolvers/ resolvers/
COPY gateway/ gateway/
COPY simulators/ simulators/
# Editable, so the code stays at /app beside web/dist, where gateway/web.py looks for the page;
# no build isolation: the build backend comes from the lock too.
RUN /opt/spo/bin/pip install --no-deps --no-build-isolation -e . \
    && /opt/spo/bin/pip check \
    && /opt/spo/bin/python -m compileall -q /app

# --- runtime -----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 spo \
    && useradd --system --uid 10001 --gid spo --home-dir /app --no-create-home --shell /usr/sbin/nologin spo
COPY --from=python /opt/spo /opt/spo
COPY --from=python /app /app
COPY --from=web /src/web/dist /app/web/dist
WORKDIR /app
# Listen on every interface of the container; production settings come from SPO_CONFIG and SPO_*.
ENV PATH=/opt/spo/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SPO_HOST=0.0.0.0 \
    SPO_PORT=8000 \
    SPO_DEV_MODE=0
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('SPO_PORT', '8000') + '/healthz', timeout=2)"]
ENTRYPOINT ["spo"]
CMD ["serve"]
