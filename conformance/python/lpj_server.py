#!/usr/bin/env python3
"""lpj_server.py - an LPJ (lpj/1) server in plain Python 3 (standard library only, asyncio).

Written from spec/lpj.md alone, as a second implementation that shares no code with the Swift
reference. It is meant to be read: every rule of the spec that a server has to follow is handled in
one visible place, and the comments name the rule IDs.

    python3 lpj_server.py --port 0                  # prints "listening on 127.0.0.1:PORT"
    python3 lpj_server.py --variant big-endian       # a legal configuration, see --list-variants
    python3 lpj_server.py --mutant one-read-body     # a deliberately broken server, see --list-mutants

Documented choices (spec Section 1.6):
  body-size limit     --max-body, default 1,048,576 octets (at least 65,536)
  depth limit         --max-depth, default 512 (at least 64)
  byte orders         little (default), big, native (resolved to the host's order), auto
  body.numbers        "text": every number keeps its exact text and is written back as received
                      (--numbers decimal: arbitrary-precision decimal, written in Python's notation)
  duplicates          --duplicates all (default: kept and echoed), last, first or reject
  idle time-out       --idle-timeout-ms, default 60,000; never while a request is outstanding
  slow sender         --slow-sender-ms, default 30,000: the time one partial frame may take
  slow reader         --slow-reader-ms, default 30,000: how long a response may wait for the client
  connections         --max-connections, default 256 (0: no limit); refusals --refuse overloaded|close;
                      --serial serves one at a time; --end-delay-ms handles a client's end of stream late
  extensions          sleep and relay (--no-extensions turns them off); relay only to upstreams
                      matching --relay-allow HOST:PORT patterns, loopback only by default
"""
import argparse
import asyncio
import decimal
import ipaddress
import fnmatch
import json
import re
import signal
import sys
import time

SERVER_NAME = "lpj-python/1.0"
READ_CHUNK = 65536
PIPELINE_WINDOW = 128        # requests read ahead per connection before we stop reading (backpressure)
STREAM_BUFFER = 65536        # asyncio's read-ahead per connection (it pauses reading at twice this)
REFUSAL_WAIT_S = 10.0        # how long a refused connection may take to send its first request
RELAY_RESPONSE_LIMIT = 1048576 + 65536
RELAY_MAX_TIMEOUT_MS = 86_400_000
ERROR_CODES = ("frame-too-large", "invalid-utf8", "invalid-json", "invalid-request", "unknown-method",
               "invalid-params", "internal-error", "timeout", "upstream-error", "overloaded")
BOM = b"\xef\xbb\xbf"


def log(text):
    print(time.strftime("%H:%M:%S ") + text, file=sys.stderr, flush=True)


# ---- Framing and byte order (Sections 2 and 3) ---------------------------------------------------

def decode_prefix(prefix, order):
    """frame.prefix-size: 4 octets, an unsigned 32-bit integer in the connection's byte order."""
    return int.from_bytes(prefix, order, signed=False)


def encode_frame(body, order):
    """frame.length-counts-octets: the prefix counts the octets of the encoded body."""
    return len(body).to_bytes(4, order) + body


def auto_order(prefix, limit):
    """order.auto-algorithm, exactly as the spec writes it."""
    le, be = int.from_bytes(prefix, "little"), int.from_bytes(prefix, "big")
    if le == be:
        return "little"
    if le <= limit < be:
        return "little"
    if be <= limit < le:
        return "big"
    return "little"          # ambiguous (both fit) or both oversized: little wins


def oversize_message(prefix, length, limit, order):
    """frame.oversize-error-reply and order.mismatch-diagnosis: the length, the limit, the likely cause."""
    text = "length %d exceeds limit %d" % (length, limit)
    other = "big" if order == "little" else "little"
    swapped = int.from_bytes(prefix, other)
    if swapped <= limit:
        text += "; read %s-endian it would be %d: the peer probably uses %s-endian byte order" % (other, swapped, other)
    if all(0x20 <= octet <= 0x7E for octet in prefix):
        text += "; the prefix octets are printable ASCII (%s): the peer probably wrote text without a length prefix" % json.dumps(prefix.decode("ascii"))
    return text


# ---- Body: strict UTF-8 and strict JSON (Section 4) ----------------------------------------------

class BodyError(Exception):
    """A body or message the server refuses: an error response with this code, rule and offset."""

    def __init__(self, code, rule, message, offset=None):
        super().__init__(message)
        self.code, self.rule, self.message, self.offset = code, rule, message, offset


class Num:
    """A JSON number kept as its exact text (body.numbers: the "text" choice)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Num(%s)" % self.text


class Obj:
    """A JSON object: its members in body order, duplicate names kept (body.nested-duplicates)."""
    __slots__ = ("pairs",)

    def __init__(self, pairs=()):
        self.pairs = list(pairs)

    def get_all(self, name):
        return [value for key, value in self.pairs if key == name]

    def __repr__(self):
        return "Obj(%r)" % self.pairs


# Well-formed UTF-8 (RFC 3629; Unicode Table 3-7): one sequence, and a run of non-ASCII sequences.
_UTF8_SEQUENCE = (rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                  rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                  rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})")
UTF8_ONE = re.compile(_UTF8_SEQUENCE)
UTF8_RUN = re.compile(_UTF8_SEQUENCE + rb"+")
PLAIN_RUN = re.compile(rb'[\x20\x21\x23-\x5b\x5d-\x7f]+')      # string octets needing no attention
WHITESPACE = re.compile(rb"[ \t\n\r]*")                        # body.json-text: only these four
DIGITS = re.compile(rb"[0-9]*")
HEX = b"0123456789abcdefABCDEF"
SIMPLE_ESCAPES = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b", ord("f"): "\f",
                  ord("n"): "\n", ord("r"): "\r", ord("t"): "\t"}
NONFINITE = re.compile(rb"[-+]?(?:NaN|nan|Infinity|infinity|inf|Inf)")


class Parser:
    """One left-to-right pass over a body: UTF-8, BOM, JSON grammar, surrogates, non-finite numbers
    and depth, so the defect that begins earliest decides the code (body.utf8). No recursion: the
    depth of the input never touches Python's stack (body.nesting-limit)."""

    def __init__(self, body, max_depth):
        self.body, self.max_depth, self.pos = body, max_depth, 0

    # -- errors --
    def fail(self, point, rule, message, report=None):
        """A JSON defect whose error point is `point`. If an ill-formed UTF-8 sequence starts at the same
        octet, the code is invalid-utf8 (body.utf8). `report` is the offset to send when it is the start
        of the token or escape that contains the error point rather than the point itself."""
        if point < len(self.body) and self.body[point] >= 0x80 and not UTF8_ONE.match(self.body, point):
            self.fail_utf8(point)
        raise BodyError("invalid-json", rule, message, point if report is None else report)

    def fail_utf8(self, start):
        raise BodyError("invalid-utf8", "body.utf8", "ill-formed UTF-8 sequence at offset %d" % start, start)

    # -- the body --
    def parse(self):
        body = self.body
        if body.startswith(BOM):
            raise BodyError("invalid-json", "body.no-bom", "body begins with a byte order mark", 0)
        self.skip_ws()
        if self.pos == len(body):
            if not body:
                raise BodyError("invalid-json", "frame.zero-length", "empty body: expected a JSON value", 0)
            raise BodyError("invalid-json", "body.json-text", "body is whitespace only: expected a JSON value", len(body))
        value = self.value()
        self.skip_ws()
        if self.pos != len(body):
            self.fail(self.pos, "body.json-text", "unexpected text after the JSON value")
        return value

    def skip_ws(self):
        self.pos = WHITESPACE.match(self.body, self.pos).end()

    def peek(self):
        return self.body[self.pos] if self.pos < len(self.body) else None

    def value(self):
        """A value of any depth, with an explicit stack of open containers."""
        stack = []                               # [container, pending member name or None]
        while True:
            self.skip_ws()
            c = self.peek()
            if c == 0x5B or c == 0x7B:           # [ or {
                if len(stack) + 1 > self.max_depth:
                    raise BodyError("invalid-json", "body.nesting-limit",
                                    "nesting depth exceeds %d" % self.max_depth, self.pos)
                self.pos += 1
                self.skip_ws()
                if c == 0x5B and self.peek() == 0x5D:
                    self.pos += 1
                    value = []
                elif c == 0x7B and self.peek() == 0x7D:
                    self.pos += 1
                    value = Obj()
                elif c == 0x5B:
                    stack.append([[], None])
                    continue
                else:
                    stack.append([Obj(), self.member_name()])
                    continue
            else:
                value = self.scalar()
            # A value is complete: attach it, then close as many containers as the text closes.
            while True:
                if not stack:
                    return value
                container, name = stack[-1]
                if name is None:
                    container.append(value)
                else:
                    container.pairs.append((name, value))
                self.skip_ws()
                c = self.peek()
                if c == 0x2C:                    # ,
                    self.pos += 1
                    if name is not None:
                        stack[-1][1] = self.member_name()
                    break
                if (c == 0x5D and name is None) or (c == 0x7D and name is not None):
                    self.pos += 1
                    value = stack.pop()[0]
                    continue
                self.fail(self.pos, "body.json-text",
                          "expected ',' or '%s'" % ("]" if name is None else "}") if c is not None
                          else "the body ended inside an %s" % ("array" if name is None else "object"))

    def member_name(self):
        self.skip_ws()
        if self.peek() != 0x22:
            self.fail(self.pos, "body.json-text", "expected a member name (a string)" if self.peek() is not None
                      else "the body ended inside an object")
        name = self.string()
        self.skip_ws()
        if self.peek() != 0x3A:
            self.fail(self.pos, "body.json-text", "expected ':' after a member name")
        self.pos += 1
        return name

    def scalar(self):
        body, start = self.body, self.pos
        c = self.peek()
        if c is None:
            self.fail(start, "body.json-text", "the body ended where a value was expected")
        if c == 0x22:
            return self.string()
        if c == 0x2D or 0x30 <= c <= 0x39:
            return self.number()
        for word, value in ((b"true", True), (b"false", False), (b"null", None)):
            if body.startswith(word, start):
                self.pos += len(word)
                return value
            if body[start] == word[0]:           # a literal cut short or misspelt: point at the first wrong octet
                point = start
                while point < len(body) and point - start < len(word) and body[point] == word[point - start]:
                    point += 1
                self.fail(point, "body.json-text", "invalid literal")
        if NONFINITE.match(body, start):
            self.fail(start, "body.no-nonfinite", "NaN and Infinity are not JSON numbers")
        self.fail(start, "body.json-text", "expected a JSON value")

    def number(self):
        body, start = self.body, self.pos
        p = start + 1 if body[start] == 0x2D else start
        if p >= len(body) or not 0x30 <= body[p] <= 0x39:
            if NONFINITE.match(body, start):
                self.fail(p, "body.no-nonfinite", "NaN and Infinity are not JSON numbers", report=start)
            self.fail(p, "body.json-text", "expected a digit")
        p = p + 1 if body[p] == 0x30 else DIGITS.match(body, p).end()
        if p < len(body) and body[p] == 0x2E:    # fraction
            p += 1
            if p >= len(body) or not 0x30 <= body[p] <= 0x39:
                self.fail(p, "body.json-text", "expected a digit after '.'")
            p = DIGITS.match(body, p).end()
        if p < len(body) and body[p] in b"eE":   # exponent
            p += 1
            if p < len(body) and body[p] in b"+-":
                p += 1
            if p >= len(body) or not 0x30 <= body[p] <= 0x39:
                self.fail(p, "body.json-text", "expected a digit in the exponent")
            p = DIGITS.match(body, p).end()
        self.pos = p
        return Num(body[start:p].decode("ascii"))

    def string(self):
        """A string starting at the opening quote: UTF-8 checked, escapes decoded (body.escapes-equal),
        surrogate escapes paired (body.no-lone-surrogates)."""
        body, parts = self.body, []
        self.pos += 1
        while True:
            p = self.pos
            m = PLAIN_RUN.match(body, p) or UTF8_RUN.match(body, p)
            if m:
                parts.append(self.text(body[p:m.end()]))
                self.pos = m.end()
                continue
            if p >= len(body):
                self.fail(p, "body.json-text", "the body ended inside a string")
            c = body[p]
            if c == 0x22:
                self.pos = p + 1
                return "".join(parts)
            if c == 0x5C:
                parts.append(self.escape())
            elif c >= 0x80:
                self.fail_utf8(p)                # no well-formed sequence starts here
            else:
                self.fail(p, "body.json-text", "unescaped control character U+%04X in a string" % c)

    def text(self, octets):
        """Octets already checked to be well-formed UTF-8, as text."""
        return octets.decode("utf-8")

    def hex4(self, p):
        """The four hexadecimal digits of a \\u escape starting at p (the backslash)."""
        for q in range(p + 2, p + 6):
            if q >= len(self.body) or self.body[q] not in HEX:
                self.fail(q, "body.json-text", "\\u needs four hexadecimal digits")
        return int(self.body[p + 2:p + 6], 16)

    def escape(self):
        body, p = self.body, self.pos
        if p + 1 >= len(body):
            self.fail(p + 1, "body.json-text", "the body ended inside an escape")
        c = body[p + 1]
        if c in SIMPLE_ESCAPES:
            self.pos = p + 2
            return SIMPLE_ESCAPES[c]
        if c != 0x75:                            # u
            self.fail(p + 1, "body.json-text", "invalid escape")
        code = self.hex4(p)
        self.pos = p + 6
        if 0xDC00 <= code <= 0xDFFF:
            self.fail(p + 2, "body.no-lone-surrogates", "lone low surrogate escape", report=p)
        if 0xD800 <= code <= 0xDBFF:
            if not body.startswith(b"\\u", p + 6):
                self.fail(p + 6, "body.no-lone-surrogates", "high surrogate escape not followed by a low one", report=p)
            low = self.hex4(p + 6)
            if not 0xDC00 <= low <= 0xDFFF:
                self.fail(p + 8, "body.no-lone-surrogates", "high surrogate escape not followed by a low one", report=p)
            self.pos = p + 12
            return chr(0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00))
        return chr(code)


def parse_body(body, max_depth):
    """Steps 1 to 3 of spec Section 4: the JSON value of a body, or BodyError."""
    return Parser(body, max_depth).parse()


def dump_string(text):
    """A string as JSON: quotes, backslashes and control characters escaped, the rest raw UTF-8."""
    return json.dumps(text, ensure_ascii=False)


def dump_number(number, numbers="text"):
    """body.numbers: the number's own text, or (--numbers decimal) Python's decimal notation."""
    return number.text if numbers == "text" else str(decimal.Decimal(number.text))


def dump(value, numbers="text"):
    """A value as compact JSON text. Strings are escaped by the json module; numbers keep their text."""
    out = []

    def write(v):
        if v is None:
            out.append("null")
        elif v is True:
            out.append("true")
        elif v is False:
            out.append("false")
        elif isinstance(v, Num):
            out.append(dump_number(v, numbers))
        elif isinstance(v, str):
            out.append(dump_string(v))
        elif isinstance(v, list):
            out.append("[")
            for i, item in enumerate(v):
                if i:
                    out.append(",")
                write(item)
            out.append("]")
        else:
            out.append("{")
            for i, (name, item) in enumerate(v.pairs):
                if i:
                    out.append(",")
                out.append(dump_string(name))
                out.append(":")
                write(item)
            out.append("}")
    write(value)
    return "".join(out)


def encode_message(message, numbers="text"):
    return dump(message, numbers).encode("utf-8")


def response(out, result):
    return Obj([("out", out), ("result", result)])


INTEGER_STYLE = {"style": "plain"}                # --integer-style, set by parse_arguments


def integer_number(n):
    """An integer this server states (a describe member, an error offset). An integer is a number whose value
    is an integer, in any notation: plain (100000), or with --integer-style exponent the same value in
    exponent form (1E5, 3.7E1, 0E0)."""
    if INTEGER_STYLE["style"] == "plain":
        return Num(str(n))
    digits = str(abs(n))
    fraction = digits[1:].rstrip("0")
    return Num("%s%s%sE%d" % ("-" if n < 0 else "", digits[0], "." + fraction if fraction else "", len(digits) - 1))


def error_response(code, message, rule=None, offset=None):
    """msg.error-response: code and message, the rule broken, and the offset for body errors."""
    result = Obj([("code", code), ("message", message)])
    if rule:
        result.pairs.append(("rule", rule))
    if offset is not None:
        result.pairs.append(("offset", integer_number(offset)))
    return response("error", result)


def check_request(message):
    """Steps 4 and 5: body.object, msg.duplicate-members, msg.request. Returns (method, params)."""
    if not isinstance(message, Obj):
        raise BodyError("invalid-request", "body.object", "the request is not a JSON object", 0)
    ins, params = message.get_all("in"), message.get_all("params")
    if len(ins) > 1 or len(params) > 1:
        raise BodyError("invalid-request", "msg.duplicate-members",
                        "the request has more than one '%s' member" % ("in" if len(ins) > 1 else "params"))
    if not ins:
        raise BodyError("invalid-request", "msg.request", "the request has no 'in' member")
    if not params:
        raise BodyError("invalid-request", "msg.request", "the request has no 'params' member")
    if not isinstance(ins[0], str):
        raise BodyError("invalid-request", "msg.request", "'in' must be a string")
    return ins[0], params[0]


# ---- Methods (Sections 5 and 8) ------------------------------------------------------------------

class InvalidParams(Exception):
    def __init__(self, rule, message):
        super().__init__(message)
        self.rule = rule


def has_duplicates(value):
    """Whether any object inside value has a member name twice."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, list):
            todo.extend(v)
        elif isinstance(v, Obj):
            names = [name for name, _ in v.pairs]
            if len(set(names)) != len(names):
                return True
            todo.extend(item for _, item in v.pairs)
    return False


def apply_duplicates(value, choice):
    """body.nested-duplicates for params: "all" keeps every member, "last"/"first" keep one per name,
    "reject" refuses params with a duplicated name anywhere."""
    if choice == "all":
        return value
    if choice == "reject":
        if has_duplicates(value):
            raise InvalidParams("body.nested-duplicates", "duplicate member names in params are refused by this server")
        return value
    if isinstance(value, list):
        return [apply_duplicates(item, choice) for item in value]
    if isinstance(value, Obj):
        chosen = {}
        for index, (name, _) in enumerate(value.pairs):
            if choice == "last" or name not in chosen:
                chosen[name] = index
        keep = sorted(chosen.values())
        return Obj((value.pairs[i][0], apply_duplicates(value.pairs[i][1], choice)) for i in keep)
    return value


def member(params, name, rule, choice):
    """One member of sleep's or relay's params; a duplicated one is ambiguous under keep-all."""
    values = params.get_all(name)
    if len(values) > 1 and choice in ("all", "reject"):
        raise InvalidParams(rule, "'%s' appears more than once" % name)
    return values[-1] if values else None


def integer(value):
    """ext.*: a JSON number whose value is an integer (250, 250.0, 2.5e2); None otherwise.
    Integers beyond 10**18 are all out of every range here, so they come back as +-10**18."""
    if not isinstance(value, Num):
        return None
    number = decimal.Decimal(value.text)
    if abs(number) > 10 ** 18:
        return 10 ** 18 if number > 0 else -10 ** 18
    if number != number.to_integral_value():
        return None
    return int(number)


DOCUMENTATION_BLOCKS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")


def upstream_allowed(host, port, patterns):
    """ext.relay (Section 7.6): upstreams only from the allow-list; loopback only by default. The blocks
    reserved for documentation are refused whatever the list says (ext.relay.documentation-refused)."""
    try:
        if any(ipaddress.ip_address(host) in ipaddress.ip_network(block) for block in DOCUMENTATION_BLOCKS):
            return False
    except ValueError:
        pass
    if not patterns:
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    for pattern in patterns:
        pattern_host, _, pattern_port = pattern.rpartition(":")
        pattern_host = pattern_host.strip("[]")
        if fnmatch.fnmatchcase(host, pattern_host) and fnmatch.fnmatchcase(str(port), pattern_port):
            return True
    return False


class Methods:
    """The methods this server implements. Each returns the response message, or raises."""

    def __init__(self, config):
        self.config = config

    def names(self):
        names = ["ping"]
        if self.config.describe:
            names.append("lpj.describe")
        if self.config.extensions:
            names += ["sleep", "relay"]
        return sorted(names)

    def lookup(self, name):
        """msg.method-names: exact comparison of the decoded name, nothing else."""
        return {"ping": self.ping, "lpj.describe": self.describe, "sleep": self.sleep,
                "relay": self.relay}.get(name) if name in self.names() else None

    async def ping(self, params):
        """msg.ping: pong, and the params as they came (numbers keep their text)."""
        return response("pong", apply_duplicates(params, self.config.duplicates))

    async def describe(self, params):
        """msg.describe: params ignored; what this listener really does."""
        c = self.config
        return response("lpj.description", Obj([
            ("protocol", "lpj/1"), ("byteOrder", c.byte_order_stated), ("maxBody", integer_number(c.max_body)),
            ("maxDepth", integer_number(c.max_depth)), ("methods", self.names()), ("server", SERVER_NAME),
            ("duplicates", c.duplicates), ("numbers", c.numbers),
            ("idleTimeoutMs", integer_number(c.idle_timeout_ms)), ("slowSenderMs", integer_number(c.slow_sender_ms)),
            ("slowReaderMs", integer_number(c.slow_reader_ms)),
            ("maxConnections", integer_number(c.max_connections) if c.max_connections else None)]))

    def sleep_ms(self, params):
        if not isinstance(params, Obj):
            raise InvalidParams("ext.sleep", "params must be an object with an integer ms from 0 to 60000")
        ms = integer(member(params, "ms", "ext.sleep", self.config.duplicates))
        if ms is None or not 0 <= ms <= 60000:
            raise InvalidParams("ext.sleep", "ms must be an integer from 0 to 60000")
        return ms

    async def sleep(self, params):
        """ext.sleep: at least ms milliseconds from when the request was read, then slept."""
        params = apply_duplicates(params, self.config.duplicates)
        deadline = time.monotonic() + self.sleep_ms(params) / 1000
        while time.monotonic() < deadline:
            await asyncio.sleep(deadline - time.monotonic())
        return response("slept", params)

    def relay_call(self, params):
        """ext.relay's params: (host, port, method, upstream params, timeout in ms)."""
        choice = self.config.duplicates
        if not isinstance(params, Obj):
            raise InvalidParams("ext.relay", "params must be an object")
        host, port = member(params, "host", "ext.relay", choice), integer(member(params, "port", "ext.relay", choice))
        method, has_params = member(params, "in", "ext.relay", choice), bool(params.get_all("params"))
        timeout = params.get_all("timeout_ms")
        timeout_ms = integer(member(params, "timeout_ms", "ext.relay", choice)) if timeout else 5000
        if not isinstance(host, str) or not host:
            raise InvalidParams("ext.relay", "host must be a non-empty string")
        if port is None or not 1 <= port <= 65535:
            raise InvalidParams("ext.relay", "port must be an integer from 1 to 65535")
        if not isinstance(method, str):
            raise InvalidParams("ext.relay", "in must be a string")
        if not has_params:
            raise InvalidParams("ext.relay", "params is required (it may be null)")
        if timeout_ms is None or timeout_ms < 1:
            raise InvalidParams("ext.relay", "timeout_ms must be an integer of at least 1")
        if not upstream_allowed(host, port, self.config.relay_allow):
            raise InvalidParams("ext.relay", "upstream %s:%d is not in this server's allow-list" % (host, port))
        return host, port, method, member(params, "params", "ext.relay", choice), min(timeout_ms, RELAY_MAX_TIMEOUT_MS)

    async def relay(self, params):
        """ext.relay: one request to the upstream as an LPJ client, its response passed on unchanged."""
        params = apply_duplicates(params, self.config.duplicates)
        host, port, method, upstream_params, timeout_ms = self.relay_call(params)
        where = "%s:%d" % (host, port)
        try:
            return await asyncio.wait_for(self.upstream(host, port, method, upstream_params), timeout_ms / 1000)
        except asyncio.TimeoutError:
            return error_response("timeout", "upstream %s did not answer within %d ms" % (where, timeout_ms), "ext.relay")
        except UpstreamError as e:
            return error_response("upstream-error", "upstream %s: %s" % (where, e), "ext.relay")
        except OSError as e:
            return error_response("upstream-error", "upstream %s: %s" % (where, e.strerror or e), "ext.relay")

    async def upstream(self, host, port, method, params):
        """The relay's client side: it applies the client rules (conn.client-limit) to the reply."""
        reader, writer = await asyncio.open_connection(host, port)
        try:
            request = encode_message(Obj([("in", method), ("params", params)]), self.config.numbers)
            writer.write(encode_frame(request, "little"))
            await writer.drain()
            return await read_response(reader, RELAY_RESPONSE_LIMIT, self.config.max_depth)
        finally:
            writer.close()


class UpstreamError(Exception):
    pass


async def read_response(reader, limit, max_depth):
    """One response frame read as a client (little-endian): every check of conn.client-limit."""
    try:
        prefix = await reader.readexactly(4)
        length = decode_prefix(prefix, "little")
        if length > limit:
            raise UpstreamError("response length %d exceeds the limit %d (frame.oversize-close)" % (length, limit))
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise UpstreamError("the connection closed before a complete response (conn.eof-inside-frame)")
    try:
        message = parse_body(body, max_depth)
    except BodyError as e:
        raise UpstreamError("the response is not valid: %s [%s] at offset %s" % (e.message, e.rule, e.offset))
    return check_response(message)


def check_response(message):
    """msg.response, msg.duplicate-members and msg.error-response for a response; the message itself."""
    if not isinstance(message, Obj):
        raise UpstreamError("the response is not an object (body.object)")
    outs, results = message.get_all("out"), message.get_all("result")
    if len(outs) > 1 or len(results) > 1:
        raise UpstreamError("the response repeats out or result (msg.duplicate-members)")
    if len(outs) != 1 or len(results) != 1 or not isinstance(outs[0], str):
        raise UpstreamError("the response lacks a string out or a result (msg.response)")
    if outs[0] == "error":
        result = results[0]
        code = result.get_all("code") if isinstance(result, Obj) else []
        text = result.get_all("message") if isinstance(result, Obj) else []
        if len(code) != 1 or len(text) != 1 or not isinstance(code[0], str) or not isinstance(text[0], str):
            raise UpstreamError("the error response has no string code and message (msg.error-response)")
        if code[0] not in ERROR_CODES:
            raise UpstreamError("the error code %s is not in the registry (msg.error-codes)" % json.dumps(code[0]))
    return response(outs[0], results[0])


# ---- Connections (Section 6) ---------------------------------------------------------------------

class EndOfStream(Exception):
    """The client's stream ended; `partial` when it ended inside a frame (conn.eof-inside-frame)."""

    def __init__(self, partial):
        super().__init__("end of stream inside a frame" if partial else "end of stream")
        self.partial = partial


CLOSE = object()


class Connection:
    """One client connection: a reader that frames and dispatches requests, a writer that sends the
    responses in request order (conn.in-order), and a watchdog for the time limits."""

    def __init__(self, server, reader, writer, refusing=False):
        self.server, self.config, self.reader, self.writer = server, server.config, reader, writer
        self.refusing = refusing                   # over the connection limit: answer "overloaded", close
        self.order = None if self.config.byte_order == "auto" else self.config.byte_order
        self.responses = asyncio.Queue()           # futures of response messages, in request order
        self.outstanding = 0                       # complete requests whose response is not yet written
        self.window = asyncio.Event()
        self.partial_since = None                  # when the first octet of the current frame came
        self.idle_since = time.monotonic()
        self.tasks = set()
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.name = "%s:%s" % (peer[0], peer[1])

    async def serve(self):
        reading = self.reading = asyncio.current_task()
        writing = asyncio.ensure_future(self.write_responses())
        watching = asyncio.ensure_future(self.watch(reading))
        how = "error"
        try:
            how = await self.read_requests()
        except EndOfStream as e:
            how = "truncated" if e.partial else "half-close"
            if e.partial:
                log("%s: end of stream inside a frame: discarded, no response (conn.eof-inside-frame)" % self.name)
        except asyncio.CancelledError:
            how = "time-limit"
            if not self.server.stopping:
                asyncio.current_task().uncancel()
        except (ConnectionError, OSError):
            pass
        finally:
            await self.finish(how)
            try:
                await writing
            except BaseException:
                pass
            watching.cancel()
            for task in self.tasks:
                task.cancel()

    async def finish(self, how):
        """No more requests (how: half-close, truncated, oversized, refused, time-limit, error): the
        writer sends every queued response in order, then closes (conn.half-close, conn.eof-inside-frame)."""
        self.responses.put_nowait(CLOSE)

    # -- reading --
    async def read_exactly(self, n, buffer):
        """frame.reads-are-partial: as many reads as it takes."""
        while len(buffer) < n:
            chunk = await self.reader.read(min(READ_CHUNK, n - len(buffer)))
            if not chunk:
                await self.end_of_stream(partial=True)
            if self.partial_since is None:
                self.partial_since = time.monotonic()
            buffer += chunk
        return bytes(buffer)

    async def end_of_stream(self, partial):
        """The client's end of stream, handled end_delay_ms late: nothing bounds how soon a server must
        notice it, so meanwhile the connection still counts against the limit (sec.connection-limit)."""
        if self.config.end_delay_ms:
            await asyncio.sleep(self.config.end_delay_ms / 1000)
        raise EndOfStream(partial=partial)

    async def read_prefix(self):
        first = await self.reader.read(4)
        if not first:
            await self.end_of_stream(partial=False)   # at a frame boundary: a half-close (conn.half-close)
        self.partial_since = time.monotonic()
        return await self.read_exactly(4, bytearray(first))

    async def read_body(self, length):
        return await self.read_exactly(length, bytearray())

    def order_for(self, prefix):
        """The connection's byte order; with auto-detection, decided by the first prefix only."""
        if self.order is None:
            self.order = auto_order(prefix, self.config.max_body)
        return self.order

    async def read_requests(self):
        while True:
            prefix = await self.read_prefix()
            order = self.order_for(prefix)
            length = decode_prefix(prefix, order)
            if length > self.config.max_body:      # frame.limit-before-allocation: before any body read
                self.oversized(prefix, length, order)
                return "oversized"
            body = await self.read_body(length)
            self.partial_since = None
            self.dispatch(body)
            if self.refusing:
                return "refused"
            while self.outstanding >= PIPELINE_WINDOW:   # conn.pipelining: backpressure, never an error
                self.window.clear()
                await self.window.wait()

    def oversized(self, prefix, length, order):
        """frame.oversize-close: no body read; earlier responses, frame-too-large, then close."""
        self.writer.transport.pause_reading()
        message = oversize_message(prefix, length, self.config.max_body, order)
        log("%s: frame-too-large: %s" % (self.name, message))
        self.queue_response(error_response("frame-too-large", message, "frame.oversize-close"))

    # -- handling --
    def queue_response(self, message_or_awaitable):
        self.outstanding += 1
        if not asyncio.isfuture(message_or_awaitable):
            future = asyncio.get_running_loop().create_future()
            future.set_result(message_or_awaitable)
            message_or_awaitable = future
        self.responses.put_nowait(message_or_awaitable)

    def dispatch(self, body):
        """Exactly one response per complete request (conn.one-response), queued in arrival order."""
        if self.refusing:
            self.queue_response(error_response("overloaded", "the server is at its connection limit (%d)"
                                               % self.config.max_connections, "sec.connection-limit"))
            return
        try:
            method, params = check_request(parse_body(body, self.config.max_depth))
            handler = self.server.methods.lookup(method)
            if handler is None:
                raise BodyError("unknown-method", "msg.unknown-method", "no method named %s" % json.dumps(method[:100]))
        except BodyError as e:
            self.queue_response(error_response(e.code, e.message, e.rule, e.offset))
            return
        task = asyncio.ensure_future(self.run(handler, params))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        self.queue_response(task)

    async def run(self, handler, params):
        try:
            return await handler(params)
        except InvalidParams as e:
            return error_response("invalid-params", str(e), e.rule)
        except Exception as e:                      # a failing handler answers, it does not kill anything
            log("%s: internal error: %r" % (self.name, e))
            return error_response("internal-error", "the method failed")

    # -- writing --
    def frame(self, message):
        return encode_frame(encode_message(message, self.config.numbers), self.order or "little")

    async def write_responses(self):
        try:
            while True:
                item = await self.responses.get()
                if item is CLOSE:
                    break
                await self.send(self.frame(await item))
                self.outstanding -= 1
                self.window.set()
                if self.outstanding == 0:
                    self.idle_since = time.monotonic()
            await asyncio.wait_for(self.writer.drain(), self.config.slow_reader_ms / 1000)
            self.writer.close()
        except asyncio.TimeoutError:
            log("%s: the client has not read a response for %d ms: closed (sec.slow-reader)"
                % (self.name, self.config.slow_reader_ms))
            self.writer.transport.abort()
            self.reading.cancel()                  # a reader waiting for the window would wait for ever
        except (ConnectionError, OSError):
            self.writer.transport.abort()
            self.reading.cancel()
        finally:
            if not self.writer.transport.is_closing():
                self.writer.close()
            self.server.connection_closed(self)

    async def send(self, frame):
        """frame.single-write: prefix and body in one write. sec.slow-reader: a client that does not
        read for slow_reader_ms makes drain() time out, and the connection is dropped."""
        self.writer.write(frame)
        await asyncio.wait_for(self.writer.drain(), self.config.slow_reader_ms / 1000)

    # -- time limits --
    async def watch(self, reading):
        """conn.idle-timeout (never with a request outstanding) and sec.slow-sender."""
        config = self.config
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            if self.partial_since is not None:
                if now - self.partial_since > config.slow_sender_ms / 1000:
                    log("%s: a frame took more than %d ms: closed (sec.slow-sender)" % (self.name, config.slow_sender_ms))
                    reading.cancel()
                    return
            elif self.outstanding == 0 and now - self.idle_since > self.idle_limit():
                log("%s: idle for %d ms: closed (conn.idle-timeout)" % (self.name, config.idle_timeout_ms))
                reading.cancel()
                return

    def idle_limit(self):
        return REFUSAL_WAIT_S if self.refusing else self.config.idle_timeout_ms / 1000


# ---- The server ----------------------------------------------------------------------------------

class Server:
    def __init__(self, config):
        self.config = config
        self.methods = Methods(config)
        self.connections = set()
        self.turn = asyncio.Lock()                 # with --serial: the connection being served holds it
        self.stopping = False

    async def accept(self, reader, writer):
        """sec.connection-limit: beyond the limit, close at once or answer the first request overloaded."""
        config = self.config
        refusing = bool(config.max_connections) and len(self.connections) >= config.max_connections
        if refusing and config.refuse == "close":
            writer.close()
            return
        if config.serial:
            # conn.isolation.delay: one connection at a time, the others wait unread in their turn.
            async with self.turn:
                await self.serve_connection(reader, writer, refusing=False)
            return
        await self.serve_connection(reader, writer, refusing)

    async def serve_connection(self, reader, writer, refusing):
        connection = Connection(self, reader, writer, refusing)
        if not refusing:
            self.connections.add(connection)
        await connection.serve()

    def connection_closed(self, connection):
        self.connections.discard(connection)


VARIANTS = {
    # name: (flags, what it shows) - legal configurations that must pass `lpj check` clean.
    "default": ([], "the defaults: little-endian, 1 MiB, depth 512, duplicates kept, numbers as text"),
    "big-endian": (["--byte-order", "big"], "order.big-mode: every prefix big-endian"),
    "auto-detect": (["--byte-order", "auto"], "order.auto-detect: byte order detected per connection"),
    "native": (["--byte-order", "native"], "order.native-is-legacy: the host's order, stated resolved"),
    "limit-64k": (["--max-body", "65536"], "the smallest legal body-size limit"),
    "depth-64": (["--max-depth", "64"], "the smallest legal depth limit"),
    "no-describe": (["--no-describe"], "lpj.describe not offered (unknown-method)"),
    "no-extensions": (["--no-extensions"], "neither sleep nor relay"),
    "last-duplicate-wins": (["--duplicates", "last"], "body.nested-duplicates choice 2, stated by lpj.describe"),
    "first-duplicate-wins": (["--duplicates", "first"], "body.nested-duplicates choice 3"),
    "reject-duplicates": (["--duplicates", "reject"], "body.nested-duplicates choice 4: invalid-params"),
    "numbers-decimal": (["--numbers", "decimal"], "body.numbers choice 2: arbitrary-precision decimal"),
    "integers-in-exponent-form": (["--integer-style", "exponent"],
                                  "stated integers and error offsets written 1E5, 3.7E1: integers by value"),
    "idle-30s": (["--idle-timeout-ms", "30000"], "the shortest recommended idle time-out"),
    "slow-sender-10s": (["--slow-sender-ms", "10000"], "the shortest recommended slow-sender bound"),
    "slow-reader-10s": (["--slow-reader-ms", "10000"], "the shortest slow-reader bound allowed"),
    "connection-limit-10": (["--max-connections", "10", "--refuse", "overloaded"],
                            "10 connections; the 11th gets overloaded for its first request"),
    "connection-limit-close": (["--max-connections", "10", "--refuse", "close"],
                               "10 connections; the 11th is closed at once"),
    "late-eof-limit-8": (["--max-connections", "8", "--end-delay-ms", "150"],
                                    "8 connections, the least allowed; a client's end of stream handled 150 ms late, "
                                    "the connection counted until then"),
    "idle-1s": (["--idle-timeout-ms", "1000"], "the shortest idle time-out allowed, stated as idleTimeoutMs 1000"),
    "serial-idle-1500": (["--serial", "--idle-timeout-ms", "1500", "--slow-sender-ms", "2500"],
                         "one connection at a time (conn.isolation.delay), each closed after 1.5 s idle"),
    "minimal": (["--max-body", "65536", "--max-depth", "64", "--no-describe", "--no-extensions"],
                "everything at its minimum, nothing optional"),
}


def parse_arguments(argv):
    p = argparse.ArgumentParser(description="An LPJ (lpj/1) server in plain Python.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7357, help="0: pick a free port")
    p.add_argument("--byte-order", choices=["little", "big", "native", "auto"], default="little")
    p.add_argument("--max-body", type=int, default=1048576, help="body-size limit in octets (>= 65536)")
    p.add_argument("--max-depth", type=int, default=512, help="depth limit (>= 64)")
    p.add_argument("--idle-timeout-ms", type=int, default=60000)
    p.add_argument("--slow-sender-ms", type=int, default=30000, help="time one partial frame may take (>= 2000)")
    p.add_argument("--slow-reader-ms", type=int, default=30000, help="time a response may wait to be read (>= 10000)")
    p.add_argument("--max-connections", type=int, default=256, help="0: no limit; else >= 8")
    p.add_argument("--refuse", choices=["overloaded", "close"], default="overloaded",
                   help="beyond the connection limit: answer the first request overloaded, or close at once")
    p.add_argument("--serial", action="store_true",
                   help="serve one connection at a time; the others wait their turn (conn.isolation.delay)")
    p.add_argument("--end-delay-ms", type=int, default=0,
                   help="handle a client's end of stream this much later (the connection counts until then)")
    p.add_argument("--duplicates", choices=["all", "last", "first", "reject"], default="all")
    p.add_argument("--numbers", choices=["text", "decimal"], default="text")
    p.add_argument("--integer-style", choices=["plain", "exponent"], default="plain",
                   help="how stated integers (describe members, error offsets) are written: 100000 or 1E5")
    p.add_argument("--no-describe", dest="describe", action="store_false")
    p.add_argument("--no-extensions", dest="extensions", action="store_false")
    p.add_argument("--relay-allow", action="append", default=[], metavar="HOST:PORT",
                   help="an upstream relay may call (* wildcards; repeatable); default: loopback only")
    p.add_argument("--variant", help="a legal configuration (--list-variants)")
    p.add_argument("--mutant", help="a deliberately non-conforming server (--list-mutants)")
    p.add_argument("--list-variants", action="store_true")
    p.add_argument("--list-mutants", action="store_true")
    args = p.parse_args(argv)
    if args.variant:
        if args.variant not in VARIANTS:
            p.error("unknown variant %s (see --list-variants)" % args.variant)
        args = p.parse_args(argv + VARIANTS[args.variant][0])
    checks = [(args.max_body >= 65536, "--max-body must be at least 65536 (frame.max-size-minimum)"),
              (args.max_body <= 0xFFFFFFFF, "--max-body must fit the 32-bit prefix"),
              (64 <= args.max_depth <= 100000, "--max-depth must be from 64 (body.nesting-minimum) to 100000"),
              (args.idle_timeout_ms >= 1000, "--idle-timeout-ms must be at least 1000"),
              (args.slow_sender_ms >= 2000, "--slow-sender-ms must be at least 2000"),
              (args.slow_reader_ms >= 10000, "--slow-reader-ms must be at least 10000 (sec.slow-reader)"),
              (args.max_connections == 0 or args.max_connections >= 8, "--max-connections must be 0 or at least 8")]
    for ok, why in checks:
        if not ok:
            p.error(why)
    INTEGER_STYLE["style"] = args.integer_style
    args.byte_order_stated = sys.byteorder if args.byte_order == "native" else args.byte_order
    if args.byte_order == "native":
        args.byte_order = sys.byteorder           # order.native-is-legacy: an alias, never a third format
    return args


async def serve(config):
    server = Server(config)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * config.max_depth + 1000))
    listener = await asyncio.start_server(server.accept, config.host, config.port, backlog=512, limit=STREAM_BUFFER)
    host, port = listener.sockets[0].getsockname()[:2]
    print("listening on %s:%d" % (host, port), flush=True)
    log("lpj-python serving %s:%d (byte order %s, limit %d, depth %d%s%s)" % (
        host, port, config.byte_order_stated, config.max_body, config.max_depth,
        ", mutant " + config.mutant if config.mutant else "", ", variant " + config.variant if config.variant else ""))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stopping = True
    listener.close()
    for connection in list(server.connections):
        connection.writer.transport.abort()
    log("stopped")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config = parse_arguments(argv)
    if config.list_variants:
        for name, (flags, text) in VARIANTS.items():
            print("%-24s %-50s %s" % (name, " ".join(flags) or "(none)", text))
        return 0
    if config.list_mutants or config.mutant:
        import lpj_mutants
        if config.list_mutants:
            lpj_mutants.print_list()
            return 0
        config = lpj_mutants.apply(config.mutant, sys.modules[__name__], argv)
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
