#!/usr/bin/env bash
# conformance/interop.sh - every client against every server model; writes docs/interop.md.
#
#   conformance/interop.sh
#
# For each of the 7 concurrency models it starts `lpj serve --model M --port 0` on 127.0.0.1, and then
# the Python server (conformance/python/lpj_server.py --port 0, row `python`), and runs:
#
#   Swift client (lpj call)     ping with ASCII params, ping with "héllo 😀", an unknown method (must
#                               exit 1 with unknown-method), lpj.describe (must name the model, or for
#                               the Python server its server name)
#   C client (lpj-c ping)       lpj-c ping, default and non-ASCII params (it checks the echo exactly)
#   C client (lpj-c interop)    every little-endian request fixture at the default limit, replayed
#   Python client (lpj_client)  conformance/python/lpj_client.py: the same four calls as lpj call
#
# then stops the server with SIGTERM (by its PID) and expects exit status 0. Each cell is "pass" or
# "FAIL (details)". The matrix goes to docs/interop.md (this script is what writes that file).
#
# Environment: LPJ, the lpj binary (default .build/debug/lpj in the repository root); the run uses a copy
# taken once the file is there and not changing, so a rebuild meanwhile does not disturb it. The C client
# is built with make (conformance/c) when it is missing or out of date. Needs python3 (JSON comparison).
# Exits 1 if any cell fails; the last line is "N passed, N failed", counting cells.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lpj=${LPJ:-.build/debug/lpj}
[[ $lpj == /* ]] || lpj=$root/$lpj
lpj_c=$here/c/build/lpj-c
fixtures=$root/fixtures
out_file=$root/docs/interop.md
python_server=$here/python/lpj_server.py
python_client=$here/python/lpj_client.py
columns=("Swift client (lpj call)" "C client (lpj-c ping)" "C client (lpj-c interop)" "Python client (lpj_client.py)")

# shellcheck source=common.sh
source "$here/common.sh"

started=$SECONDS
command -v python3 >/dev/null || { echo "interop: needs python3"; exit 2; }
work=$(mktemp -d)
cleanup() {
    stop_server || true
    rm -rf "$work"
}
trap cleanup EXIT
snapshot_lpj "$lpj" "$work/lpj" || { echo "interop: no runnable lpj binary at $lpj (build it, or set LPJ)"; exit 2; }
lpj_source=$lpj
lpj=$work/lpj
# Every model the binary serves, as it names them (one a line).
mapfile -t models < <("$lpj" serve --list-models)
(( ${#models[@]} > 0 )) || { echo "interop: $lpj serve --list-models named no model"; exit 2; }
rows=("${models[@]}" python)
echo "== building the C client (make -C conformance/c)"
make -s -C "$here/c" >/dev/null
[[ -x $lpj_c ]] || { echo "interop: make did not produce $lpj_c"; exit 2; }

passed=0
failed=0
notes=()
declare -A cell

# One line of text fit for a table cell: no pipes, no newlines, not too long.
cell_text() { tr '\n|' ' /' | sed 's/  */ /g; s/ $//' | cut -c1-300; }

# json_check KIND ARG < body: python3 checks one response body; prints why not on failure.
json_check() {
    python3 -c '
import json, sys
kind, arg = sys.argv[1], sys.argv[2]
try:
    r = json.loads(sys.stdin.read())
except ValueError as e:
    print("not JSON: %s" % e); sys.exit(1)
if kind == "pong":
    ok = r.get("out") == "pong" and r.get("result") == json.loads(arg)
elif kind == "error":
    ok = r.get("out") == "error" and isinstance(r.get("result"), dict) and r["result"].get("code") == arg
else:  # describe: the description of this very model (the Python server: its server name)
    res = r.get("result") if isinstance(r.get("result"), dict) else {}
    ok = r.get("out") == "lpj.description" and res.get("protocol") == "lpj/1" and (
        res.get("model") == arg or arg == "python" and str(res.get("server", "")).startswith("lpj-python/"))
if not ok:
    print("got %s" % json.dumps(r, ensure_ascii=False)[:160]); sys.exit(1)
' "$1" "$2"
}

# swift_call NAME EXPECTED_EXIT KIND ARG METHOD [PARAMS]: one lpj call; appends to $problems.
swift_call() {
    local name=$1 expected=$2 kind=$3 arg=$4 status=0 why
    shift 4
    "$lpj" call --host 127.0.0.1 --port "$port" --timeout 5000 "$@" >"$work/call.out" 2>"$work/call.err" || status=$?
    if [[ $status != "$expected" ]]; then
        problems+=("$name: exit $status, expected $expected: $(cat "$work/call.out" "$work/call.err" | cell_text)")
    elif ! why=$(json_check "$kind" "$arg" <"$work/call.out"); then
        problems+=("$name: $why")
    fi
}

run_swift_client() {
    problems=()
    swift_call "ping ASCII" 0 pong '"ireader 0"' ping '"ireader 0"'
    swift_call "ping non-ASCII" 0 pong '"héllo 😀"' ping '"héllo 😀"'
    swift_call "unknown method" 1 error unknown-method frob.unknown '{}'
    swift_call "lpj.describe" 0 describe "$model" lpj.describe
    if [[ ${#problems[@]} == 0 ]]; then
        echo "pass (4/4)"
    else
        echo "FAIL ($((4 - ${#problems[@]}))/4; $(printf '%s; ' "${problems[@]}" | cell_text))"
    fi
}

# python_call NAME EXPECTED_EXIT KIND ARG METHOD [PARAMS]: one lpj_client.py call; appends to $problems.
python_call() {
    local name=$1 expected=$2 kind=$3 arg=$4 method=$5 params=${6:-null} status=0 why
    python3 "$python_client" --host 127.0.0.1 --port "$port" --timeout-ms 5000 --params "$params" "$method" \
        >"$work/pycall.out" 2>"$work/pycall.err" || status=$?
    if [[ $status != "$expected" ]]; then
        problems+=("$name: exit $status, expected $expected: $(cat "$work/pycall.out" "$work/pycall.err" | cell_text)")
    elif ! why=$(json_check "$kind" "$arg" <"$work/pycall.out"); then
        problems+=("$name: $why")
    fi
}

run_python_client() {
    problems=()
    python_call "ping ASCII" 0 pong '"ireader 0"' ping '"ireader 0"'
    python_call "ping non-ASCII" 0 pong '"héllo 😀"' ping '"héllo 😀"'
    python_call "unknown method" 1 error unknown-method frob.unknown '{}'
    python_call "lpj.describe" 0 describe "$model" lpj.describe
    if [[ ${#problems[@]} == 0 ]]; then
        echo "pass (4/4)"
    else
        echo "FAIL ($((4 - ${#problems[@]}))/4; $(printf '%s; ' "${problems[@]}" | cell_text))"
    fi
}

# start_python_server: conformance/python/lpj_server.py on 127.0.0.1, any free port; sets server_pid and
# server_port like start_server (common.sh), so stop_server stops it the same way (SIGTERM, exit 0).
start_python_server() {
    start_listening python3 "$python_server" --host 127.0.0.1 --port 0
}

run_c_ping() {
    problems=()
    local params status
    for params in '"ireader 0"' '"héllo 😀"'; do
        status=0
        "$lpj_c" ping --port "$port" "$params" >"$work/ping.out" 2>&1 || status=$?
        [[ $status == 0 ]] || problems+=("ping $params: exit $status: $(cell_text <"$work/ping.out")")
    done
    if [[ ${#problems[@]} == 0 ]]; then
        echo "pass (2/2)"
    else
        echo "FAIL ($((2 - ${#problems[@]}))/2; $(printf '%s; ' "${problems[@]}" | cell_text))"
    fi
}

run_c_interop() {
    local status=0 summary
    "$lpj_c" interop --port "$port" --byte-order little "$fixtures" >"$work/interop.out" 2>&1 || status=$?
    cp "$work/interop.out" "$work/interop-$model.out"
    summary=$(tail -n 1 "$work/interop.out")
    if [[ $status == 0 && $summary =~ ^([0-9]+)\ passed,\ 0\ failed$ ]]; then
        echo "pass (${BASH_REMATCH[1]}/${BASH_REMATCH[1]} fixtures)"
    elif [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        local ids first
        ids=$(sed -n 's/^FAIL \([^:]*\):.*/\1/p' "$work/interop.out" | paste -sd, - | sed 's/,/, /g')
        first=$(grep -m1 '^FAIL ' "$work/interop.out" | cut -d' ' -f3- | cut -c1-160)
        echo "FAIL (${BASH_REMATCH[1]}/$((BASH_REMATCH[1] + BASH_REMATCH[2])) fixtures; failed: $ids; first: $first)" |
            cell_text
    else
        echo "FAIL (exit $status: $(tail -n 2 "$work/interop.out" | cell_text))"
    fi
}

for model in "${rows[@]}"; do
    echo "== $model"
    if [[ $model == python ]]; then started_row() { start_python_server; }; else started_row() { start_server "$lpj" --model "$model"; }; fi
    if ! started_row; then
        for column in "${columns[@]}"; do
            cell[$model,$column]="FAIL (the server did not start: $(cell_text <<<"$server_output"))"
        done
    else
        port=$server_port
        pid=$server_pid
        cell[$model,${columns[0]}]=$(run_swift_client)
        cell[$model,${columns[1]}]=$(run_c_ping)
        cell[$model,${columns[2]}]=$(run_c_interop)
        cell[$model,${columns[3]}]=$(run_python_client)
        status=0
        stop_server || status=$?
        if [[ $status != 0 ]]; then
            notes+=("\`$model\`: the server exited $status on SIGTERM, not 0: $(cell_text <<<"$server_output")")
            echo "WARNING: $model: the server (pid $pid) exited $status on SIGTERM, not 0"
        fi
    fi
    for column in "${columns[@]}"; do
        value=${cell[$model,$column]}
        echo "   $column: $value"
        if [[ $value == pass* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    done
    grep -E '^(FAIL|warn) ' "$work/interop-$model.out" 2>/dev/null | sed 's/^/     /' | cut -c1-240 || true
done

# ---- docs/interop.md ------------------------------------------------------------------------------

mkdir -p "$(dirname "$out_file")"
{
    echo "# Interoperability matrix"
    echo
    echo "Generated by \`conformance/interop.sh\` (do not edit by hand): every client against the reference"
    echo "server (\`lpj serve --model M --port 0\`, little-endian, default limit 1,048,576) in each concurrency"
    echo "model, and against the Python server (\`conformance/python/lpj_server.py --port 0\`, row \`python\`,"
    echo "same defaults), on $(uname -s) $(uname -m), lpj $("$lpj" --version 2>/dev/null || echo '?') (\`${lpj_source#"$root"/}\`),"
    echo "$(python3 --version 2>&1)."
    echo
    echo "| model | $(IFS='|'; echo "${columns[*]}" | sed 's/|/ | /g') |"
    echo "|---|---|---|---|---|"
    for model in "${rows[@]}"; do
        echo "| \`$model\` | ${cell[$model,${columns[0]}]} | ${cell[$model,${columns[1]}]} | ${cell[$model,${columns[2]}]} | ${cell[$model,${columns[3]}]} |"
    done
    echo
    echo "$passed passed, $failed failed (cells)."
    echo
    echo "- **Swift client (\`lpj call\`)**: \`ping \"ireader 0\"\` and \`ping \"héllo 😀\"\` must exit 0 with a pong"
    echo "  whose result equals the params; an unknown method must exit 1 with \`unknown-method\`;"
    echo "  \`lpj.describe\` must exit 0 and name protocol \`lpj/1\` and the model under test."
    echo "- **C client (\`lpj-c ping\`)**: \`conformance/c/build/lpj-c ping\` with the default params and with"
    echo "  \`\"héllo 😀\"\`; it exits 0 only for a pong whose result equals the params exactly (\`msg.value-equality\`)."
    echo "- **C client (\`lpj-c interop\`)**: \`lpj-c interop --byte-order little fixtures\`: each client-to-server"
    echo "  fixture for a little-endian server with the default limit, sent as recorded on its own connection and"
    echo "  half-closed; every response until end of stream is compared with the fixture's \`responses\`. The"
    echo "  fixtures written for a big-endian server are run by \`conformance/s390x.sh\` against"
    echo "  \`--byte-order big\`; those for an auto-detecting or a 65,536-octet server are not run live."
    echo "- **Python client (\`lpj_client.py\`)**: \`conformance/python/lpj_client.py\`, the same four calls as"
    echo "  \`lpj call\` (exit 0 with the pong, exit 1 with \`unknown-method\`, exit 0 with the description)."
    echo "- **Row \`python\`**: the Python server, written from the spec alone (\`conformance/python/\`), served to"
    echo "  every client; it is checked rule by rule by \`conformance/python/run_mutants.py\` (docs/conformance.md)."
    if [[ ${#notes[@]} -gt 0 ]]; then
        echo
        echo "Notes:"
        echo
        printf -- '- %s\n' "${notes[@]}"
    fi
} >"$out_file"

echo "interop: wrote ${out_file#"$root"/} in $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
