#!/usr/bin/env bash
# conformance/s390x.sh - a real big-endian LPJ peer: the C client cross-compiled for IBM Z (s390x), run
# under qemu-s390x against the Swift reference server.
#
#   conformance/s390x.sh                 install what is missing (root only), build, run every check
#   conformance/s390x.sh --install-only  only install the packages (for CI images)
#
# Environment: LPJ (the lpj binary; default .build/debug/lpj in the repository root).
#
# Needs gcc-s390x-linux-gnu with libc6-dev-s390x-cross (the C library headers: only a Recommends of the
# compiler), qemu-user (qemu-s390x) and libjansson-dev:s390x (multiarch). When they are
# missing and cannot be installed (not root, no network), prints "SKIPPED: s390x peer: <reason>" and
# exits 0: a skip, never a silent pass. Once they are there, any failed check exits 1. The last line is
# "N passed, N failed" ("0 passed, 0 failed, 1 skipped" after a skip).
#
# What it shows, each as a counted check:
#   - the cross-built lpj-c is big-endian code (`file`: MSB, IBM S/390) and runs under qemu-s390x;
#     its unit tests and all fixtures pass on the big-endian host;
#   - in native mode it writes big-endian length prefixes: tap.py (a recording relay) shows the octets;
#   - `lpj serve --byte-order little` refuses it with frame-too-large, and the server's reply (captured
#     by tap.py, read little-endian) says "read big-endian it is 34"; lpj-c itself reports the reply's
#     prefix as little-endian (order.mismatch-diagnosis); configured little-endian it gets its pong;
#   - `--byte-order big` (every model) and `--byte-order auto` serve it: pong, big-endian both ways;
#     lpj-c interop runs the big-endian request fixture; `lpj check` profiles the server as big-endian.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
c_dir=$here/c
lpj=${LPJ:-$root/.build/debug/lpj}
[[ $lpj == /* ]] || lpj=$root/$lpj

packages=(gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user libjansson-dev:s390x)

# ---- (a) packages ---------------------------------------------------------------------------------

missing_packages() {
    local missing=()
    command -v s390x-linux-gnu-gcc >/dev/null || missing+=(gcc-s390x-linux-gnu)
    [[ -e /usr/s390x-linux-gnu/include/stdio.h ]] || missing+=(libc6-dev-s390x-cross)
    command -v qemu-s390x >/dev/null || missing+=(qemu-user)
    [[ -e /usr/lib/s390x-linux-gnu/pkgconfig/jansson.pc ]] || missing+=(libjansson-dev:s390x)
    echo "${missing[@]}"
}

skip() {
    echo "SKIPPED: s390x peer: $*"
    echo "s390x: SKIPPED - nothing was tested on a big-endian peer"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
}

install_packages() {
    local missing
    missing=$(missing_packages)
    if [[ -z $missing ]]; then
        echo "packages: ${packages[*]} already installed"
        return 0
    fi
    [[ $(id -u) == 0 ]] || skip "missing $missing and not running as root to install them"
    command -v apt-get >/dev/null || skip "missing $missing and there is no apt-get"
    local started=$SECONDS log
    log=$(mktemp)
    echo "packages: installing $missing (dpkg --add-architecture s390x; apt-get update; apt-get install)"
    if ! { dpkg --print-foreign-architectures | grep -qx s390x || dpkg --add-architecture s390x; } >"$log" 2>&1 ||
        ! apt-get update -q >>"$log" 2>&1 ||
        ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1; then
        tail -n 5 "$log" | sed 's/^/  apt: /'
        rm -f "$log"
        skip "could not install $missing (no network or no such packages; see the apt lines above)"
    fi
    rm -f "$log"
    missing=$(missing_packages)
    if [[ -n $missing ]]; then
        echo "FAIL  apt-get install succeeded but $missing is still missing"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "packages: installed in $((SECONDS - started)) s"
}

case ${1:-} in
'' | --install-only) ;;
*) echo "usage: conformance/s390x.sh [--install-only]"; exit 2 ;;
esac
started=$SECONDS
install_packages
if [[ ${1:-} == --install-only ]]; then exit 0; fi

# ---- bookkeeping --------------------------------------------------------------------------------

# shellcheck source=common.sh
source "$here/common.sh"
command -v python3 >/dev/null || { echo "s390x: needs python3 (for tap.py)"; exit 2; }
passed=0
failed=0
work=$(mktemp -d)
tap_pid=
tap_port=

ok() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
say() { echo "      $*"; }
# check NAME COMMAND...: a check whose verdict is the command's exit status.
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

cleanup() {
    [[ -n $tap_pid ]] && kill -TERM "$tap_pid" 2>/dev/null || true
    stop_server || true
    rm -rf "$work"
}
trap cleanup EXIT
snapshot_lpj "$lpj" "$work/lpj" || { echo "s390x: no runnable lpj binary at $lpj (build it, or set LPJ)"; exit 2; }
lpj=$work/lpj

# serve MODEL ORDER: the Swift reference server (server_pid, server_port), or a failed check.
serve() {
    start_server "$lpj" --model "$1" --byte-order "$2" && return 0
    fail "lpj serve --model $1 --byte-order $2 did not start: $(tr '\n' ' ' <<<"$server_output")"
    return 1
}

# shut_down: SIGTERM by PID; lpj serve promises exit status 0.
shut_down() {
    local pid=$server_pid status=0
    stop_server || status=$?
    [[ $status == 0 ]] || fail "the server (pid $pid) exited $status on SIGTERM, not 0"
}

# start_tap: tap.py in front of the server, for one connection (tap_pid, tap_port; log in $work/tap.json).
start_tap() {
    rm -f "$work/tap.json" "$work/tap.out"
    python3 "$here/tap.py" --upstream-port "$server_port" --log "$work/tap.json" >"$work/tap.out" 2>&1 &
    tap_pid=$!
    for _ in $(seq 100); do
        grep -qs 'listening on' "$work/tap.out" && break
        sleep 0.05
    done
    tap_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/tap.out")
}

finish_tap() {
    local pid=$tap_pid
    tap_pid=
    wait "$pid" || true
}

# describe_tap CLIENT_ORDER SERVER_ORDER: says which byte order each side's first length prefix is in
# (the one whose reading is the frame's real length) and what the server's first response says;
# succeeds when the orders are as expected.
describe_tap() {
    python3 - "$work/tap.json" "$1" "$2" <<'PY'
import json, sys
log, want_client, want_server = sys.argv[1], sys.argv[2], sys.argv[3]
connection = json.load(open(log))["connections"][0]
good = True
for side, key, want in (("client", "client_to_server", want_client), ("server", "server_to_client", want_server)):
    data = bytes.fromhex(connection[key])
    if len(data) < 4:
        print(f"      {side} wrote {len(data)} octets: no length prefix")
        good = False
        continue
    p, rest = data[:4], len(data) - 4
    little, big = int.from_bytes(p, "little"), int.from_bytes(p, "big")
    order = "big" if big <= rest < little or (big == rest != little) else "little" if little <= rest else "neither"
    print(f"      {side} wrote prefix {p.hex(' ')}: read big-endian {big}, little-endian {little}; "
          f"{rest} octets follow -> {order}-endian")
    if order != want:
        print(f"      expected the {side} to write {want}-endian")
        good = False
    if side == "server" and order in ("little", "big"):
        body = data[4:4 + (little if order == "little" else big)].decode("utf-8", "replace")
        print(f"      server's response: {body}")
sys.exit(0 if good else 1)
PY
}

# s390x LPJ-C ARGS...: the s390x client under qemu, with the loader prefix found below.
s390x() {
    local program=$1
    shift
    qemu-s390x -L "$qemu_prefix" "$c_dir/build-s390x/$program" "$@"
}

# ---- (b) cross-compile --------------------------------------------------------------------------

echo "== build: make -C conformance/c s390x (CC=s390x-linux-gnu-gcc, jansson's s390x pkg-config)"
build_started=$SECONDS
if make -C "$c_dir" s390x >"$work/make.log" 2>&1; then
    ok "cross-compiled build-s390x/lpj-c and build-s390x/test_lpj with s390x-linux-gnu-gcc ($((SECONDS - build_started)) s)"
else
    tail -n 15 "$work/make.log" | sed 's/^/      make: /'
    fail "make s390x"
    echo "$passed passed, $failed failed"
    exit 1
fi
description=$(file -b "$c_dir/build-s390x/lpj-c")
say "file: $description"
check "the binary is big-endian s390x code (file says MSB, IBM S/390)" \
    grep -q 'MSB.*S/390' <<<"$description"

# ---- (c) run it under qemu ----------------------------------------------------------------------

echo "== qemu-s390x: which loader prefix runs it"
# libjansson4:s390x pulls in the multiarch libc6:s390x (/lib/ld64.so.1, /lib/s390x-linux-gnu). With
# -L /usr/s390x-linux-gnu the cross toolchain's ld64.so.1 runs but finds libjansson and libc.so.6 only
# in /lib/s390x-linux-gnu, another glibc build: the mix aborts. -L / takes loader and libc from one build.
qemu_prefix=
for candidate in / /usr/s390x-linux-gnu; do
    # (in a subshell, so that bash's own "Aborted" report lands in the file too)
    if (qemu-s390x -L "$candidate" "$c_dir/build-s390x/lpj-c" --help; exit $?) >"$work/probe.out" 2>&1 &&
        grep -q '^usage: lpj-c' "$work/probe.out"; then
        say "qemu-s390x -L $candidate: runs"
        [[ -n $qemu_prefix ]] || qemu_prefix=$candidate
    else
        say "qemu-s390x -L $candidate: does not run: $(grep -v '^usage\|^ ' "$work/probe.out" | head -2 | tr '\n' ' ')"
    fi
done
if [[ -z $qemu_prefix ]]; then
    fail "lpj-c runs under qemu-s390x"
    echo "$passed passed, $failed failed"
    exit 1
fi
ok "lpj-c runs under qemu-s390x -L $qemu_prefix"

# The library itself on a big-endian host: unit tests (stub servers included) and all fixtures.
s390x test_lpj "$root/fixtures" >"$work/unit.out" 2>&1 || true
say "$(tail -n 1 "$work/unit.out")"
check "s390x: test_lpj passes" grep -q ' 0 failed$' <(tail -n 1 "$work/unit.out")
s390x lpj-c fixtures "$root/fixtures" >"$work/fixtures.out" 2>&1 || true
say "lpj-c fixtures: $(tail -n 1 "$work/fixtures.out")"
check "s390x: lpj-c fixtures passes every fixture" grep -qE '^[1-9][0-9]* passed, 0 failed$' <(tail -n 1 "$work/fixtures.out")

# ---- against a little-endian server: refused, and both sides say why ------------------------------

echo "== lpj serve --byte-order little; s390x lpj-c ping --byte-order native (through tap.py)"
if serve event-loop little; then
    start_tap
    status=0
    s390x lpj-c ping --port "$tap_port" --byte-order native >"$work/ping.out" 2>"$work/ping.err" || status=$?
    finish_tap
    say "lpj-c exit $status: $(cat "$work/ping.out" "$work/ping.err")"
    check "the s390x client writes big-endian prefixes in native mode; the server answers little-endian" \
        describe_tap big little
    check "the little-endian server refuses it with frame-too-large naming the byte order" \
        python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))["connections"][0]; d = bytes.fromhex(c["server_to_client"])
r = json.loads(d[4:4 + int.from_bytes(d[:4], "little")])["result"]
sys.exit(0 if r["code"] == "frame-too-large" and "read big-endian it is" in r["message"] else 1)' "$work/tap.json"
    check "the s390x client exits 2 (no valid response) and diagnoses the little-endian reply (order.mismatch-diagnosis)" \
        eval '[[ $status == 2 ]] && grep -q "frame-too-large.*the little-endian reading fits" "$work/ping.err"'
    status=0
    s390x lpj-c ping --port "$server_port" --byte-order little >"$work/ping.out" 2>&1 || status=$?
    say "s390x lpj-c ping --byte-order little: exit $status: $(cat "$work/ping.out")"
    check "the s390x client configured little-endian gets its pong from the little-endian server" \
        eval '[[ $status == 0 ]] && grep -q "\"pong\"" "$work/ping.out"'
    shut_down
fi

# ---- against a big-endian server: served -----------------------------------------------------------

echo "== lpj serve --byte-order big; s390x lpj-c ping --byte-order native (through tap.py)"
if serve event-loop big; then
    start_tap
    status=0
    s390x lpj-c ping --port "$tap_port" --byte-order native >"$work/ping.out" 2>&1 || status=$?
    finish_tap
    say "lpj-c exit $status: $(cat "$work/ping.out")"
    check "the big-endian server serves the s390x client: pong, big-endian both ways" \
        eval '[[ $status == 0 ]] && grep -q "\"pong\"" "$work/ping.out" && describe_tap big big'
    s390x lpj-c interop --port "$server_port" --byte-order native "$root/fixtures" >"$work/interop.out" 2>&1 || true
    sed 's/^/      interop: /' "$work/interop.out" | tail -n 4
    check "s390x lpj-c interop --byte-order native against the big-endian server" \
        grep -qE '^[1-9][0-9]* passed, 0 failed$' <(tail -n 1 "$work/interop.out")
    status=0
    "$lpj" check "127.0.0.1:$server_port" --only 'fixture.request.ping.*' >"$work/check.out" 2>&1 || status=$?
    sed -n '/Server profile/,/^$/p' "$work/check.out" | head -n 3 | sed 's/^/      lpj check: /'
    say "lpj check: exit $status, $(tail -n 1 "$work/check.out")"
    check "lpj check profiles the --byte-order big server as big-endian" \
        eval '[[ $status == 0 ]] && grep -qE "^ +byte order +big-endian" "$work/check.out"'
    shut_down
fi

echo "== every model with --byte-order big: s390x lpj-c ping --byte-order native"
for model in $("$lpj" serve --list-models); do
    serve "$model" big || continue
    status=0
    s390x lpj-c ping --port "$server_port" --byte-order native >"$work/ping.out" 2>&1 || status=$?
    check "$model (big): pong for the s390x client" \
        eval '[[ $status == 0 ]] && grep -q "\"pong\"" "$work/ping.out"'
    [[ $status == 0 ]] || say "exit $status: $(cat "$work/ping.out")"
    shut_down
done

# ---- against an auto-detecting server: served in the client's order -------------------------------------

echo "== lpj serve --byte-order auto; s390x lpj-c ping, native (through tap.py) and little"
if serve event-loop auto; then
    start_tap
    status=0
    s390x lpj-c ping --port "$tap_port" --byte-order native >"$work/ping.out" 2>&1 || status=$?
    finish_tap
    say "lpj-c exit $status: $(cat "$work/ping.out")"
    check "the auto server detects the s390x client's big-endian prefix and answers big-endian: pong" \
        eval '[[ $status == 0 ]] && grep -q "\"pong\"" "$work/ping.out" && describe_tap big big'
    status=0
    s390x lpj-c ping --port "$server_port" --byte-order little >"$work/ping.out" 2>&1 || status=$?
    check "the same auto server serves the s390x client configured little-endian: pong" \
        eval '[[ $status == 0 ]] && grep -q "\"pong\"" "$work/ping.out"'
    shut_down
fi

echo "s390x: done in $((SECONDS - started)) s (qemu-s390x -L $qemu_prefix)"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
