#!/usr/bin/env bash
# Runs the benchmark sweep and writes docs/benchmarks.md and docs/benchmarks.svg.
#
#   benchmarks/sweep.sh [lpj bench options]     e.g. --duration 5 --warmup 1 --idle-connections 10000
#
# Builds lpj in release mode and the baselines: C (benchmarks/c, make), Rust tokio + serde_json
# (benchmarks/rust, Debian's cargo offline) and Go (benchmarks/go). Then runs `lpj bench` with no
# address: every baseline and every server model through 1×1, 1×32, 16×1 and 16×16 connections × depth,
# loaded by the C load generator, with each server's CPU per request; lpj bench against the C load
# generator; resident memory per idle connection. A baseline whose toolchain is missing is left out,
# with a note. Takes about ten minutes; other load on the machine moves requests/s, CPU per request
# much less.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product lpj
make -C benchmarks/c --no-print-directory
if [ -x /usr/bin/cargo ]; then
    (cd benchmarks/rust && /usr/bin/cargo build --release --quiet)
else
    echo "sweep.sh: no /usr/bin/cargo (apt-get install cargo librust-tokio-dev librust-serde-json-dev): tokio left out" >&2
fi
if command -v go >/dev/null; then
    (cd benchmarks/go && go build -o build/lpj-go-baseline .)
else
    echo "sweep.sh: no go (apt-get install golang-go): the Go baseline left out" >&2
fi
exec .build/release/lpj bench "$@"
