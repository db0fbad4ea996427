#!/usr/bin/env bash
# Nested-call throughput of the coroutine model: ping direct, through one relay hop, through two.
#
#   benchmarks/nested-calls.sh [--duration S]      (default 3 s per run, after 1 s of warm-up)
#
# Starts three coroutine servers A, B and C on free loopback ports and loads A with lpj bench at
# 1×32 and 16×16 connections × depth:
#   0 hops: ping on A
#   1 hop:  relay on A → ping on B
#   2 hops: relay on A → relay on B → ping on C
# Every reply is checked (a relayed pong must echo the params). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=3
[ "${1:-}" = --duration ] && duration=$2
swift build -c release --product lpj >/dev/null
lpj=.build/release/lpj

pids=()
logs=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -f "${logs[@]}"
}
trap cleanup EXIT
# Starts a coroutine server (in this shell, so its pid is kept) and sets $port.
start() {
    local log; log=$(mktemp)
    logs+=("$log")
    "$lpj" serve --model coroutine --port 0 > "$log" &
    pids+=($!)
    for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
    port=$(grep -o '127.0.0.1:[0-9]*' "$log" | cut -d: -f2)
}
start; a=$port
start; b=$port
start; c=$port

direct='{}'
one_hop="{\"host\":\"127.0.0.1\",\"port\":$b,\"in\":\"ping\",\"params\":{}}"
two_hops="{\"host\":\"127.0.0.1\",\"port\":$b,\"in\":\"relay\",\"params\":{\"host\":\"127.0.0.1\",\"port\":$c,\"in\":\"ping\",\"params\":{}}}"

echo "| path | connections × depth | requests/s | p50 | p99 | errors |"
echo "|---|---|---:|---:|---:|---:|"
for shape in "1 32" "16 16"; do
    set -- $shape
    for run in "ping on A|ping|$direct" "relay A → B|relay|$one_hop" "relay A → B → C|relay|$two_hops"; do
        IFS='|' read -r name method params <<< "$run"
        json=$("$lpj" bench "127.0.0.1:$a" --connections "$1" --depth "$2" --duration "$duration" --warmup 1 \
            --method "$method" --params "$params" --format json) || true
        python3 - "$name" "$1×$2" "$json" <<'PY'
import json, sys
name, shape, text = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.loads(text)
lat = r["latency_us"]
print(f"| {name} | {shape} | {r['requests_per_second']:.0f} | {lat['p50']:.0f} µs | {lat['p99']:.0f} µs | {r['errors'] + r['unanswered']} |")
PY
    done
done
