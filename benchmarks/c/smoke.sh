#!/usr/bin/env bash
# smoke.sh - the smoke test of `make test`: lpj-baseline and lpj-load against each other.
#
#   ./smoke.sh [--valgrind] [BUILD]      BUILD: the folder of the binaries (default build)
#
# For the one-process server and for --workers 2:
#   1. start BUILD/lpj-baseline --port 0 and read the port from its one line
#      "lpj-baseline: listening on 127.0.0.1:PORT (workers N)";
#   2. BUILD/lpj-load, 4 connections x depth 8 for 1 s: exit status 0, and in
#      its JSON line "errors":0 and "requests" > 0;
#   3. BUILD/test_lpjb --port PORT: invalid JSON must get an error response
#      naming invalid-json (and every other probe its response), pipelined;
#      an oversized prefix frame-too-large and a close; a half-close answers;
#   4. SIGTERM to the server's PID: it must exit with status 0 within 10 s,
#      and with --workers 2 both workers must be gone too.
# Then, with --workers 2 once more: SIGKILL to the parent, and both workers
# must end by themselves (PR_SET_PDEATHSIG).
#
# --valgrind runs only the one-process server, under valgrind --leak-check=full:
# any error or leak fails (valgrind's status 99).
#
# It signals only the PIDs it started, and kills whatever of them is left on exit.
# Every client runs under `timeout`.
set -euo pipefail

valgrind=0
if [[ ${1:-} == --valgrind ]]; then
    valgrind=1
    shift
fi
build=${1:-build}
for program in lpj-baseline lpj-load test_lpjb; do
    [[ -x $build/$program ]] || { echo "smoke: $build/$program is missing (run make first)" >&2; exit 2; }
done

work=$(mktemp -d)
started=() # every PID this script started and may signal

cleanup() {
    local pid
    for pid in "${started[@]}"; do
        { kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fail() {
    echo "smoke: FAIL: $*" >&2
    for log in "$work"/*.log; do
        [[ -s $log ]] && { echo "--- $(basename "$log")" >&2; tail -n 40 "$log" >&2; }
    done
    exit 1
}

# start_server NAME ARGS...: starts the server, sets $server_pid and $port.
start_server() {
    local name=$1 wait_tenths=100
    shift
    local -a command=("$build/lpj-baseline" --port 0 "$@")
    if ((valgrind)); then
        command=(valgrind --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 --quiet "${command[@]}")
        wait_tenths=600
    fi
    # The files exist before the server starts: the background job opens its redirections only once it
    # runs, and under load `head` below can come first.
    : >"$work/$name.out"
    : >"$work/$name.log"
    "${command[@]}" >"$work/$name.out" 2>"$work/$name.log" &
    server_pid=$!
    started+=("$server_pid")
    local line=""
    for ((i = 0; i < wait_tenths; i++)); do
        line=$(head -n 1 "$work/$name.out")
        [[ -n $line ]] && break
        kill -0 "$server_pid" 2>/dev/null || fail "$name: the server exited at start"
        sleep 0.1
    done
    local pattern='^lpj-baseline: listening on 127\.0\.0\.1:([0-9]+) \(workers ([0-9]+)\)$'
    [[ $line =~ $pattern ]] || fail "$name: no 'listening on' line, got: '$line'"
    port=${BASH_REMATCH[1]}
    echo "smoke: $name: $line (PID $server_pid)"
}

# find_workers NAME COUNT: sets workers to the PIDs of the server's COUNT children
# (forked right after the 'listening on' line, so they may take a moment to appear).
find_workers() {
    local name=$1 count=$2
    for ((i = 0; i < 50; i++)); do
        mapfile -t workers < <(ps -o pid= --ppid "$server_pid" | tr -d ' ')
        ((${#workers[@]} >= count)) && break
        sleep 0.1
    done
    ((${#workers[@]} == count)) || fail "$name: expected $count worker processes, found ${#workers[@]}"
    started+=("${workers[@]}")
}

# wait_gone SECONDS PID...: succeeds once none of the PIDs exists.
wait_gone() {
    local tenths=$(($1 * 10)) pid alive
    shift
    for ((i = 0; i < tenths; i++)); do
        alive=0
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        ((alive)) || return 0
        sleep 0.1
    done
    return 1
}

# check_load NAME: 1 s of 4 connections x depth 8 against $port.
check_load() {
    local name=$1 status=0
    timeout 30 "$build/lpj-load" --port "$port" --connections 4 --depth 8 --duration 1 --warmup 0.2 \
        --format json >"$work/$name-load.out" 2>"$work/$name-load.log" || status=$?
    local line
    line=$(cat "$work/$name-load.out")
    echo "smoke: $name: $line"
    ((status == 0)) || fail "$name: lpj-load exited with status $status"
    [[ $line =~ \"errors\":0, ]] || fail "$name: lpj-load counted errors"
    [[ $line =~ \"requests\":([0-9]+), ]] || fail "$name: no request count in lpj-load's output"
    ((BASH_REMATCH[1] > 0)) || fail "$name: no request completed"
}

# check_probes NAME: the protocol checks of test_lpjb against $port.
check_probes() {
    local name=$1 status=0
    timeout 60 "$build/test_lpjb" --port "$port" >"$work/$name-probes.log" 2>&1 || status=$?
    tail -n 1 "$work/$name-probes.log" | sed "s/^/smoke: $name: probes: /"
    ((status == 0)) || fail "$name: test_lpjb --port $port exited with status $status"
    grep -q '^ok live: invalid JSON: .*"code":"invalid-json"' "$work/$name-probes.log" ||
        fail "$name: no invalid-json error response to an invalid frame"
}

# stop_server NAME WORKERS...: SIGTERM to the server; it and its workers must end, the server with 0.
stop_server() {
    local name=$1 status=0
    shift
    kill -TERM "$server_pid"
    wait_gone 10 "$server_pid" || fail "$name: the server is still running 10 s after SIGTERM"
    wait "$server_pid" || status=$?
    ((status == 0)) || fail "$name: the server exited with status $status after SIGTERM"
    if (($# > 0)); then
        wait_gone 5 "$@" || fail "$name: a worker outlived the server"
    fi
    echo "smoke: $name: exited with status 0 after SIGTERM"
}

start_server one-process
check_load one-process
check_probes one-process
stop_server one-process

if ((valgrind)); then
    echo "smoke: valgrind: no errors, no leaks"
    exit 0
fi

start_server workers --workers 2
find_workers workers 2
check_load workers
check_probes workers
stop_server workers "${workers[@]}"

start_server orphans --workers 2
find_workers orphans 2
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
wait_gone 5 "${workers[@]}" || fail "orphans: the workers outlived their parent (PR_SET_PDEATHSIG)"
echo "smoke: orphans: both workers ended when their parent was killed"

echo "smoke: all passed"
