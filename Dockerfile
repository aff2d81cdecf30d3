# The one image every Komek container runs (compose.yml): `komek serve`, `komek worker`,
# `komek db upgrade`. Built by the operator, not in CI.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY casework ./casework
COPY gateway ./gateway
COPY bot ./bot
COPY dialogs ./dialogs
COPY locales ./locales
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data komek \
    && mkdir -p /data/files \
    && chown -R komek /data

USER komek
WORKDIR /data
ENV KOMEK_FILES_DIR=/data/files \
    KOMEK_LOG_FORMAT=json
EXPOSE 8000
ENTRYPOINT ["komek"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
