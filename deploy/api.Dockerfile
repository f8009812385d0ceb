# syntax=docker/dockerfile:1
#
# Trove API image: the `trove-api` server plus the `migration` CLI, so the same image
# runs `/app/migration up` as an init/job step before the API starts.
#
#   docker build -f deploy/api.Dockerfile -t trove-api .
#
# The build context is the repository root (see /.dockerignore).

FROM rust:1.95-bookworm AS build
WORKDIR /app
COPY . .
# The registry and target dirs live in BuildKit cache mounts, so rebuilds only recompile
# what changed. A cache mount is not part of the image layer, hence the binaries are
# copied out to /out within the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --profile dist --locked -p trove-api --bin trove-api \
 && cargo build --profile dist --locked -p migration --bin migration \
 && mkdir -p /out \
 && cp target/dist/trove-api target/dist/migration /out/

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
COPY --from=build /out/trove-api /out/migration /app/
ENV TROVE_CONFIG_DIR=/app/config \
    TROVE__SERVER__HOST=0.0.0.0
# Numeric so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 3000
ENTRYPOINT ["/app/trove-api"]
