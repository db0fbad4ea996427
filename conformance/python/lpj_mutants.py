"""lpj_mutants.py - deliberately broken variants of lpj_server.py, one requirement each.

Each mutant breaks exactly one requirement of spec/lpj.md, the way real implementations break it,
and leaves everything else conformant. `lpj_server.py --mutant NAME` applies one to the server module
before it starts; `--list-mutants` prints them. A mutant is a function that patches the server module
(`m`) and may return a changed configuration. Some need a configuration (`flags`) to show at all.

Every mutant names the requirement it breaks and its level (MUST or SHOULD, from the inventory
spec/requirements.json); run_mutants.py checks that `lpj check` catches it under that requirement.
"""
import asyncio
import json
import os
import re
import socket
import sys
import time
import unicodedata


class Mutant:
    def __init__(self, name, requirement, level, description, flags, apply):
        self.name, self.requirement, self.level = name, requirement, level
        self.description, self.flags, self.apply = description, list(flags), apply


MUTANTS = {}


def mutant(name, requirement, level, description, flags=()):
    def register(apply):
        assert name not in MUTANTS, name
        MUTANTS[name] = Mutant(name, requirement, level, description, flags, apply)
        return apply
    return register


def print_list():
    for mu in MUTANTS.values():
        print("%s\t%s\t%s\t%s\t%s" % (mu.name, mu.requirement, mu.level, " ".join(mu.flags), mu.description))
    print("%d mutants" % len(MUTANTS))


def apply(name, m, argv):
    """Patch module m with mutant `name`; returns the configuration to serve with."""
    if name not in MUTANTS:
        sys.exit("lpj_server.py: unknown mutant %s (see --list-mutants)" % name)
    mu = MUTANTS[name]
    config = m.parse_arguments(argv + mu.flags)
    changed = mu.apply(m, config)
    return changed or config


def wrap(owner, attribute, make):
    """Replace owner.attribute by make(original)."""
    setattr(owner, attribute, make(getattr(owner, attribute)))


# ---- Framing -------------------------------------------------------------------------------------

@mutant("one-read-body", "frame.reads-are-partial", "MUST",
        "the body comes from a single recv(length), as in the tutorial: a body split across reads is cut short")
def _(m, config):
    async def read_body(self, length):
        return await self.reader.read(length) if length else b""
    m.Connection.read_body = read_body


@mutant("one-read-prefix", "frame.reads-are-partial", "MUST",
        "the prefix comes from a single recv(4); a short read is zero-padded, as a C reader with an unchecked read()")
def _(m, config):
    async def read_prefix(self):
        first = await self.reader.read(4)
        if not first:
            raise m.EndOfStream(partial=False)
        self.partial_since = time.monotonic()
        return first.ljust(4, b"\0")
    m.Connection.read_prefix = read_prefix


@mutant("drop-surplus", "frame.reads-are-partial", "MUST",
        "octets read after the end of a frame are thrown away with the read buffer (pipelined requests lost)")
def _(m, config):
    def make(original):
        async def read_body(self, length):
            body = await original(self, length)
            self.reader._buffer.clear()
            return body
        return read_body
    wrap(m.Connection, "read_body", make)


@mutant("signed-prefix", "frame.prefix-size", "MUST",
        "the prefix is read as a signed integer: ff ff ff ff is -1, not 4,294,967,295, and passes the limit check")
def _(m, config):
    m.decode_prefix = lambda prefix, order: int.from_bytes(prefix, order, signed=True)


@mutant("newline-after-frame", "frame.body-follows", "MUST",
        "every response frame is followed by a newline, as line-oriented code writes it")
def _(m, config):
    def make(original):
        async def send(self, frame):
            await original(self, frame + b"\n")
        return send
    wrap(m.Connection, "send", make)


@mutant("length-in-characters", "frame.length-counts-octets", "MUST",
        "the response prefix counts characters (Python 3 len(str)), not octets")
def _(m, config):
    def frame(self, message):
        text = m.dump(message, self.config.numbers)
        return len(text).to_bytes(4, self.order or "little") + text.encode("utf-8")
    m.Connection.frame = frame


@mutant("length-in-utf16-units", "frame.length-counts-octets", "MUST",
        "the response prefix counts UTF-16 code units (JavaScript's String.length)")
def _(m, config):
    def frame(self, message):
        text = m.dump(message, self.config.numbers)
        return (len(text.encode("utf-16-le")) // 2).to_bytes(4, self.order or "little") + text.encode("utf-8")
    m.Connection.frame = frame


@mutant("zero-length-closes", "frame.zero-length", "MUST",
        "a zero-length frame is taken for the end of the stream: no response, the connection closes")
def _(m, config):
    def make(original):
        async def read_body(self, length):
            if length == 0:
                raise m.EndOfStream(partial=False)
            return await original(self, length)
        return read_body
    wrap(m.Connection, "read_body", make)


@mutant("limit-65535", "frame.max-size-minimum", "MUST",
        "a body-size limit of 65,535 (stated truthfully): one octet below the minimum every receiver accepts")
def _(m, config):
    config.max_body = 65535


@mutant("limit-exclusive", "frame.max-size-configurable", "SHOULD",
        "a body of exactly the limit is refused (length >= limit is oversized)")
def _(m, config):
    def make(original):
        async def read_body(self, length):
            if length == self.config.max_body:
                self.oversized(b"\0\0\0\0", length, self.order)
                raise m.EndOfStream(partial=False)
            return await original(self, length)
        return read_body
    wrap(m.Connection, "read_body", make)


@mutant("oversize-skips-body", "frame.oversize-close", "MUST",
        "after frame-too-large the server skips the announced body and reads on, trying to resynchronise")
def _(m, config):
    async def read_requests(self):
        while True:
            prefix = await self.read_prefix()
            order = self.order_for(prefix)
            length = m.decode_prefix(prefix, order)
            if length > self.config.max_body:
                self.queue_response(m.error_response("frame-too-large", "frame too large: %d" % length, "frame.oversize-close"))
                remaining = length
                while remaining:
                    chunk = await self.reader.read(min(remaining, 65536))
                    if not chunk:
                        raise m.EndOfStream(partial=True)
                    remaining -= len(chunk)
                self.partial_since = None
                continue
            body = await self.read_body(length)
            self.partial_since = None
            self.dispatch(body)
    m.Connection.read_requests = read_requests


@mutant("oversize-drops-earlier", "frame.oversize-close", "MUST",
        "an oversized prefix resets the connection at once: responses to earlier pipelined requests are lost")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "oversized":
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("oversize-no-reply", "frame.oversize-error-reply", "SHOULD",
        "an oversized frame closes the connection without the frame-too-large response")
def _(m, config):
    def oversized(self, prefix, length, order):
        self.writer.transport.pause_reading()
    m.Connection.oversized = oversized


@mutant("oversize-no-diagnosis", "order.mismatch-diagnosis", "SHOULD",
        "the frame-too-large message says only 'frame too large': no length, limit or likely byte-order cause")
def _(m, config):
    m.oversize_message = lambda prefix, length, limit, order: "frame too large"


@mutant("split-writes", "frame.single-write", "SHOULD",
        "prefix and body written in two sends with Nagle's algorithm left on (sendall(prefix); sendall(body))")
def _(m, config):
    async def send(self, frame):
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        self.writer.write(frame[:4])
        await self.writer.drain()
        self.writer.write(frame[4:])
        await self.writer.drain()
    m.Connection.send = send


# ---- Byte order ----------------------------------------------------------------------------------

@mutant("responses-big-endian", "order.same-both-directions", "MUST",
        "requests are read little-endian but responses are written big-endian (htonl on the way out)")
def _(m, config):
    def frame(self, message):
        return m.encode_frame(m.encode_message(message, self.config.numbers), "big")
    m.Connection.frame = frame


@mutant("oversize-reply-little", "order.same-both-directions", "MUST",
        "in big-endian mode the frame-too-large response alone is written little-endian",
        flags=["--byte-order", "big"])
def _(m, config):
    def make(original):
        def oversized(self, prefix, length, order):
            original(self, prefix, length, order)
            self.order = "little"
        return oversized
    wrap(m.Connection, "oversized", make)


@mutant("native-stated-native", "order.native-is-legacy", "MUST",
        "with --byte-order native, lpj.describe says \"native\" instead of the resolved order",
        flags=["--byte-order", "native"])
def _(m, config):
    config.byte_order_stated = "native"


@mutant("auto-every-frame", "order.auto-detect", "MUST",
        "auto-detection runs again on every prefix instead of once per connection",
        flags=["--byte-order", "auto"])
def _(m, config):
    def order_for(self, prefix):
        self.order = m.auto_order(prefix, self.config.max_body)
        return self.order
    m.Connection.order_for = order_for


@mutant("auto-ambiguous-big", "order.auto-algorithm", "MUST",
        "an ambiguous first prefix (both readings within the limit) is taken as big-endian",
        flags=["--byte-order", "auto"])
def _(m, config):
    def make(original):
        def auto_order(prefix, limit):
            le, be = int.from_bytes(prefix, "little"), int.from_bytes(prefix, "big")
            if le != be and le <= limit and be <= limit:
                return "big"
            return original(prefix, limit)
        return auto_order
    wrap(m, "auto_order", make)


@mutant("auto-shared", "conn.isolation", "MUST",
        "the auto-detected byte order is kept server-wide: the first connection decides for every later one",
        flags=["--byte-order", "auto"])
def _(m, config):
    shared = {}

    def order_for(self, prefix):
        if self.order is None:
            self.order = shared.setdefault("order", m.auto_order(prefix, self.config.max_body))
        return self.order
    m.Connection.order_for = order_for


@mutant("describe-wrong-byte-order", "msg.describe", "MUST",
        "lpj.describe states byteOrder \"big\" while the server speaks little-endian")
def _(m, config):
    config.byte_order_stated = "big"


# ---- Body ----------------------------------------------------------------------------------------

@mutant("accept-bom", "body.no-bom", "MUST NOT",
        "a leading UTF-8 byte order mark is skipped, as RFC 8259 lets parsers do")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body[3:] if body.startswith(m.BOM) else body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-overlong", "body.utf8", "MUST",
        "a lenient decoder: overlong two-octet forms (c0 af for '/') are decoded instead of refused")
def _(m, config):
    overlong = re.compile(rb"[\xc0\xc1][\x80-\xbf]")

    def make(original):
        def parse_body(body, max_depth):
            return original(overlong.sub(lambda x: bytes([(x[0][0] & 0x1F) << 6 | (x[0][1] & 0x3F)]), body), max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-encoded-surrogates", "body.utf8", "MUST",
        "CESU-8 / modified UTF-8: encoded surrogates (ed a0 80) are accepted and written back as they came")
def _(m, config):
    sequence = m._UTF8_SEQUENCE.replace(rb"|\xed[\x80-\x9f][\x80-\xbf]", rb"|\xed[\x80-\xbf][\x80-\xbf]")
    m.UTF8_ONE, m.UTF8_RUN = re.compile(sequence), re.compile(sequence + rb"+")
    m.Parser.text = lambda self, octets: octets.decode("utf-8", "surrogatepass")
    m.encode_message = lambda message, numbers="text": m.dump(message, numbers).encode("utf-8", "surrogatepass")


@mutant("utf8-replaced", "body.utf8", "MUST",
        "ill-formed UTF-8 is repaired with U+FFFD (decode(errors='replace')) instead of refused")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body.decode("utf-8", "replace").encode("utf-8"), max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-lone-surrogates", "body.no-lone-surrogates", "MUST",
        "surrogate escapes are decoded one by one, as Python's json does: a lone \\ud83d is kept and echoed")
def _(m, config):
    def escape(self):
        body, p = self.body, self.pos
        if p + 1 < len(body) and body[p + 1] == 0x75:
            code = self.hex4(p)
            self.pos = p + 6
            if 0xD800 <= code <= 0xDBFF and body.startswith(b"\\u", p + 6):
                low = self.hex4(p + 6)
                if 0xDC00 <= low <= 0xDFFF:
                    self.pos = p + 12
                    return chr(0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00))
            return chr(code)
        return original_escape(self)
    original_escape = m.Parser.escape
    m.Parser.escape = escape
    m.dump_string = lambda text: json.dumps(text)


@mutant("accept-lone-low-surrogates", "body.no-lone-surrogates", "MUST",
        "a high surrogate must be followed by a low one, but a stray low surrogate (\\udc00) is let through")
def _(m, config):
    def escape(self):
        body, p = self.body, self.pos
        if body.startswith(b"\\u", p):
            code = self.hex4(p)
            if 0xDC00 <= code <= 0xDFFF:
                self.pos = p + 6
                return chr(code)
        return original_escape(self)
    original_escape = m.Parser.escape
    m.Parser.escape = escape
    m.dump_string = lambda text: json.dumps(text)


@mutant("accept-nan", "body.no-nonfinite", "MUST",
        "NaN, Infinity and -Infinity are read as numbers and echoed (json.loads' default)")
def _(m, config):
    def make(original):
        def scalar(self):
            found = re.compile(rb"-?(?:NaN|Infinity)").match(self.body, self.pos)
            if found:
                self.pos = found.end()
                return m.Num(found[0].decode())
            return original(self)
        return scalar
    wrap(m.Parser, "scalar", make)


@mutant("nan-for-huge", "body.no-nonfinite", "MUST NOT",
        "numbers are written through binary64, and those it cannot hold come out as Infinity")
def _(m, config):
    def make(original):
        def dump_number(number, numbers="text"):
            value = float(number.text)
            if value in (float("inf"), float("-inf")):
                return json.dumps(value)
            return original(number, numbers)
        return dump_number
    wrap(m, "dump_number", make)


@mutant("reject-huge-numbers", "body.numbers", "MUST NOT",
        "numbers beyond binary64 (1e400) are refused with invalid-json")
def _(m, config):
    def make(original):
        def number(self):
            start = self.pos
            value = original(self)
            if float(value.text) in (float("inf"), float("-inf")):
                raise m.BodyError("invalid-json", "body.json-text", "number out of range", start)
            return value
        return number
    wrap(m.Parser, "number", make)


@mutant("accept-trailing-text", "body.json-text", "MUST",
        "octets after the JSON value are ignored (raw_decode: the first value wins)")
def _(m, config):
    def parse(self):
        if self.body.startswith(m.BOM):
            raise m.BodyError("invalid-json", "body.no-bom", "byte order mark", 0)
        self.skip_ws()
        if self.pos == len(self.body):
            raise m.BodyError("invalid-json", "body.json-text", "empty body", len(self.body))
        return self.value()
    m.Parser.parse = parse


@mutant("accept-leading-zeros", "body.json-text", "MUST",
        "numbers with leading zeros (01, -007) are accepted and echoed")
def _(m, config):
    def make(original):
        def number(self):
            body, start = self.body, self.pos
            found = re.compile(rb"-?0[0-9]+").match(body, start)
            if found:
                self.pos = found.end()
                return m.Num(found[0].decode())
            return original(self)
        return number
    wrap(m.Parser, "number", make)


@mutant("extra-whitespace", "body.json-text", "MUST",
        "form feed and vertical tab count as whitespace between tokens (C isspace)")
def _(m, config):
    m.WHITESPACE = re.compile(rb"[ \t\n\r\f\v]*")


@mutant("whitespace-only-offset-0", "msg.error-response", "MUST",
        "a body of whitespace only is refused at offset 0 instead of at its end")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            try:
                return original(body, max_depth)
            except m.BodyError as e:
                if body and not body.strip(b" \t\r\n"):
                    e.offset = 0
                raise
        return parse_body
    wrap(m, "parse_body", make)


@mutant("non-object-invalid-json", "body.object", "MUST",
        "a request that is valid JSON but not an object is answered invalid-json, not invalid-request")
def _(m, config):
    def make(original):
        def check_request(message):
            if not isinstance(message, m.Obj):
                raise m.BodyError("invalid-json", "body.json-text", "expected an object", 0)
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("raw-member-names", "body.escapes-equal", "MUST",
        "member names are compared as written, before unescaping: \"\\u0069n\" is not \"in\"")
def _(m, config):
    def make(original):
        def member_name(self):
            self.skip_ws()
            start = self.pos
            name = original(self)
            raw = self.body[start:self.body.rindex(b'"', start, self.pos) + 1]
            return raw[1:-1].decode("utf-8") if b"\\" in raw else name
        return member_name
    wrap(m.Parser, "member_name", make)


@mutant("nul-truncates", "body.escapes-equal", "MUST",
        "a string ends at U+0000, as a C string does: \\u0000 and what follows are lost")
def _(m, config):
    def make(original):
        def string(self):
            return original(self).split("\0")[0]
        return string
    wrap(m.Parser, "string", make)


@mutant("depth-limit-63", "body.nesting-minimum", "MUST",
        "a depth limit of 63 (stated truthfully): one level short of what every receiver accepts")
def _(m, config):
    config.max_depth = 63


@mutant("depth-offset-after-bracket", "body.nesting-limit", "MUST",
        "the depth error's offset is where parsing stopped, one past the '[' that opens depth D + 1")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            try:
                return original(body, max_depth)
            except m.BodyError as e:
                if e.rule == "body.nesting-limit":
                    e.offset += 1
                raise
        return parse_body
    wrap(m, "parse_body", make)


@mutant("depth-limit-exclusive", "body.nesting-limit", "MUST",
        "a body of exactly the stated depth limit is refused (depth >= limit)")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body, max_depth - 1)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("depth-message-unnamed", "body.nesting-limit", "MUST",
        "the depth error's message does not name the limit ('too deeply nested')")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            try:
                return original(body, max_depth)
            except m.BodyError as e:
                if e.rule == "body.nesting-limit":
                    e.message = "too deeply nested"
                raise
        return parse_body
    wrap(m, "parse_body", make)


@mutant("deep-input-drops-connection", "body.nesting-limit", "MUST",
        "a recursive parser checks the depth only after parsing: beyond 1,000 levels it overflows and the connection dies")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            depth = deepest = 0
            for octet in body[:200000]:
                if octet in (0x5B, 0x7B):
                    depth += 1
                    deepest = max(deepest, depth)
                elif octet in (0x5D, 0x7D):
                    depth -= 1
            if deepest > 1000:
                raise RecursionError("maximum recursion depth exceeded")
            return original(body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("nested-duplicates-invalid-json", "body.nested-duplicates", "MUST NOT",
        "duplicate member names inside params are refused as invalid-json")
def _(m, config):
    def make(original):
        def check_request(message):
            method, params = original(message)
            if m.has_duplicates(params):
                raise m.BodyError("invalid-json", "body.json-text", "duplicate member name", 0)
            return method, params
        return check_request
    wrap(m, "check_request", make)


# ---- Messages ------------------------------------------------------------------------------------

@mutant("missing-params-null", "msg.request", "MUST",
        "a request without params is served as if params were null")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and not message.get_all("params"):
                message.pairs.append(("params", None))
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("in-not-string-unknown-method", "msg.request", "MUST",
        "an 'in' that is not a string is looked up anyway and answered unknown-method")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and message.get_all("in") and not isinstance(message.get_all("in")[0], str):
                raise m.BodyError("unknown-method", "msg.unknown-method", "no such method")
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("method-before-params", "msg.request", "MUST",
        "the method is looked up before params is checked: an unknown method without params gets unknown-method")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and len(message.get_all("in")) == 1 and not message.get_all("params"):
                name = message.get_all("in")[0]
                if isinstance(name, str) and name not in ("ping", "lpj.describe", "sleep", "relay"):
                    raise m.BodyError("unknown-method", "msg.unknown-method", "no method named %s" % json.dumps(name))
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("in-first-required", "msg.member-order", "MUST",
        "'in' must come before 'params' (the CPython 2.7 order params-first is refused)")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj):
                names = [name for name, _ in message.pairs if name in ("in", "params")]
                if names == ["params", "in"]:
                    raise m.BodyError("invalid-request", "msg.request", "expected 'in' first")
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("unknown-members-rejected", "msg.unknown-members", "MUST",
        "members other than in and params make the request invalid-request")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and any(name not in ("in", "params") for name, _ in message.pairs):
                raise m.BodyError("invalid-request", "msg.request", "unexpected member")
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("duplicate-in-last-wins", "msg.duplicate-members", "MUST",
        "a duplicated 'in' is not refused: the last one wins, as in most JSON libraries")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and len(message.get_all("in")) > 1:
                last = message.get_all("in")[-1]
                message = m.Obj([(n, v) for n, v in message.pairs if n != "in"] + [("in", last)])
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("duplicate-params-first-wins", "msg.duplicate-members", "MUST",
        "a duplicated 'params' is not refused: the first one is used")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and len(message.get_all("params")) > 1:
                first = message.get_all("params")[0]
                message = m.Obj([(n, v) for n, v in message.pairs if n != "params"] + [("params", first)])
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("case-insensitive-methods", "msg.method-names", "MUST",
        "method names are compared case-insensitively: \"Ping\" answers pong")
def _(m, config):
    def make(original):
        def lookup(self, name):
            return original(self, name.lower())
        return lookup
    wrap(m.Methods, "lookup", make)


@mutant("trimmed-method-names", "msg.method-names", "MUST",
        "method names are stripped of surrounding whitespace: \" ping\" answers pong")
def _(m, config):
    def make(original):
        def lookup(self, name):
            return original(self, name.strip())
        return lookup
    wrap(m.Methods, "lookup", make)


@mutant("ping-drops-null-members", "msg.ping", "MUST",
        "ping echoes objects without their null members (a serializer that skips None)")
def _(m, config):
    def strip(value):
        if isinstance(value, list):
            return [strip(item) for item in value]
        if isinstance(value, m.Obj):
            return m.Obj((name, strip(item)) for name, item in value.pairs if item is not None)
        return value

    def make(original):
        async def ping(self, params):
            return m.response("pong", strip(params))
        return ping
    wrap(m.Methods, "ping", make)


@mutant("ping-normalizes-strings", "msg.value-equality", "MUST",
        "ping echoes strings in Unicode NFC: NFD \"e\\u0301\" comes back as \"\\u00e9\"")
def _(m, config):
    def normal(value):
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, list):
            return [normal(item) for item in value]
        if isinstance(value, m.Obj):
            return m.Obj((name, normal(item)) for name, item in value.pairs)
        return value

    async def ping(self, params):
        return m.response("pong", normal(params))
    m.Methods.ping = ping


@mutant("ping-null-invalid-params", "msg.ping", "MUST",
        "ping answers invalid-params when params is null")
def _(m, config):
    def make(original):
        async def ping(self, params):
            if params is None:
                raise m.InvalidParams("msg.ping", "params must not be null")
            return await original(self, params)
        return ping
    wrap(m.Methods, "ping", make)


@mutant("numbers-17-digits", "msg.ping-echo-interoperable", "MUST",
        "numbers with a fraction or exponent are written with 17 significant digits (%.17g): 0.1 becomes 0.10000000000000001")
def _(m, config):
    def dump_number(number, numbers="text"):
        if re.fullmatch(r"-?[0-9]+", number.text):
            return number.text
        value = float(number.text)
        if value in (float("inf"), float("-inf")):
            return "1.7976931348623157e+308" if value > 0 else "-1.7976931348623157e+308"
        return "%.17g" % value
    m.dump_number = dump_number


@mutant("numbers-binary64", "msg.ping-echo-exact", "SHOULD",
        "numbers are held as binary64 and written shortest (repr): exact for interoperable numbers only")
def _(m, config):
    def dump_number(number, numbers="text"):
        if re.fullmatch(r"-?[0-9]+", number.text) and abs(int(number.text)) <= 2 ** 53 - 1:
            return number.text
        value = float(number.text)
        if value in (float("inf"), float("-inf")):
            return "1.7976931348623157e+308" if value > 0 else "-1.7976931348623157e+308"
        return repr(value)
    m.dump_number = dump_number
    config.numbers = "binary64"


@mutant("error-without-message", "msg.error-response", "MUST",
        "error responses carry code, rule and offset but no message")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            value = original(code, message, rule, offset)
            result = value.pairs[1][1]
            result.pairs = [(n, v) for n, v in result.pairs if n != "message"]
            return value
        return error_response
    wrap(m, "error_response", make)


@mutant("error-offset-missing", "msg.error-response", "MUST",
        "invalid-json and invalid-utf8 responses have no offset")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, rule, None)
        return error_response
    wrap(m, "error_response", make)


@mutant("offset-off-by-one", "msg.error-response", "MUST",
        "body error offsets are one past the error (counted from 1)")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, rule, None if offset is None else offset + 1)
        return error_response
    wrap(m, "error_response", make)


@mutant("offset-in-characters", "msg.error-response", "MUST",
        "body error offsets count characters of the decoded text, not octets")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            try:
                return original(body, max_depth)
            except m.BodyError as e:
                if e.offset:
                    e.offset = len(body[:e.offset].decode("utf-8", "replace"))
                raise
        return parse_body
    wrap(m, "parse_body", make)


@mutant("error-rule-missing", "msg.error-response", "SHOULD",
        "error responses do not say which rule the request broke (no 'rule' member)")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, None, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("unregistered-error-code", "msg.error-codes", "MUST",
        "invalid requests are answered with the code \"bad-request\", which is not in the registry")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original("bad-request" if code == "invalid-request" else code, message, rule, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("unknown-method-closes", "msg.unknown-method", "MUST",
        "an unknown method closes the connection without a reply (handlers[name] raised KeyError)")
def _(m, config):
    def make(original):
        def dispatch(self, body):
            try:
                method, _ = m.check_request(m.parse_body(body, self.config.max_depth))
            except m.BodyError:
                method = None
            if method is not None and self.server.methods.lookup(method) is None:
                raise ConnectionError("KeyError: %r" % method)
            return original(self, body)
        return dispatch
    wrap(m.Connection, "dispatch", make)


@mutant("unknown-method-unnamed", "msg.unknown-method", "SHOULD",
        "the unknown-method message does not name the method")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, "no such method" if code == "unknown-method" else message, rule, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("error-then-close", "msg.error-keeps-connection", "MUST",
        "every error response is followed by closing the connection")
def _(m, config):
    def make(original):
        def queue_response(self, message_or_awaitable):
            original(self, message_or_awaitable)
            if isinstance(message_or_awaitable, m.Obj) and message_or_awaitable.pairs[0][1] == "error":
                self.responses.put_nowait(m.CLOSE)
        return queue_response
    wrap(m.Connection, "queue_response", make)


def describe_patch(m, change):
    def make(original):
        async def describe(self, params):
            value = await original(self, params)
            change(value.pairs[1][1])
            return value
        return describe
    wrap(m.Methods, "describe", make)


@mutant("describe-missing-max-depth", "msg.describe", "MUST",
        "lpj.describe leaves out maxDepth")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, v) for n, v in result.pairs if n != "maxDepth"]))


@mutant("describe-wrong-limit", "msg.describe", "MUST",
        "lpj.describe states a maxBody of 2 MiB while the limit is 1 MiB")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, m.Num("2097152") if n == "maxBody" else v)
                                                               for n, v in result.pairs]))


@mutant("describe-methods-incomplete", "msg.describe", "MUST",
        "lpj.describe lists only ping and lpj.describe, not sleep and relay, which it serves")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, ["lpj.describe", "ping"] if n == "methods" else v)
                                                               for n, v in result.pairs]))


@mutant("describe-rejects-params", "msg.describe", "MUST",
        "lpj.describe answers invalid-params unless params is null")
def _(m, config):
    def make(original):
        async def describe(self, params):
            if params is not None:
                raise m.InvalidParams("msg.describe", "lpj.describe takes no params")
            return await original(self, params)
        return describe
    wrap(m.Methods, "describe", make)


@mutant("describe-duplicates-wrong", "msg.describe", "MUST",
        "lpj.describe says duplicates \"last\" while the server keeps every duplicate member")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, "last" if n == "duplicates" else v)
                                                               for n, v in result.pairs]))


# ---- Connections ---------------------------------------------------------------------------------

@mutant("greeting-frame", "conn.one-response", "MUST",
        "the server greets every connection with an unsolicited frame")
def _(m, config):
    def make(original):
        async def serve(self):
            self.writer.write(m.encode_frame(m.encode_message(m.response("hello", "lpj-python")), self.order or "little"))
            await original(self)
        return serve
    wrap(m.Connection, "serve", make)


@mutant("double-error-response", "conn.one-response", "MUST",
        "a body that is not JSON gets its invalid-json response twice")
def _(m, config):
    def make(original):
        def queue_response(self, message_or_awaitable):
            original(self, message_or_awaitable)
            if isinstance(message_or_awaitable, m.Obj) and message_or_awaitable.pairs[0][1] == "error":
                code = message_or_awaitable.pairs[1][1].get_all("code")[0]
                if code == "invalid-json":
                    original(self, message_or_awaitable)
        return queue_response
    wrap(m.Connection, "queue_response", make)


@mutant("completion-order", "conn.in-order", "MUST",
        "responses are written as requests complete: a pong overtakes the sleep queued before it")
def _(m, config):
    def queue_response(self, message_or_awaitable):
        self.outstanding += 1
        pending = getattr(self, "pending", None)
        if pending is None:
            pending = self.pending = []
        if not asyncio.isfuture(message_or_awaitable):
            self.responses.put_nowait(done(message_or_awaitable))
            return
        pending.append(message_or_awaitable)
        message_or_awaitable.add_done_callback(lambda f: self.responses.put_nowait(f))

    def done(message):
        future = asyncio.get_running_loop().create_future()
        future.set_result(message)
        return future

    async def finish(self, how):
        pending = getattr(self, "pending", [])
        if pending:
            await asyncio.wait(pending)
            await asyncio.sleep(0)
        self.responses.put_nowait(m.CLOSE)
    m.Connection.queue_response = queue_response
    m.Connection.finish = finish


@mutant("pipelining-overloaded", "conn.pipelining", "MUST",
        "a request that arrives while an earlier one on the connection is unanswered gets overloaded")
def _(m, config):
    def make(original):
        def dispatch(self, body):
            if self.outstanding > 0:
                self.queue_response(m.error_response("overloaded", "one request at a time", "sec.connection-limit"))
                return
            original(self, body)
        return dispatch
    wrap(m.Connection, "dispatch", make)


@mutant("half-close-drops-outstanding", "conn.half-close", "MUST",
        "end of stream from the client closes the connection at once, dropping unanswered requests")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "half-close" and self.outstanding:
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("half-close-never-closes", "conn.half-close", "MUST",
        "after a half-close the responses are sent but the server does not close: it waits for the client")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "half-close":
                while self.outstanding:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(self.config.idle_timeout_ms / 1000)
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("eof-answers-partial", "conn.eof-inside-frame", "MUST",
        "a body cut short by end of stream is parsed anyway and answered (invalid-json)")
def _(m, config):
    async def read_body(self, length):
        buffer = bytearray()
        while len(buffer) < length:
            chunk = await self.reader.read(min(65536, length - len(buffer)))
            if not chunk:
                self.dispatch(bytes(buffer))
                raise m.EndOfStream(partial=False)
            buffer += chunk
        return bytes(buffer)
    m.Connection.read_body = read_body


@mutant("eof-drops-earlier", "conn.eof-inside-frame", "MUST",
        "end of stream inside a frame resets the connection at once: earlier responses are lost")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "truncated":
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("idle-close-while-outstanding", "conn.idle-timeout", "MUST",
        "the idle timer counts from the last request received, so a long sleep is cut off by it",
        flags=["--idle-timeout-ms", "3000"])
def _(m, config):
    def make(original):
        def dispatch(self, body):
            original(self, body)
            self.idle_since = time.monotonic()
        return dispatch
    wrap(m.Connection, "dispatch", make)

    async def watch(self, reading):
        while True:
            await asyncio.sleep(0.05)
            if self.partial_since is None and time.monotonic() - self.idle_since > self.idle_limit():
                reading.cancel()
                self.writer.transport.abort()
                return
    m.Connection.watch = watch


@mutant("idle-5s-default", "conn.idle-timeout", "SHOULD",
        "the idle time-out is 5 s by default (stated in lpj.describe), below the recommended 30 s")
def _(m, config):
    config.idle_timeout_ms = 5000


@mutant("crash-on-truncated", "conn.isolation", "MUST",
        "end of stream inside a frame takes the whole server down (an unhandled exception in the accept loop)")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "truncated":
                os._exit(3)
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("no-slow-sender-bound", "sec.slow-sender", "SHOULD",
        "a partial frame may take forever: the stated slow-sender bound is never applied",
        flags=["--slow-sender-ms", "2000"])
def _(m, config):
    def make(original):
        async def watch(self, reading):
            while True:
                await asyncio.sleep(0.05)
                if self.partial_since is None and self.outstanding == 0 and \
                        time.monotonic() - self.idle_since > self.idle_limit():
                    reading.cancel()
                    return
        return watch
    wrap(m.Connection, "watch", make)


@mutant("slow-sender-500ms", "sec.slow-sender", "SHOULD",
        "a frame must arrive within 500 ms, even while its octets keep coming (the bound is below 2 s)")
def _(m, config):
    config.slow_sender_ms = 500


@mutant("no-slow-reader-bound", "sec.slow-reader", "SHOULD",
        "a client that never reads holds its responses (and the connection) forever")
def _(m, config):
    async def send(self, frame):
        self.writer.write(frame)
        await self.writer.drain()
    m.Connection.send = send


@mutant("no-connection-limit", "sec.connection-limit", "SHOULD",
        "no bound on concurrent connections (lpj.describe says maxConnections null)")
def _(m, config):
    config.max_connections = 0


@mutant("connection-limit-4", "sec.connection-limit", "SHOULD",
        "at most 4 connections: below the 8 a limiting server allows")
def _(m, config):
    config.max_connections = 4


@mutant("overloaded-unsolicited", "sec.connection-limit", "SHOULD",
        "a connection over the limit gets an overloaded frame at once, before it has sent any request",
        flags=["--max-connections", "10"])
def _(m, config):
    def make(original):
        async def serve(self):
            if self.refusing:
                self.writer.write(m.encode_frame(m.encode_message(m.error_response(
                    "overloaded", "too many connections", "sec.connection-limit")), self.order or "little"))
                await self.writer.drain()
                self.writer.close()
                return
            await original(self)
        return serve
    wrap(m.Connection, "serve", make)


# ---- Extensions ----------------------------------------------------------------------------------

@mutant("sleep-no-wait", "ext.sleep", "MUST",
        "sleep answers slept at once, without waiting")
def _(m, config):
    async def sleep(self, params):
        params = m.apply_duplicates(params, self.config.duplicates)
        self.sleep_ms(params)
        return m.response("slept", params)
    m.Methods.sleep = sleep


@mutant("sleep-blocks-loop", "ext.sleep", "MUST",
        "sleep calls time.sleep() on the event loop: every other connection waits with it")
def _(m, config):
    async def sleep(self, params):
        params = m.apply_duplicates(params, self.config.duplicates)
        time.sleep(self.sleep_ms(params) / 1000)
        return m.response("slept", params)
    m.Methods.sleep = sleep


@mutant("sleep-accepts-out-of-range", "ext.sleep", "MUST",
        "sleep accepts ms above 60,000 (it waits at most 60 s but does not refuse)")
def _(m, config):
    def make(original):
        def sleep_ms(self, params):
            try:
                return original(self, params)
            except m.InvalidParams:
                ms = m.integer(params.get_all("ms")[-1]) if isinstance(params, m.Obj) and params.get_all("ms") else None
                if ms is not None and ms > 60000:
                    return 0
                raise
        return sleep_ms
    wrap(m.Methods, "sleep_ms", make)


@mutant("sleep-rejects-decimal-integer", "ext.sleep", "MUST",
        "sleep refuses 250.0 and 2.5e2, which are the integer 250")
def _(m, config):
    def make(original):
        def sleep_ms(self, params):
            values = params.get_all("ms") if isinstance(params, m.Obj) else []
            if values and isinstance(values[-1], m.Num) and not re.fullmatch(r"-?[0-9]+", values[-1].text):
                raise m.InvalidParams("ext.sleep", "ms must be an integer")
            return original(self, params)
        return sleep_ms
    wrap(m.Methods, "sleep_ms", make)


@mutant("relay-no-allow-list", "ext.relay", "MUST",
        "relay accepts any upstream (it answers as if it had tried to connect) instead of invalid-params")
def _(m, config):
    m.upstream_allowed = lambda host, port, patterns: True
    original_upstream = m.Methods.upstream

    async def upstream(self, host, port, method, params):
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            raise OSError(111, "Connection refused")   # never really connects off the machine
        return await original_upstream(self, host, port, method, params)
    m.Methods.upstream = upstream


@mutant("relay-ignores-timeout", "ext.relay", "MUST",
        "relay ignores timeout_ms and always waits up to its default of 5 s")
def _(m, config):
    def make(original):
        def relay_call(self, params):
            host, port, method, upstream_params, _ = original(self, params)
            return host, port, method, upstream_params, 5000
        return relay_call
    wrap(m.Methods, "relay_call", make)


@mutant("relay-timeout-as-upstream-error", "ext.relay", "MUST",
        "a relay call that runs out of time is answered upstream-error instead of timeout")
def _(m, config):
    def make(original):
        async def relay(self, params):
            value = await original(self, params)
            result = value.pairs[1][1]
            if value.pairs[0][1] == "error" and result.get_all("code") == ["timeout"]:
                result.pairs[0] = ("code", "upstream-error")
            return value
        return relay
    wrap(m.Methods, "relay", make)


@mutant("relay-passes-unregistered-codes", "ext.relay", "MUST",
        "relay passes on an upstream error whose code is not in the registry")
def _(m, config):
    m.ERROR_CODES = m.ERROR_CODES + ("*",)
    original = m.check_response

    def check_response(message):
        try:
            return original(message)
        except m.UpstreamError as e:
            if "registry" in str(e):
                return m.response("error", message.get_all("result")[0])
            raise
    m.check_response = check_response


@mutant("relay-accepts-broken-response", "ext.relay", "MUST",
        "relay passes on an upstream response without result (as null) instead of upstream-error")
def _(m, config):
    original = m.check_response

    def check_response(message):
        if isinstance(message, m.Obj) and len(message.get_all("out")) == 1 and not message.get_all("result"):
            return m.response(message.get_all("out")[0], None)
        return original(message)
    m.check_response = check_response


@mutant("relay-big-endian-upstream", "ext.relay", "MUST",
        "relay writes its upstream request big-endian (network order) instead of little-endian")
def _(m, config):
    async def upstream(self, host, port, method, params):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            request = m.encode_message(m.Obj([("in", method), ("params", params)]), self.config.numbers)
            writer.write(m.encode_frame(request, "big"))
            await writer.drain()
            prefix = await reader.readexactly(4)
            body = await reader.readexactly(int.from_bytes(prefix, "big"))
            return m.check_response(m.parse_body(body, self.config.max_depth))
        except asyncio.IncompleteReadError:
            raise m.UpstreamError("closed")
        finally:
            writer.close()
    m.Methods.upstream = upstream
