# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
ARG GO_VERSION=1.22 NODE_VERSION="20"
ARG BASE=alpine:3.20

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" \
    GOCACHE=/root/.cache/go-build
COPY --link go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod,sharing=locked \
    --mount=type=cache,target=/root/.cache/go-build \
    go mod download
COPY --link --exclude=*.md --exclude=docs . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=secret,id=netrc,target=/root/.netrc,required \
    --mount=type=ssh \
    go build -ldflags "-s -w -X main.version=${VERSION:-dev}" -o /out/app ./cmd/app && \
    # strip symbols
    strip /out/app || true

FROM node:${NODE_VERSION}-alpine AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
RUN <<EOF
set -eux
npm run build
find dist -name '*.map' -delete
EOF

FROM ${BASE} AS runtime
LABEL org.opencontainers.image.title="app" \
      org.opencontainers.image.source="https://example.com/app" \
      maintainer="Ops Team <ops@example.com>"
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S app \
 && adduser -S -G app -h /home/app app
COPY --from=build --chown=app:app --chmod=0755 /out/app /usr/local/bin/app
COPY --from=web --chown=app:app /web/dist /srv/www
COPY <<-"CONF" /etc/app/config.yaml
	listen: :8080
	root: /srv/www
	CONF
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD --keep-git-dir=true https://github.com/example/repo.git#v1.0.0 /opt/repo
EXPOSE 8080/tcp 9090
VOLUME ["/var/lib/app", "/var/log/app"]
USER app:app
WORKDIR /home/app
ENV PATH=/usr/local/bin:$PATH HOME=/home/app
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --start-interval=1s --retries=3 \
  CMD ["wget", "-qO-", "http://localhost:8080/healthz"]
ONBUILD COPY . /app/src
ONBUILD RUN make -C /app/src
SHELL ["/bin/sh", "-eo", "pipefail", "-c"]
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["serve", "--config", "/etc/app/config.yaml"]
