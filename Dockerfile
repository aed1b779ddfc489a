# Backprop Explorer: FastAPI server + pure-NumPy engine + static front end.
# Build:  docker build -t backprop-explorer .
# Run:    docker run --rm -p 8000:8000 -v bpe-data:/data backprop-explorer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BPE_DB_PATH=/data/explorer.db \
    PATH=/app/.venv/bin:$PATH

# Unprivileged user; /data holds the SQLite database and is a volume.
RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p /app /data \
    && chown app:app /app /data

WORKDIR /app
COPY --chown=10001:10001 . /app
USER 10001:10001

# The install command below is deliberately IDENTICAL to the one in scripts/start.sh
# (tests/test_dockerfile.py checks this): a venv at /app/.venv, then the same pip line.
RUN python3 -m venv .venv \
    && .venv/bin/pip install --quiet --no-cache-dir -e .

VOLUME ["/data"]
EXPOSE 8000

# python:3.11-slim has no curl; probe /healthz with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["backprop-explorer", "serve", "--host", "0.0.0.0", "--port", "8000", "--db", "/data/explorer.db"]
