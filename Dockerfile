# One Dockerfile for every binary of the workspace, one target each:
#
#   docker build --target catalog-service -t pact-rust-demo/catalog-service .
#
# targets: accounting-service cart-service catalog-service inventory-service item-service
#          pact-broker. (The dev image of docker-compose.dev.yml is docker/Dockerfile.dev, apart so
#          that building it can never build the release stage.)
#
# The build stage compiles all six binaries in one cargo call, with target/ in a BuildKit cache
# mount kept between builds: every target copies its own binary out of it, building all targets
# compiles the workspace once, and after an edit cargo rebuilds only the crates that changed
# (docker/changed-sources.sh keeps mtimes honest). Needs BuildKit (DOCKER_BUILDKIT=1, the
# default since Docker 23; scripts/compose.sh turns it on). The base images are build args, so a
# machine with no registry access can name local images (scripts/docker-base-images.sh makes both).
ARG RUST_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${RUST_IMAGE} AS build
# release: small, fast binaries (the default); dev: a much quicker build for trying things out.
ARG CARGO_PROFILE=release
# true when the crates are already in the image's cargo cache and there is no network.
ARG CARGO_NET_OFFLINE=false
ENV PACT_DO_NOT_TRACK=true \
    CARGO_TERM_COLOR=never \
    CARGO_NET_OFFLINE=${CARGO_NET_OFFLINE}
WORKDIR /src
ARG BINS="accounting-service cart-service catalog-service inventory-service item-service pact-broker"
COPY Cargo.toml Cargo.lock topology.txt ./
COPY .cargo .cargo
COPY service-kit service-kit
COPY contract-testing contract-testing
COPY accounting-service accounting-service
COPY cart-service cart-service
COPY catalog-service catalog-service
COPY inventory-service inventory-service
COPY item-service item-service
COPY pact-broker pact-broker
COPY verify-pacts verify-pacts
COPY chaos chaos
COPY docker/changed-sources.sh /usr/local/bin/changed-sources
RUN --mount=type=cache,id=pact-rust-demo-target,target=/src/target,sharing=locked \
    set -eu; \
    changed-sources touch; \
    packages=""; for bin in $BINS; do packages="$packages -p $bin"; done; \
    cargo build --locked --profile "$CARGO_PROFILE" --bins $packages; \
    changed-sources save; \
    case "$CARGO_PROFILE" in dev) out=debug ;; *) out=$CARGO_PROFILE ;; esac; \
    mkdir -p /out; \
    for bin in $BINS; do install -m 0755 "target/$out/$bin" /out/; done

# ---------------------------------------------------------------------------------------------
# What every service image shares: a non-root user, /data (a volume: the SQLite file lives
# there), CA certificates, listening on every interface of the container, and a bash-only
# healthcheck.
FROM ${RUNTIME_IMAGE} AS runtime
RUN set -eu; \
    groupadd --system --gid 10001 app; \
    useradd --system --uid 10001 --gid app --home-dir /data --no-create-home --shell /usr/sbin/nologin app; \
    mkdir -p /data; chown app:app /data
COPY docker/healthcheck.sh /usr/local/bin/healthcheck
# The CA bundle rustls loads in a build with `--features tls` (https neighbours; the default build
# talks plain HTTP and has no TLS); copied, so this stage needs no apt and no network.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV BIND_ADDRESS=0.0.0.0 \
    RUST_LOG=info \
    PACT_DO_NOT_TRACK=true
WORKDIR /data
VOLUME ["/data"]
USER app
# The binaries shut down gracefully on SIGTERM (and SIGINT); compose also sets init: true.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=6 CMD ["healthcheck", "/health"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS accounting-service
ENV PORT=8001 DATABASE_PATH=/data/accounting-service.db
COPY --from=build /out/accounting-service /usr/local/bin/
EXPOSE 8001
ENTRYPOINT ["/usr/local/bin/accounting-service"]

FROM runtime AS inventory-service
ENV PORT=8002 DATABASE_PATH=/data/inventory-service.db
COPY --from=build /out/inventory-service /usr/local/bin/
EXPOSE 8002
ENTRYPOINT ["/usr/local/bin/inventory-service"]

FROM runtime AS item-service
ENV PORT=8003 DATABASE_PATH=/data/item-service.db
COPY --from=build /out/item-service /usr/local/bin/
EXPOSE 8003
ENTRYPOINT ["/usr/local/bin/item-service"]

FROM runtime AS cart-service
ENV PORT=8004 DATABASE_PATH=/data/cart-service.db CATALOG_SERVICE_URL=http://catalog-service:8005
COPY --from=build /out/cart-service /usr/local/bin/
EXPOSE 8004
ENTRYPOINT ["/usr/local/bin/cart-service"]

FROM runtime AS catalog-service
ENV PORT=8005 DATABASE_PATH=/data/catalog-service.db \
    ACCOUNTING_SERVICE_URL=http://accounting-service:8001 \
    INVENTORY_SERVICE_URL=http://inventory-service:8002 \
    ITEM_SERVICE_URL=http://item-service:8003
COPY --from=build /out/catalog-service /usr/local/bin/
EXPOSE 8005
ENTRYPOINT ["/usr/local/bin/catalog-service"]

# The workspace's own Pact Broker (SQLite), for machines that cannot pull pactfoundation/pact-broker.
FROM runtime AS pact-broker
ENV PORT=9292 DATABASE_PATH=/data/pact-broker.db
COPY --from=build /out/pact-broker /usr/local/bin/
EXPOSE 9292
ENTRYPOINT ["/usr/local/bin/pact-broker"]
