# Rapport's image: docs/deploy.md. Two stages: the build stage makes a virtual
# environment with Rapport and its dependencies (all published as wheels: no compiler
# is needed or installed); the final stage copies that environment onto the same slim
# Python base and runs it as an unprivileged user. Linted by hadolint (make lint).
#
#   docker build -t rapport .
#   docker run rapport db upgrade        # the migration Job (owner role)
#   docker run -p 8000:8000 rapport      # rapport run --no-migrate: the web server
#   docker run rapport worker            # outbox, reminders, periodic work
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/rapport
COPY pyproject.toml setup.py README.md ./
COPY platform ./platform
COPY plugins ./plugins
RUN /opt/rapport/bin/pip install --no-compile . \
    && /opt/rapport/bin/python -m compileall -q /opt/rapport/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="Rapport" \
      org.opencontainers.image.description="Multi-tenant CRM platform with industry plugins"
RUN groupadd --system --gid 10001 rapport \
    && useradd --system --uid 10001 --gid rapport --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin rapport
COPY --from=build /opt/rapport /opt/rapport
# The data folder only holds a development secret or mail written to files; production
# sets RAPPORT_SECRET_KEY, RAPPORT_DATABASE_URL and RAPPORT_SMTP_URL (the chart does), and
# the root filesystem can stay read-only.
ENV PATH=/opt/rapport/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RAPPORT_HOST=0.0.0.0 \
    RAPPORT_PORT=8000 \
    RAPPORT_DATA_DIR=/tmp/rapport \
    RAPPORT_LOG_JSON=1
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('RAPPORT_PORT', '8000') + '/healthz', timeout=4)"]
ENTRYPOINT ["rapport"]
CMD ["run", "--no-migrate"]
