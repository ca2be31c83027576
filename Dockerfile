# newsradar's image: the worker, the feeder and the CLI (`newsradar ...`).

# ---- build: a virtualenv with the dependencies (own cached layer), then the project
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A venv starts with the pip its Python bundles: 24.0 in python:3.11.11, 23.x in older or
# Debian builds, which fail to match the extra `html_clean` justext asks of lxml with lxml's
# `html-clean` (a warning on every build) and carry published advisories (CVE-2023-5752,
# CVE-2025-8869). The same upgrade as .ci/run's.
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade "pip>=25.3"
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml ./
# Only pyproject.toml is copied so far: this layer is rebuilt when dependencies change,
# not when the code does.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt
COPY README.md ./
COPY schemas ./schemas
COPY streams ./streams
RUN pip install --no-deps .

# ---- runtime: the virtualenv and the demo set, run as an unprivileged user
FROM python:3.11.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    NEWSRADAR_WEB__HOST=0.0.0.0 NEWSRADAR_WORKER__DATA_DIR=/var/lib/newsradar/faust
RUN useradd --uid 10001 --home-dir /var/lib/newsradar --create-home --shell /usr/sbin/nologin newsradar
COPY --from=build /opt/venv /opt/venv
COPY ops/demo /opt/newsradar/demo
COPY tests/fixtures/seed-article.txt /opt/newsradar/demo/seed-article.txt
USER newsradar
WORKDIR /var/lib/newsradar
EXPOSE 6066
# Fails when the worker is not consuming (see `newsradar health --help`).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["newsradar", "health"]
ENTRYPOINT ["newsradar"]
CMD ["worker"]
