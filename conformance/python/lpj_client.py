#!/usr/bin/env python3
"""lpj_client.py - a plain LPJ (lpj/1) client: one request, one response, every check of the spec.

    python3 lpj_client.py [--host 127.0.0.1] --port PORT [--byte-order little|big] METHOD [PARAMS]

(the lpj-client/1 convention of `lpj check-client`: --host {host} --port {port} {method} {params})

It sends {"in": METHOD, "params": PARAMS} (PARAMS is JSON text, default null) and reads one response:

  exit 0   a successful response; its message is printed as one line of JSON on stdout
  exit 1   an error response (an unknown code is treated as internal-error); printed the same way
  exit 2   the reply broke a rule (framing, size, UTF-8, JSON, not a valid response, end of stream
           before a complete response, time-out): one line on stderr names the rule ID
  exit 64  bad command line (params that are not JSON, ...)

The body checks are lpj_server.py's (one parser for both roles); the rest is here: the response limit
checked before the body is read (conn.client-limit), partial reads, msg.response, msg.duplicate-members
and msg.error-response. `--mutant NAME` breaks one client requirement (see --list-mutants).
"""
import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lpj_server as lpj   # noqa: E402

RESPONSE_LIMIT = 1048576 + 65536     # a pong may be longer than the largest ping (conn.client-limit)
CODES = lpj.ERROR_CODES


class ReplyError(Exception):
    """The reply broke `rule` (at `offset` in the response body, where the rule concerns a body)."""

    def __init__(self, rule, reason, offset=None):
        super().__init__(reason)
        self.rule, self.reason, self.offset = rule, reason, offset


class Client:
    def __init__(self, host, port, order="little", limit=RESPONSE_LIMIT, timeout=5.0, max_depth=512):
        self.host, self.port, self.order, self.limit, self.max_depth = host, port, order, limit, max_depth
        self.deadline = time.monotonic() + timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def send(self, method, params):
        """One request: the prefix counts the octets of the UTF-8 body; prefix and body in one write."""
        body = lpj.encode_message(lpj.Obj([("in", method), ("params", params)]))
        self.sock.sendall(self.prefix(body) + body)

    def prefix(self, body):
        return len(body).to_bytes(4, self.order)

    def recv_some(self, n):
        self.sock.settimeout(max(0.001, self.deadline - time.monotonic()))
        try:
            return self.sock.recv(n)
        except socket.timeout:
            raise ReplyError("conn.client-limit", "no complete response in time")
        except ConnectionResetError:
            return b""

    def recv_exactly(self, n, what):
        """frame.reads-are-partial: as many reads as it takes; end of stream inside a frame is an error."""
        buffer = bytearray()
        while len(buffer) < n:
            chunk = self.recv_some(min(65536, n - len(buffer)))
            if not chunk:
                if not buffer and what == "prefix":
                    raise ReplyError("conn.eof-inside-frame", "the connection closed with the request outstanding")
                raise ReplyError("conn.eof-inside-frame", "the connection closed inside a response %s (%d of %d octets)"
                                 % (what, len(buffer), n))
            buffer += chunk
        return bytes(buffer)

    def read_length(self):
        """frame.prefix-size (unsigned), checked against the limit before any body octet is read."""
        length = int.from_bytes(self.recv_exactly(4, "prefix"), self.order)
        if length > self.limit:
            raise ReplyError("frame.oversize-close", "response length %d exceeds the limit %d" % (length, self.limit))
        return length

    def receive(self):
        """One response message, checked against every rule a client applies (conn.client-limit)."""
        body = self.recv_exactly(self.read_length(), "body")
        try:
            message = lpj.parse_body(body, self.max_depth)
        except lpj.BodyError as e:
            raise ReplyError(e.rule, e.message, e.offset)
        return check_response(message)

    def close(self):
        self.sock.close()


def check_response(message):
    """body.object, msg.duplicate-members, msg.response, msg.error-response."""
    if not isinstance(message, lpj.Obj):
        raise ReplyError("body.object", "the response is not a JSON object")
    outs, results = message.get_all("out"), message.get_all("result")
    if len(outs) > 1 or len(results) > 1:
        raise ReplyError("msg.duplicate-members", "the response has more than one %s" % ("out" if len(outs) > 1 else "result"))
    if not outs or not results or not isinstance(outs[0], str):
        raise ReplyError("msg.response", "the response needs a string 'out' and a 'result'")
    if outs[0] == "error":
        result = results[0]
        code = result.get_all("code") if isinstance(result, lpj.Obj) else []
        text = result.get_all("message") if isinstance(result, lpj.Obj) else []
        if len(code) != 1 or len(text) != 1 or not isinstance(code[0], str) or not isinstance(text[0], str):
            raise ReplyError("msg.error-response", "an error response needs string members code and message")
    return message


def is_error(message):
    """Whether a valid response is an error response; msg.error-codes: unknown codes are internal-error."""
    return message.get_all("out")[0] == "error"


def main(argv=None):
    p = argparse.ArgumentParser(description="A plain LPJ client: one request, one response.")
    p.add_argument("method", nargs="?")
    p.add_argument("params_json", nargs="?", metavar="params", help="the params, as JSON text (default null)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int)
    p.add_argument("--params", default="null", help="the params, as JSON text (the positional PARAMS wins)")
    p.add_argument("--byte-order", choices=["little", "big"], default="little")
    p.add_argument("--timeout-ms", type=int, default=5000)
    p.add_argument("--mutant", help="break one client requirement (--list-mutants)")
    p.add_argument("--list-mutants", action="store_true")
    args = p.parse_args(argv)
    if args.list_mutants:
        for mu in MUTANTS.values():
            print("%s\t%s\t%s\t%s" % (mu.name, mu.requirement, mu.level, mu.description))
        print("%d mutants" % len(MUTANTS))
        return 0
    if args.method is None or args.port is None:
        p.print_usage(sys.stderr)
        return 64
    if args.mutant:
        if args.mutant not in MUTANTS:
            print("lpj_client: unknown mutant %s" % args.mutant, file=sys.stderr)
            return 64
        MUTANTS[args.mutant].apply(sys.modules[__name__])
    try:
        text = args.params_json if args.params_json is not None else args.params
        params = lpj.parse_body(text.encode("utf-8", "surrogateescape"), 512)
    except lpj.BodyError as e:
        print("lpj_client: --params is not JSON: %s at offset %s" % (e.message, e.offset), file=sys.stderr)
        return 64
    return call(args, params)


def call(args, params):
    try:
        client = Client(args.host, args.port, args.byte_order, timeout=args.timeout_ms / 1000)
    except OSError as e:
        print("lpj_client: conn.client-limit: cannot connect to %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
        return 2
    try:
        client.send(args.method, params)
        message = client.receive()
    except ReplyError as e:
        where = "" if e.offset is None else " at offset %d" % e.offset
        print("lpj_client: %s: %s%s" % (e.rule, e.reason, where), file=sys.stderr)
        return 2
    except OSError as e:
        print("lpj_client: conn.client-limit: %s" % e, file=sys.stderr)
        return 2
    finally:
        client.close()
    print(lpj.dump(message), flush=True)
    return 1 if is_error(message) else 0


# ---- Client mutants: each breaks one client requirement ------------------------------------------

class Mutant:
    def __init__(self, name, requirement, level, description, apply):
        self.name, self.requirement, self.level, self.description, self.apply = name, requirement, level, description, apply


MUTANTS = {}


def mutant(name, requirement, level, description):
    def register(apply):
        MUTANTS[name] = Mutant(name, requirement, level, description, apply)
        return apply
    return register


@mutant("one-recv", "frame.reads-are-partial.assemble", "MUST", "one recv(length) for the body, as in the tutorial")
def _(c):
    def recv_exactly(self, n, what):
        data = self.recv_some(n) if n else b""
        if not data and n:
            raise ReplyError("conn.eof-inside-frame", "closed")
        return data
    c.Client.recv_exactly = recv_exactly


@mutant("no-response-limit", "conn.client-limit.limit", "MUST", "no limit on a response's length: it waits for whatever the prefix says")
def _(c):
    c.RESPONSE_LIMIT = 0xFFFFFFFF
    original = c.Client.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.limit = 0xFFFFFFFF
    c.Client.__init__ = init


@mutant("accept-duplicate-out", "msg.duplicate-members.client", "MUST", "a response with 'out' twice is accepted (the last wins)")
def _(c):
    original = c.check_response

    def check_response(message):
        if isinstance(message, lpj.Obj) and len(message.get_all("out")) > 1:
            last = message.get_all("out")[-1]
            message = lpj.Obj([(n, v) for n, v in message.pairs if n != "out"] + [("out", last)])
        return original(message)
    c.check_response = check_response


@mutant("length-in-characters", "frame.length-counts-octets.sender", "MUST", "the request prefix counts characters, not octets")
def _(c):
    def send(self, method, params):
        text = lpj.dump(lpj.Obj([("in", method), ("params", params)]))
        self.sock.sendall(len(text).to_bytes(4, self.order) + text.encode("utf-8"))
    c.Client.send = send


@mutant("eof-not-reported", "conn.eof-inside-frame.client", "MUST", "end of stream before a complete response is handed on as a null result")
def _(c):
    original = c.Client.receive

    def receive(self):
        try:
            return original(self)
        except ReplyError as e:
            if e.rule == "conn.eof-inside-frame":
                return lpj.Obj([("out", "pong"), ("result", None)])
            raise
    c.Client.receive = receive


@mutant("unknown-code-success", "msg.error-codes.client-unknown", "MUST", "an error code outside the registry is taken for success")
def _(c):
    def is_error(message):
        if message.get_all("out")[0] != "error":
            return False
        code = message.get_all("result")[0].get_all("code")[0]
        return code in CODES
    c.is_error = is_error


@mutant("big-endian-reader", "order.same-both-directions.client", "MUST", "requests are written little-endian, responses read big-endian")
def _(c):
    original = c.Client.read_length

    def read_length(self):
        self.order = "big"
        try:
            return original(self)
        finally:
            self.order = "little"
    c.Client.read_length = read_length


@mutant("utf8-replaced", "body.utf8.no-repair", "MUST NOT", "ill-formed UTF-8 in a response is replaced by U+FFFD, not refused")
def _(c):
    original = lpj.parse_body
    lpj.parse_body = lambda body, depth: original(body.decode("utf-8", "replace").encode("utf-8"), depth)


@mutant("accept-nan", "body.no-nonfinite.reject", "MUST", "NaN and Infinity in a response are accepted (json.loads' default)")
def _(c):
    original = lpj.parse_body
    lpj.parse_body = lambda body, depth: original(body.replace(b"NaN", b"null").replace(b"Infinity", b"1e999"), depth)


@mutant("missing-result-ok", "msg.response.client", "MUST", "a response without 'result' is accepted with a null result")
def _(c):
    original = c.check_response

    def check_response(message):
        if isinstance(message, lpj.Obj) and not message.get_all("result"):
            message.pairs.append(("result", None))
        return original(message)
    c.check_response = check_response


@mutant("error-without-code-ok", "msg.error-response.client-form", "MUST", "an error response without a code is accepted as internal-error")
def _(c):
    original = c.check_response

    def check_response(message):
        results = message.get_all("result") if isinstance(message, lpj.Obj) and message.get_all("out") == ["error"] else []
        if results and isinstance(results[0], lpj.Obj) and not results[0].get_all("code"):
            results[0].pairs.append(("code", "internal-error"))
        return original(message)
    c.check_response = check_response


@mutant("accept-bom", "body.no-bom.reject", "MUST", "a response body starting with a byte order mark is accepted")
def _(c):
    original = lpj.parse_body
    lpj.parse_body = lambda body, depth: original(body[3:] if body.startswith(lpj.BOM) else body, depth)


@mutant("signed-prefix", "frame.prefix-size.unsigned", "MUST", "the response prefix is read as a signed integer: ff ff ff ff is -1")
def _(c):
    def read_length(self):
        length = int.from_bytes(self.recv_exactly(4, "prefix"), self.order, signed=True)
        if length > self.limit:
            raise ReplyError("frame.oversize-close", "too large")
        return max(length, 0)
    c.Client.read_length = read_length


@mutant("accept-non-object", "body.object.client", "MUST", "a response that is a JSON array or scalar is printed as the result")
def _(c):
    original = c.check_response

    def check_response(message):
        if not isinstance(message, lpj.Obj):
            return lpj.Obj([("out", "pong"), ("result", message)])
        return original(message)
    c.check_response = check_response


@mutant("crash-on-bad-json", "conn.client-limit.robust", "MUST NOT", "a response that is not JSON raises an uncaught exception (a traceback, exit 1)")
def _(c):
    original = lpj.parse_body

    def parse_body(body, depth):
        try:
            return original(body, depth)
        except lpj.BodyError as e:
            if e.code == "invalid-json":
                raise ValueError("Expecting value: line 1 column %s" % e.offset)
            raise
    lpj.parse_body = parse_body


@mutant("skip-zero-length", "frame.zero-length.client", "MUST", "a zero-length response is skipped and the next frame taken for the response")
def _(c):
    def receive(self):
        while True:
            length = self.read_length()
            if length:
                break
        body = self.recv_exactly(length, "body")
        try:
            message = lpj.parse_body(body, self.max_depth)
        except lpj.BodyError as e:
            raise ReplyError(e.rule, e.message, e.offset)
        return c.check_response(message)
    c.Client.receive = receive


@mutant("accept-trailing-text", "body.json-text.reject", "MUST", "text after the response's JSON value is ignored")
def _(c):
    def parse(self):
        self.skip_ws()
        return self.value()
    lpj.Parser.parse = parse


if __name__ == "__main__":
    sys.exit(main())
