# syntax=docker/dockerfile:1
# Multi-stage build of the chihoi API: a Rust build stage, then a small Debian runtime image
# running as an unprivileged user. (No Docker engine runs on the development machines of this
# project; this file is kept correct by review. See README "Docker".)

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that source edits reuse the cached dependency layer.
COPY Cargo.toml Cargo.lock ./
COPY api/Cargo.toml api/Cargo.toml
COPY tests/Cargo.toml tests/Cargo.toml
RUN mkdir -p api/src tests/api \
    && echo 'fn main() {}' > api/src/main.rs && touch api/src/lib.rs \
    && echo '' > tests/lib.rs && echo '' > tests/api/main.rs \
    && cargo build --release --locked -p chihoi \
    && rm -rf api/src tests/lib.rs tests/api
COPY api api
COPY tests tests
COPY migrations migrations
ARG CHIHOI_BUILD=docker
ENV CHIHOI_BUILD=${CHIHOI_BUILD}
RUN touch api/src/main.rs api/src/lib.rs && cargo build --release --locked -p chihoi

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin chihoi
COPY --from=build /src/target/release/chihoi /usr/local/bin/chihoi
USER 10001:10001
ENV CHIHOI_ENV=production \
    CHIHOI_BIND=0.0.0.0:8080 \
    CHIHOI_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/chihoi"]
CMD ["serve"]
