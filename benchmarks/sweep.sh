#!/usr/bin/env bash
# Runs the benchmark sweep and writes docs/benchmarks.md and docs/benchmarks.svg.
#
#   benchmarks/sweep.sh [lpj bench options]     e.g. --duration 5 --warmup 1 --idle-connections 10000
#
# Builds lpj in release mode and the C baseline (benchmarks/c), then runs `lpj bench` with no address:
# the C baseline and every server model through 1×1, 1×32, 16×1 and 16×16 connections × depth, lpj bench
# against the C load generator, and resident memory per idle connection. Takes about five minutes;
# run it on an otherwise idle machine (other load moves every figure).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product lpj
make -C benchmarks/c --no-print-directory
exec .build/release/lpj bench "$@"
