# syntax=docker/dockerfile:1
ARG BASE=debian:bookworm

FROM ${BASE} AS stage0
ENV STAGE=0 PATH=/opt/s0/bin:$PATH LANG=C.UTF-8
LABEL stage="0" description="generated stage number 0"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage0 --chown=1000:1000 /opt/s0 /opt/s0
RUN <<EOF
set -e
echo building 0
make -j8 -C /opt/s0 all install PREFIX=/opt/s0
EOF
WORKDIR /opt/s0
EXPOSE 8000
HEALTHCHECK --interval=10s CMD ["/opt/s0/bin/check"]
CMD ["/opt/s0/bin/run", "--stage", "0"]

FROM ${BASE} AS stage1
ENV STAGE=1 PATH=/opt/s1/bin:$PATH LANG=C.UTF-8
LABEL stage="1" description="generated stage number 1"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage0 --chown=1000:1000 /opt/s0 /opt/s1
RUN <<EOF
set -e
echo building 1
make -j8 -C /opt/s1 all install PREFIX=/opt/s1
EOF
WORKDIR /opt/s1
EXPOSE 8001
HEALTHCHECK --interval=10s CMD ["/opt/s1/bin/check"]
CMD ["/opt/s1/bin/run", "--stage", "1"]

FROM ${BASE} AS stage2
ENV STAGE=2 PATH=/opt/s2/bin:$PATH LANG=C.UTF-8
LABEL stage="2" description="generated stage number 2"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage1 --chown=1000:1000 /opt/s1 /opt/s2
RUN <<EOF
set -e
echo building 2
make -j8 -C /opt/s2 all install PREFIX=/opt/s2
EOF
WORKDIR /opt/s2
EXPOSE 8002
HEALTHCHECK --interval=10s CMD ["/opt/s2/bin/check"]
CMD ["/opt/s2/bin/run", "--stage", "2"]

FROM ${BASE} AS stage3
ENV STAGE=3 PATH=/opt/s3/bin:$PATH LANG=C.UTF-8
LABEL stage="3" description="generated stage number 3"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage2 --chown=1000:1000 /opt/s2 /opt/s3
RUN <<EOF
set -e
echo building 3
make -j8 -C /opt/s3 all install PREFIX=/opt/s3
EOF
WORKDIR /opt/s3
EXPOSE 8003
HEALTHCHECK --interval=10s CMD ["/opt/s3/bin/check"]
CMD ["/opt/s3/bin/run", "--stage", "3"]

FROM ${BASE} AS stage4
ENV STAGE=4 PATH=/opt/s4/bin:$PATH LANG=C.UTF-8
LABEL stage="4" description="generated stage number 4"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage3 --chown=1000:1000 /opt/s3 /opt/s4
RUN <<EOF
set -e
echo building 4
make -j8 -C /opt/s4 all install PREFIX=/opt/s4
EOF
WORKDIR /opt/s4
EXPOSE 8004
HEALTHCHECK --interval=10s CMD ["/opt/s4/bin/check"]
CMD ["/opt/s4/bin/run", "--stage", "4"]

FROM ${BASE} AS stage5
ENV STAGE=5 PATH=/opt/s5/bin:$PATH LANG=C.UTF-8
LABEL stage="5" description="generated stage number 5"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage4 --chown=1000:1000 /opt/s4 /opt/s5
RUN <<EOF
set -e
echo building 5
make -j8 -C /opt/s5 all install PREFIX=/opt/s5
EOF
WORKDIR /opt/s5
EXPOSE 8005
HEALTHCHECK --interval=10s CMD ["/opt/s5/bin/check"]
CMD ["/opt/s5/bin/run", "--stage", "5"]

FROM ${BASE} AS stage6
ENV STAGE=6 PATH=/opt/s6/bin:$PATH LANG=C.UTF-8
LABEL stage="6" description="generated stage number 6"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage5 --chown=1000:1000 /opt/s5 /opt/s6
RUN <<EOF
set -e
echo building 6
make -j8 -C /opt/s6 all install PREFIX=/opt/s6
EOF
WORKDIR /opt/s6
EXPOSE 8006
HEALTHCHECK --interval=10s CMD ["/opt/s6/bin/check"]
CMD ["/opt/s6/bin/run", "--stage", "6"]

FROM ${BASE} AS stage7
ENV STAGE=7 PATH=/opt/s7/bin:$PATH LANG=C.UTF-8
LABEL stage="7" description="generated stage number 7"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage6 --chown=1000:1000 /opt/s6 /opt/s7
RUN <<EOF
set -e
echo building 7
make -j8 -C /opt/s7 all install PREFIX=/opt/s7
EOF
WORKDIR /opt/s7
EXPOSE 8007
HEALTHCHECK --interval=10s CMD ["/opt/s7/bin/check"]
CMD ["/opt/s7/bin/run", "--stage", "7"]

FROM ${BASE} AS stage8
ENV STAGE=8 PATH=/opt/s8/bin:$PATH LANG=C.UTF-8
LABEL stage="8" description="generated stage number 8"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage7 --chown=1000:1000 /opt/s7 /opt/s8
RUN <<EOF
set -e
echo building 8
make -j8 -C /opt/s8 all install PREFIX=/opt/s8
EOF
WORKDIR /opt/s8
EXPOSE 8008
HEALTHCHECK --interval=10s CMD ["/opt/s8/bin/check"]
CMD ["/opt/s8/bin/run", "--stage", "8"]

FROM ${BASE} AS stage9
ENV STAGE=9 PATH=/opt/s9/bin:$PATH LANG=C.UTF-8
LABEL stage="9" description="generated stage number 9"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage8 --chown=1000:1000 /opt/s8 /opt/s9
RUN <<EOF
set -e
echo building 9
make -j8 -C /opt/s9 all install PREFIX=/opt/s9
EOF
WORKDIR /opt/s9
EXPOSE 8009
HEALTHCHECK --interval=10s CMD ["/opt/s9/bin/check"]
CMD ["/opt/s9/bin/run", "--stage", "9"]

FROM ${BASE} AS stage10
ENV STAGE=10 PATH=/opt/s10/bin:$PATH LANG=C.UTF-8
LABEL stage="10" description="generated stage number 10"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage9 --chown=1000:1000 /opt/s9 /opt/s10
RUN <<EOF
set -e
echo building 10
make -j8 -C /opt/s10 all install PREFIX=/opt/s10
EOF
WORKDIR /opt/s10
EXPOSE 8010
HEALTHCHECK --interval=10s CMD ["/opt/s10/bin/check"]
CMD ["/opt/s10/bin/run", "--stage", "10"]

FROM ${BASE} AS stage11
ENV STAGE=11 PATH=/opt/s11/bin:$PATH LANG=C.UTF-8
LABEL stage="11" description="generated stage number 11"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage10 --chown=1000:1000 /opt/s10 /opt/s11
RUN <<EOF
set -e
echo building 11
make -j8 -C /opt/s11 all install PREFIX=/opt/s11
EOF
WORKDIR /opt/s11
EXPOSE 8011
HEALTHCHECK --interval=10s CMD ["/opt/s11/bin/check"]
CMD ["/opt/s11/bin/run", "--stage", "11"]

FROM ${BASE} AS stage12
ENV STAGE=12 PATH=/opt/s12/bin:$PATH LANG=C.UTF-8
LABEL stage="12" description="generated stage number 12"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage11 --chown=1000:1000 /opt/s11 /opt/s12
RUN <<EOF
set -e
echo building 12
make -j8 -C /opt/s12 all install PREFIX=/opt/s12
EOF
WORKDIR /opt/s12
EXPOSE 8012
HEALTHCHECK --interval=10s CMD ["/opt/s12/bin/check"]
CMD ["/opt/s12/bin/run", "--stage", "12"]

FROM ${BASE} AS stage13
ENV STAGE=13 PATH=/opt/s13/bin:$PATH LANG=C.UTF-8
LABEL stage="13" description="generated stage number 13"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage12 --chown=1000:1000 /opt/s12 /opt/s13
RUN <<EOF
set -e
echo building 13
make -j8 -C /opt/s13 all install PREFIX=/opt/s13
EOF
WORKDIR /opt/s13
EXPOSE 8013
HEALTHCHECK --interval=10s CMD ["/opt/s13/bin/check"]
CMD ["/opt/s13/bin/run", "--stage", "13"]

FROM ${BASE} AS stage14
ENV STAGE=14 PATH=/opt/s14/bin:$PATH LANG=C.UTF-8
LABEL stage="14" description="generated stage number 14"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage13 --chown=1000:1000 /opt/s13 /opt/s14
RUN <<EOF
set -e
echo building 14
make -j8 -C /opt/s14 all install PREFIX=/opt/s14
EOF
WORKDIR /opt/s14
EXPOSE 8014
HEALTHCHECK --interval=10s CMD ["/opt/s14/bin/check"]
CMD ["/opt/s14/bin/run", "--stage", "14"]

FROM ${BASE} AS stage15
ENV STAGE=15 PATH=/opt/s15/bin:$PATH LANG=C.UTF-8
LABEL stage="15" description="generated stage number 15"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage14 --chown=1000:1000 /opt/s14 /opt/s15
RUN <<EOF
set -e
echo building 15
make -j8 -C /opt/s15 all install PREFIX=/opt/s15
EOF
WORKDIR /opt/s15
EXPOSE 8015
HEALTHCHECK --interval=10s CMD ["/opt/s15/bin/check"]
CMD ["/opt/s15/bin/run", "--stage", "15"]

FROM ${BASE} AS stage16
ENV STAGE=16 PATH=/opt/s16/bin:$PATH LANG=C.UTF-8
LABEL stage="16" description="generated stage number 16"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage15 --chown=1000:1000 /opt/s15 /opt/s16
RUN <<EOF
set -e
echo building 16
make -j8 -C /opt/s16 all install PREFIX=/opt/s16
EOF
WORKDIR /opt/s16
EXPOSE 8016
HEALTHCHECK --interval=10s CMD ["/opt/s16/bin/check"]
CMD ["/opt/s16/bin/run", "--stage", "16"]

FROM ${BASE} AS stage17
ENV STAGE=17 PATH=/opt/s17/bin:$PATH LANG=C.UTF-8
LABEL stage="17" description="generated stage number 17"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage16 --chown=1000:1000 /opt/s16 /opt/s17
RUN <<EOF
set -e
echo building 17
make -j8 -C /opt/s17 all install PREFIX=/opt/s17
EOF
WORKDIR /opt/s17
EXPOSE 8017
HEALTHCHECK --interval=10s CMD ["/opt/s17/bin/check"]
CMD ["/opt/s17/bin/run", "--stage", "17"]

FROM ${BASE} AS stage18
ENV STAGE=18 PATH=/opt/s18/bin:$PATH LANG=C.UTF-8
LABEL stage="18" description="generated stage number 18"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage17 --chown=1000:1000 /opt/s17 /opt/s18
RUN <<EOF
set -e
echo building 18
make -j8 -C /opt/s18 all install PREFIX=/opt/s18
EOF
WORKDIR /opt/s18
EXPOSE 8018
HEALTHCHECK --interval=10s CMD ["/opt/s18/bin/check"]
CMD ["/opt/s18/bin/run", "--stage", "18"]

FROM ${BASE} AS stage19
ENV STAGE=19 PATH=/opt/s19/bin:$PATH LANG=C.UTF-8
LABEL stage="19" description="generated stage number 19"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage18 --chown=1000:1000 /opt/s18 /opt/s19
RUN <<EOF
set -e
echo building 19
make -j8 -C /opt/s19 all install PREFIX=/opt/s19
EOF
WORKDIR /opt/s19
EXPOSE 8019
HEALTHCHECK --interval=10s CMD ["/opt/s19/bin/check"]
CMD ["/opt/s19/bin/run", "--stage", "19"]

FROM ${BASE} AS stage20
ENV STAGE=20 PATH=/opt/s20/bin:$PATH LANG=C.UTF-8
LABEL stage="20" description="generated stage number 20"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage19 --chown=1000:1000 /opt/s19 /opt/s20
RUN <<EOF
set -e
echo building 20
make -j8 -C /opt/s20 all install PREFIX=/opt/s20
EOF
WORKDIR /opt/s20
EXPOSE 8020
HEALTHCHECK --interval=10s CMD ["/opt/s20/bin/check"]
CMD ["/opt/s20/bin/run", "--stage", "20"]

FROM ${BASE} AS stage21
ENV STAGE=21 PATH=/opt/s21/bin:$PATH LANG=C.UTF-8
LABEL stage="21" description="generated stage number 21"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage20 --chown=1000:1000 /opt/s20 /opt/s21
RUN <<EOF
set -e
echo building 21
make -j8 -C /opt/s21 all install PREFIX=/opt/s21
EOF
WORKDIR /opt/s21
EXPOSE 8021
HEALTHCHECK --interval=10s CMD ["/opt/s21/bin/check"]
CMD ["/opt/s21/bin/run", "--stage", "21"]

FROM ${BASE} AS stage22
ENV STAGE=22 PATH=/opt/s22/bin:$PATH LANG=C.UTF-8
LABEL stage="22" description="generated stage number 22"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage21 --chown=1000:1000 /opt/s21 /opt/s22
RUN <<EOF
set -e
echo building 22
make -j8 -C /opt/s22 all install PREFIX=/opt/s22
EOF
WORKDIR /opt/s22
EXPOSE 8022
HEALTHCHECK --interval=10s CMD ["/opt/s22/bin/check"]
CMD ["/opt/s22/bin/run", "--stage", "22"]

FROM ${BASE} AS stage23
ENV STAGE=23 PATH=/opt/s23/bin:$PATH LANG=C.UTF-8
LABEL stage="23" description="generated stage number 23"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage22 --chown=1000:1000 /opt/s22 /opt/s23
RUN <<EOF
set -e
echo building 23
make -j8 -C /opt/s23 all install PREFIX=/opt/s23
EOF
WORKDIR /opt/s23
EXPOSE 8023
HEALTHCHECK --interval=10s CMD ["/opt/s23/bin/check"]
CMD ["/opt/s23/bin/run", "--stage", "23"]

FROM ${BASE} AS stage24
ENV STAGE=24 PATH=/opt/s24/bin:$PATH LANG=C.UTF-8
LABEL stage="24" description="generated stage number 24"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage23 --chown=1000:1000 /opt/s23 /opt/s24
RUN <<EOF
set -e
echo building 24
make -j8 -C /opt/s24 all install PREFIX=/opt/s24
EOF
WORKDIR /opt/s24
EXPOSE 8024
HEALTHCHECK --interval=10s CMD ["/opt/s24/bin/check"]
CMD ["/opt/s24/bin/run", "--stage", "24"]

FROM ${BASE} AS stage25
ENV STAGE=25 PATH=/opt/s25/bin:$PATH LANG=C.UTF-8
LABEL stage="25" description="generated stage number 25"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage24 --chown=1000:1000 /opt/s24 /opt/s25
RUN <<EOF
set -e
echo building 25
make -j8 -C /opt/s25 all install PREFIX=/opt/s25
EOF
WORKDIR /opt/s25
EXPOSE 8025
HEALTHCHECK --interval=10s CMD ["/opt/s25/bin/check"]
CMD ["/opt/s25/bin/run", "--stage", "25"]

FROM ${BASE} AS stage26
ENV STAGE=26 PATH=/opt/s26/bin:$PATH LANG=C.UTF-8
LABEL stage="26" description="generated stage number 26"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage25 --chown=1000:1000 /opt/s25 /opt/s26
RUN <<EOF
set -e
echo building 26
make -j8 -C /opt/s26 all install PREFIX=/opt/s26
EOF
WORKDIR /opt/s26
EXPOSE 8026
HEALTHCHECK --interval=10s CMD ["/opt/s26/bin/check"]
CMD ["/opt/s26/bin/run", "--stage", "26"]

FROM ${BASE} AS stage27
ENV STAGE=27 PATH=/opt/s27/bin:$PATH LANG=C.UTF-8
LABEL stage="27" description="generated stage number 27"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage26 --chown=1000:1000 /opt/s26 /opt/s27
RUN <<EOF
set -e
echo building 27
make -j8 -C /opt/s27 all install PREFIX=/opt/s27
EOF
WORKDIR /opt/s27
EXPOSE 8027
HEALTHCHECK --interval=10s CMD ["/opt/s27/bin/check"]
CMD ["/opt/s27/bin/run", "--stage", "27"]

FROM ${BASE} AS stage28
ENV STAGE=28 PATH=/opt/s28/bin:$PATH LANG=C.UTF-8
LABEL stage="28" description="generated stage number 28"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage27 --chown=1000:1000 /opt/s27 /opt/s28
RUN <<EOF
set -e
echo building 28
make -j8 -C /opt/s28 all install PREFIX=/opt/s28
EOF
WORKDIR /opt/s28
EXPOSE 8028
HEALTHCHECK --interval=10s CMD ["/opt/s28/bin/check"]
CMD ["/opt/s28/bin/run", "--stage", "28"]

FROM ${BASE} AS stage29
ENV STAGE=29 PATH=/opt/s29/bin:$PATH LANG=C.UTF-8
LABEL stage="29" description="generated stage number 29"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage28 --chown=1000:1000 /opt/s28 /opt/s29
RUN <<EOF
set -e
echo building 29
make -j8 -C /opt/s29 all install PREFIX=/opt/s29
EOF
WORKDIR /opt/s29
EXPOSE 8029
HEALTHCHECK --interval=10s CMD ["/opt/s29/bin/check"]
CMD ["/opt/s29/bin/run", "--stage", "29"]

FROM ${BASE} AS stage30
ENV STAGE=30 PATH=/opt/s30/bin:$PATH LANG=C.UTF-8
LABEL stage="30" description="generated stage number 30"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage29 --chown=1000:1000 /opt/s29 /opt/s30
RUN <<EOF
set -e
echo building 30
make -j8 -C /opt/s30 all install PREFIX=/opt/s30
EOF
WORKDIR /opt/s30
EXPOSE 8030
HEALTHCHECK --interval=10s CMD ["/opt/s30/bin/check"]
CMD ["/opt/s30/bin/run", "--stage", "30"]

FROM ${BASE} AS stage31
ENV STAGE=31 PATH=/opt/s31/bin:$PATH LANG=C.UTF-8
LABEL stage="31" description="generated stage number 31"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage30 --chown=1000:1000 /opt/s30 /opt/s31
RUN <<EOF
set -e
echo building 31
make -j8 -C /opt/s31 all install PREFIX=/opt/s31
EOF
WORKDIR /opt/s31
EXPOSE 8031
HEALTHCHECK --interval=10s CMD ["/opt/s31/bin/check"]
CMD ["/opt/s31/bin/run", "--stage", "31"]

FROM ${BASE} AS stage32
ENV STAGE=32 PATH=/opt/s32/bin:$PATH LANG=C.UTF-8
LABEL stage="32" description="generated stage number 32"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage31 --chown=1000:1000 /opt/s31 /opt/s32
RUN <<EOF
set -e
echo building 32
make -j8 -C /opt/s32 all install PREFIX=/opt/s32
EOF
WORKDIR /opt/s32
EXPOSE 8032
HEALTHCHECK --interval=10s CMD ["/opt/s32/bin/check"]
CMD ["/opt/s32/bin/run", "--stage", "32"]

FROM ${BASE} AS stage33
ENV STAGE=33 PATH=/opt/s33/bin:$PATH LANG=C.UTF-8
LABEL stage="33" description="generated stage number 33"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage32 --chown=1000:1000 /opt/s32 /opt/s33
RUN <<EOF
set -e
echo building 33
make -j8 -C /opt/s33 all install PREFIX=/opt/s33
EOF
WORKDIR /opt/s33
EXPOSE 8033
HEALTHCHECK --interval=10s CMD ["/opt/s33/bin/check"]
CMD ["/opt/s33/bin/run", "--stage", "33"]

FROM ${BASE} AS stage34
ENV STAGE=34 PATH=/opt/s34/bin:$PATH LANG=C.UTF-8
LABEL stage="34" description="generated stage number 34"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage33 --chown=1000:1000 /opt/s33 /opt/s34
RUN <<EOF
set -e
echo building 34
make -j8 -C /opt/s34 all install PREFIX=/opt/s34
EOF
WORKDIR /opt/s34
EXPOSE 8034
HEALTHCHECK --interval=10s CMD ["/opt/s34/bin/check"]
CMD ["/opt/s34/bin/run", "--stage", "34"]

FROM ${BASE} AS stage35
ENV STAGE=35 PATH=/opt/s35/bin:$PATH LANG=C.UTF-8
LABEL stage="35" description="generated stage number 35"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage34 --chown=1000:1000 /opt/s34 /opt/s35
RUN <<EOF
set -e
echo building 35
make -j8 -C /opt/s35 all install PREFIX=/opt/s35
EOF
WORKDIR /opt/s35
EXPOSE 8035
HEALTHCHECK --interval=10s CMD ["/opt/s35/bin/check"]
CMD ["/opt/s35/bin/run", "--stage", "35"]

FROM ${BASE} AS stage36
ENV STAGE=36 PATH=/opt/s36/bin:$PATH LANG=C.UTF-8
LABEL stage="36" description="generated stage number 36"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage35 --chown=1000:1000 /opt/s35 /opt/s36
RUN <<EOF
set -e
echo building 36
make -j8 -C /opt/s36 all install PREFIX=/opt/s36
EOF
WORKDIR /opt/s36
EXPOSE 8036
HEALTHCHECK --interval=10s CMD ["/opt/s36/bin/check"]
CMD ["/opt/s36/bin/run", "--stage", "36"]

FROM ${BASE} AS stage37
ENV STAGE=37 PATH=/opt/s37/bin:$PATH LANG=C.UTF-8
LABEL stage="37" description="generated stage number 37"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage36 --chown=1000:1000 /opt/s36 /opt/s37
RUN <<EOF
set -e
echo building 37
make -j8 -C /opt/s37 all install PREFIX=/opt/s37
EOF
WORKDIR /opt/s37
EXPOSE 8037
HEALTHCHECK --interval=10s CMD ["/opt/s37/bin/check"]
CMD ["/opt/s37/bin/run", "--stage", "37"]

FROM ${BASE} AS stage38
ENV STAGE=38 PATH=/opt/s38/bin:$PATH LANG=C.UTF-8
LABEL stage="38" description="generated stage number 38"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage37 --chown=1000:1000 /opt/s37 /opt/s38
RUN <<EOF
set -e
echo building 38
make -j8 -C /opt/s38 all install PREFIX=/opt/s38
EOF
WORKDIR /opt/s38
EXPOSE 8038
HEALTHCHECK --interval=10s CMD ["/opt/s38/bin/check"]
CMD ["/opt/s38/bin/run", "--stage", "38"]

FROM ${BASE} AS stage39
ENV STAGE=39 PATH=/opt/s39/bin:$PATH LANG=C.UTF-8
LABEL stage="39" description="generated stage number 39"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage38 --chown=1000:1000 /opt/s38 /opt/s39
RUN <<EOF
set -e
echo building 39
make -j8 -C /opt/s39 all install PREFIX=/opt/s39
EOF
WORKDIR /opt/s39
EXPOSE 8039
HEALTHCHECK --interval=10s CMD ["/opt/s39/bin/check"]
CMD ["/opt/s39/bin/run", "--stage", "39"]

FROM ${BASE} AS stage40
ENV STAGE=40 PATH=/opt/s40/bin:$PATH LANG=C.UTF-8
LABEL stage="40" description="generated stage number 40"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage39 --chown=1000:1000 /opt/s39 /opt/s40
RUN <<EOF
set -e
echo building 40
make -j8 -C /opt/s40 all install PREFIX=/opt/s40
EOF
WORKDIR /opt/s40
EXPOSE 8040
HEALTHCHECK --interval=10s CMD ["/opt/s40/bin/check"]
CMD ["/opt/s40/bin/run", "--stage", "40"]

FROM ${BASE} AS stage41
ENV STAGE=41 PATH=/opt/s41/bin:$PATH LANG=C.UTF-8
LABEL stage="41" description="generated stage number 41"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage40 --chown=1000:1000 /opt/s40 /opt/s41
RUN <<EOF
set -e
echo building 41
make -j8 -C /opt/s41 all install PREFIX=/opt/s41
EOF
WORKDIR /opt/s41
EXPOSE 8041
HEALTHCHECK --interval=10s CMD ["/opt/s41/bin/check"]
CMD ["/opt/s41/bin/run", "--stage", "41"]

FROM ${BASE} AS stage42
ENV STAGE=42 PATH=/opt/s42/bin:$PATH LANG=C.UTF-8
LABEL stage="42" description="generated stage number 42"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage41 --chown=1000:1000 /opt/s41 /opt/s42
RUN <<EOF
set -e
echo building 42
make -j8 -C /opt/s42 all install PREFIX=/opt/s42
EOF
WORKDIR /opt/s42
EXPOSE 8042
HEALTHCHECK --interval=10s CMD ["/opt/s42/bin/check"]
CMD ["/opt/s42/bin/run", "--stage", "42"]

FROM ${BASE} AS stage43
ENV STAGE=43 PATH=/opt/s43/bin:$PATH LANG=C.UTF-8
LABEL stage="43" description="generated stage number 43"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage42 --chown=1000:1000 /opt/s42 /opt/s43
RUN <<EOF
set -e
echo building 43
make -j8 -C /opt/s43 all install PREFIX=/opt/s43
EOF
WORKDIR /opt/s43
EXPOSE 8043
HEALTHCHECK --interval=10s CMD ["/opt/s43/bin/check"]
CMD ["/opt/s43/bin/run", "--stage", "43"]

FROM ${BASE} AS stage44
ENV STAGE=44 PATH=/opt/s44/bin:$PATH LANG=C.UTF-8
LABEL stage="44" description="generated stage number 44"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage43 --chown=1000:1000 /opt/s43 /opt/s44
RUN <<EOF
set -e
echo building 44
make -j8 -C /opt/s44 all install PREFIX=/opt/s44
EOF
WORKDIR /opt/s44
EXPOSE 8044
HEALTHCHECK --interval=10s CMD ["/opt/s44/bin/check"]
CMD ["/opt/s44/bin/run", "--stage", "44"]

FROM ${BASE} AS stage45
ENV STAGE=45 PATH=/opt/s45/bin:$PATH LANG=C.UTF-8
LABEL stage="45" description="generated stage number 45"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage44 --chown=1000:1000 /opt/s44 /opt/s45
RUN <<EOF
set -e
echo building 45
make -j8 -C /opt/s45 all install PREFIX=/opt/s45
EOF
WORKDIR /opt/s45
EXPOSE 8045
HEALTHCHECK --interval=10s CMD ["/opt/s45/bin/check"]
CMD ["/opt/s45/bin/run", "--stage", "45"]

FROM ${BASE} AS stage46
ENV STAGE=46 PATH=/opt/s46/bin:$PATH LANG=C.UTF-8
LABEL stage="46" description="generated stage number 46"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage45 --chown=1000:1000 /opt/s45 /opt/s46
RUN <<EOF
set -e
echo building 46
make -j8 -C /opt/s46 all install PREFIX=/opt/s46
EOF
WORKDIR /opt/s46
EXPOSE 8046
HEALTHCHECK --interval=10s CMD ["/opt/s46/bin/check"]
CMD ["/opt/s46/bin/run", "--stage", "46"]

FROM ${BASE} AS stage47
ENV STAGE=47 PATH=/opt/s47/bin:$PATH LANG=C.UTF-8
LABEL stage="47" description="generated stage number 47"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage46 --chown=1000:1000 /opt/s46 /opt/s47
RUN <<EOF
set -e
echo building 47
make -j8 -C /opt/s47 all install PREFIX=/opt/s47
EOF
WORKDIR /opt/s47
EXPOSE 8047
HEALTHCHECK --interval=10s CMD ["/opt/s47/bin/check"]
CMD ["/opt/s47/bin/run", "--stage", "47"]

FROM ${BASE} AS stage48
ENV STAGE=48 PATH=/opt/s48/bin:$PATH LANG=C.UTF-8
LABEL stage="48" description="generated stage number 48"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage47 --chown=1000:1000 /opt/s47 /opt/s48
RUN <<EOF
set -e
echo building 48
make -j8 -C /opt/s48 all install PREFIX=/opt/s48
EOF
WORKDIR /opt/s48
EXPOSE 8048
HEALTHCHECK --interval=10s CMD ["/opt/s48/bin/check"]
CMD ["/opt/s48/bin/run", "--stage", "48"]

FROM ${BASE} AS stage49
ENV STAGE=49 PATH=/opt/s49/bin:$PATH LANG=C.UTF-8
LABEL stage="49" description="generated stage number 49"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage48 --chown=1000:1000 /opt/s48 /opt/s49
RUN <<EOF
set -e
echo building 49
make -j8 -C /opt/s49 all install PREFIX=/opt/s49
EOF
WORKDIR /opt/s49
EXPOSE 8049
HEALTHCHECK --interval=10s CMD ["/opt/s49/bin/check"]
CMD ["/opt/s49/bin/run", "--stage", "49"]

FROM ${BASE} AS stage50
ENV STAGE=50 PATH=/opt/s50/bin:$PATH LANG=C.UTF-8
LABEL stage="50" description="generated stage number 50"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage49 --chown=1000:1000 /opt/s49 /opt/s50
RUN <<EOF
set -e
echo building 50
make -j8 -C /opt/s50 all install PREFIX=/opt/s50
EOF
WORKDIR /opt/s50
EXPOSE 8050
HEALTHCHECK --interval=10s CMD ["/opt/s50/bin/check"]
CMD ["/opt/s50/bin/run", "--stage", "50"]

FROM ${BASE} AS stage51
ENV STAGE=51 PATH=/opt/s51/bin:$PATH LANG=C.UTF-8
LABEL stage="51" description="generated stage number 51"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage50 --chown=1000:1000 /opt/s50 /opt/s51
RUN <<EOF
set -e
echo building 51
make -j8 -C /opt/s51 all install PREFIX=/opt/s51
EOF
WORKDIR /opt/s51
EXPOSE 8051
HEALTHCHECK --interval=10s CMD ["/opt/s51/bin/check"]
CMD ["/opt/s51/bin/run", "--stage", "51"]

FROM ${BASE} AS stage52
ENV STAGE=52 PATH=/opt/s52/bin:$PATH LANG=C.UTF-8
LABEL stage="52" description="generated stage number 52"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage51 --chown=1000:1000 /opt/s51 /opt/s52
RUN <<EOF
set -e
echo building 52
make -j8 -C /opt/s52 all install PREFIX=/opt/s52
EOF
WORKDIR /opt/s52
EXPOSE 8052
HEALTHCHECK --interval=10s CMD ["/opt/s52/bin/check"]
CMD ["/opt/s52/bin/run", "--stage", "52"]

FROM ${BASE} AS stage53
ENV STAGE=53 PATH=/opt/s53/bin:$PATH LANG=C.UTF-8
LABEL stage="53" description="generated stage number 53"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage52 --chown=1000:1000 /opt/s52 /opt/s53
RUN <<EOF
set -e
echo building 53
make -j8 -C /opt/s53 all install PREFIX=/opt/s53
EOF
WORKDIR /opt/s53
EXPOSE 8053
HEALTHCHECK --interval=10s CMD ["/opt/s53/bin/check"]
CMD ["/opt/s53/bin/run", "--stage", "53"]

FROM ${BASE} AS stage54
ENV STAGE=54 PATH=/opt/s54/bin:$PATH LANG=C.UTF-8
LABEL stage="54" description="generated stage number 54"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage53 --chown=1000:1000 /opt/s53 /opt/s54
RUN <<EOF
set -e
echo building 54
make -j8 -C /opt/s54 all install PREFIX=/opt/s54
EOF
WORKDIR /opt/s54
EXPOSE 8054
HEALTHCHECK --interval=10s CMD ["/opt/s54/bin/check"]
CMD ["/opt/s54/bin/run", "--stage", "54"]

FROM ${BASE} AS stage55
ENV STAGE=55 PATH=/opt/s55/bin:$PATH LANG=C.UTF-8
LABEL stage="55" description="generated stage number 55"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage54 --chown=1000:1000 /opt/s54 /opt/s55
RUN <<EOF
set -e
echo building 55
make -j8 -C /opt/s55 all install PREFIX=/opt/s55
EOF
WORKDIR /opt/s55
EXPOSE 8055
HEALTHCHECK --interval=10s CMD ["/opt/s55/bin/check"]
CMD ["/opt/s55/bin/run", "--stage", "55"]

FROM ${BASE} AS stage56
ENV STAGE=56 PATH=/opt/s56/bin:$PATH LANG=C.UTF-8
LABEL stage="56" description="generated stage number 56"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage55 --chown=1000:1000 /opt/s55 /opt/s56
RUN <<EOF
set -e
echo building 56
make -j8 -C /opt/s56 all install PREFIX=/opt/s56
EOF
WORKDIR /opt/s56
EXPOSE 8056
HEALTHCHECK --interval=10s CMD ["/opt/s56/bin/check"]
CMD ["/opt/s56/bin/run", "--stage", "56"]

FROM ${BASE} AS stage57
ENV STAGE=57 PATH=/opt/s57/bin:$PATH LANG=C.UTF-8
LABEL stage="57" description="generated stage number 57"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage56 --chown=1000:1000 /opt/s56 /opt/s57
RUN <<EOF
set -e
echo building 57
make -j8 -C /opt/s57 all install PREFIX=/opt/s57
EOF
WORKDIR /opt/s57
EXPOSE 8057
HEALTHCHECK --interval=10s CMD ["/opt/s57/bin/check"]
CMD ["/opt/s57/bin/run", "--stage", "57"]

FROM ${BASE} AS stage58
ENV STAGE=58 PATH=/opt/s58/bin:$PATH LANG=C.UTF-8
LABEL stage="58" description="generated stage number 58"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage57 --chown=1000:1000 /opt/s57 /opt/s58
RUN <<EOF
set -e
echo building 58
make -j8 -C /opt/s58 all install PREFIX=/opt/s58
EOF
WORKDIR /opt/s58
EXPOSE 8058
HEALTHCHECK --interval=10s CMD ["/opt/s58/bin/check"]
CMD ["/opt/s58/bin/run", "--stage", "58"]

FROM ${BASE} AS stage59
ENV STAGE=59 PATH=/opt/s59/bin:$PATH LANG=C.UTF-8
LABEL stage="59" description="generated stage number 59"
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends curl git make gcc libc6-dev pkg-config && \
    rm -rf /var/lib/apt/lists/*
COPY --from=stage58 --chown=1000:1000 /opt/s58 /opt/s59
RUN <<EOF
set -e
echo building 59
make -j8 -C /opt/s59 all install PREFIX=/opt/s59
EOF
WORKDIR /opt/s59
EXPOSE 8059
HEALTHCHECK --interval=10s CMD ["/opt/s59/bin/check"]
CMD ["/opt/s59/bin/run", "--stage", "59"]
