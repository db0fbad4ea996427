#!/usr/bin/env python3
"""conformance/tap.py - a recording TCP relay: what exactly do two LPJ peers put on the wire?

    tap.py --upstream-port P [--connections N] [--log FILE]

Listens on 127.0.0.1 (any free port), prints one line "tap: listening on 127.0.0.1:PORT", then relays
N connections (default 1) one after the other to 127.0.0.1:P, passing half-closes on, and records
every octet in both directions. When the last connection has ended it writes FILE (default: standard
output) as JSON:

    {"connections": [{"client_to_server": "HEX", "server_to_client": "HEX"}, ...]}

and exits 0. It exits 1 if no client connects within 60 s or the upstream refuses. Standard library
only. Used by s390x.sh to show the length prefixes a big-endian client and the server really write.
"""
import argparse
import json
import selectors
import socket
import sys


def relay(client: socket.socket, upstream: socket.socket) -> dict:
    """Copies both ways until both directions have ended; returns the octets of each."""
    seen = {client: bytearray(), upstream: bytearray()}
    peer = {client: upstream, upstream: client}
    open_reads = {client, upstream}
    selector = selectors.DefaultSelector()
    for s in open_reads:
        selector.register(s, selectors.EVENT_READ)
    while open_reads:
        events = selector.select(timeout=30)
        if not events:
            break  # nothing for 30 s: give up on this connection
        for key, _ in events:
            s = key.fileobj
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                data = b""
            if data:
                seen[s] += data
                try:
                    peer[s].sendall(data)
                except OSError:
                    pass  # the other side is gone; keep recording this one
                continue
            selector.unregister(s)
            open_reads.discard(s)
            try:
                peer[s].shutdown(socket.SHUT_WR)  # pass the half-close on
            except OSError:
                pass
    selector.close()
    return {"client_to_server": seen[client].hex(), "server_to_client": seen[upstream].hex()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--upstream-host", default="127.0.0.1")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--log", default="-")
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(60)
    print(f"tap: listening on 127.0.0.1:{listener.getsockname()[1]}", flush=True)
    connections = []
    status = 0
    try:
        for _ in range(args.connections):
            client, _ = listener.accept()
            with client, socket.create_connection((args.upstream_host, args.upstream_port), timeout=10) as upstream:
                client.settimeout(None)
                upstream.settimeout(None)
                connections.append(relay(client, upstream))
    except (OSError, socket.timeout) as error:
        print(f"tap: {error}", file=sys.stderr)
        status = 1
    finally:
        listener.close()
    text = json.dumps({"connections": connections}, indent=1) + "\n"
    if args.log == "-":
        sys.stdout.write(text)
    else:
        with open(args.log, "w", encoding="utf-8") as log:
            log.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
