# conformance/common.sh - shell helpers shared by interop.sh and s390x.sh (sourced, not run).
#
#   snapshot_lpj SRC DEST      copy the lpj binary once it is there and not changing, so that a rebuild
#                              during the run cannot swap it underneath ("Text file busy")
#   start_server LPJ ARGS...   `LPJ serve ARGS... --port 0` in the background; sets server_pid and
#                              server_port, or returns 1 with the server's output in server_output
#   stop_server                SIGTERM to server_pid (that PID only); returns the server's exit status,
#                              with everything the server printed in server_output

# snapshot_lpj SRC DEST: waits (up to 3 minutes) until SRC exists, keeps its size and time for a second,
# runs, and copies unchanged; returns 1 if it never does.
snapshot_lpj() {
    local src=$1 dest=$2 deadline=$((SECONDS + 180)) before after said=
    while ((SECONDS < deadline)); do
        if [[ -x $src ]]; then
            before=$(stat -c '%s %Y' "$src")
            sleep 1
            after=$(stat -c '%s %Y' "$src" 2>/dev/null || true)
            if [[ $before == "$after" ]] && cp "$src" "$dest" 2>/dev/null &&
                [[ $(stat -c '%s %Y' "$src" 2>/dev/null || true) == "$after" ]] &&
                "$dest" --version >/dev/null 2>&1; then
                return 0
            fi
        fi
        [[ -n $said ]] || echo "waiting for $src (missing or being rebuilt)"
        said=1
        sleep 2
    done
    return 1
}

server_pid=
server_port=
server_output=
server_log=

# start_listening COMMAND...: a server that prints "listening on 127.0.0.1:PORT" once it listens; sets
# server_pid, server_port, server_output and server_log, or returns 1 (the server stopped) when it never
# says where it listens within 10 s.
start_listening() {
    server_log=$(mktemp)
    "$@" >"$server_log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do
        grep -qs 'listening on' "$server_log" && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    server_output=$(cat "$server_log")
    server_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$server_output")
    if [[ -z $server_port ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
        rm -f "$server_log"
        return 1
    fi
}

# start_server LPJ ARGS...: the reference server on 127.0.0.1, any free port.
start_server() {
    local lpj=$1
    shift
    start_listening "$lpj" serve "$@" --port 0
}

# stop_server: SIGTERM by PID, then its exit status (0 is what lpj serve promises).
stop_server() {
    [[ -n $server_pid ]] || return 0
    local pid=$server_pid status=0
    server_pid=
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    server_output=$(cat "$server_log" 2>/dev/null || true)
    rm -f "$server_log"
    return "$status"
}
