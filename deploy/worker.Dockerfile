# syntax=docker/dockerfile:1
#
# Trove worker image: the `trove-worker` job consumer.
#
#   docker build -f deploy/worker.Dockerfile -t trove-worker .
#
# The build context is the repository root (see /.dockerignore).

FROM rust:1.95-bookworm AS build
WORKDIR /app
COPY . .
# The registry and target dirs live in BuildKit cache mounts, so rebuilds only recompile
# what changed. A cache mount is not part of the image layer, hence the binary is
# copied out to /out within the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --profile dist --locked -p trove-worker --bin trove-worker \
 && mkdir -p /out \
 && cp target/dist/trove-worker /out/

FROM debian:bookworm-slim AS runtime
# TLS everywhere is rustls; the system CA bundle is the only native dependency.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 trove \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin trove
WORKDIR /app
# Files stay root-owned: the process only reads them.
COPY config/ /app/config/
COPY --from=build /out/trove-worker /app/
ENV TROVE_CONFIG_DIR=/app/config \
    TROVE__SERVER__HOST=0.0.0.0 \
    TROVE__WORKER__METRICS_PORT=9090
EXPOSE 9090
# Numeric so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENTRYPOINT ["/app/trove-worker"]
