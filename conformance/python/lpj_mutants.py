"""lpj_mutants.py - deliberately broken variants of lpj_server.py, one requirement each.

Each mutant breaks exactly one requirement of spec/lpj.md, the way real implementations break it,
and leaves everything else conformant. `lpj_server.py --mutant NAME` applies one to the server module
before it starts; `--list-mutants` prints them. A mutant is a function that patches the server module
(`m`) and may return a changed configuration. Some need a configuration (`flags`) to show at all.

Every mutant names the requirement it breaks and its level (MUST or SHOULD, from the inventory
spec/requirements.json); run_mutants.py checks that `lpj check` catches it under that requirement.
A mutant with `only` is attributed exactly: `lpj check` may cite no other requirement but those listed.
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
    def __init__(self, name, requirement, level, description, flags, apply, only=None):
        self.name, self.requirement, self.level = name, requirement, level
        self.description, self.flags, self.apply = description, list(flags), apply
        # When a tuple: the mutant is attributed exactly, and `lpj check` may cite no requirement but its
        # own and these (its one bug must not be charged under rules it does not break).
        self.only = only


MUTANTS = {}

# Observable server requirements of spec/requirements.json that no server mutant breaks, and why.
# (Every MAY requirement is left out too: a MAY grants a permission, there is nothing to break.)
REQUIREMENTS_WITHOUT_MUTANT = {
    "ext.relay.late-reply": "this server opens a new upstream connection per relay call and never reuses one",
    "order.little-default.support": "a server without little-endian support shows only as one that defaults to "
                                    "big-endian, which default-big-endian (order.little-default.default) covers",
}


def mutant(name, requirement, level, description, flags=(), only=None):
    def register(apply):
        assert name not in MUTANTS, name
        MUTANTS[name] = Mutant(name, requirement, level, description, flags, apply, only)
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


def echo_must_encode(m, bad=None):
    """ping as a Python port writes it: json.dumps(..., allow_nan=False).encode("utf-8") raises for values it
    cannot write (NaN, a lone surrogate), and the handler's exception becomes internal-error."""
    def make(original):
        async def ping(self, params):
            m.encode_message(params)
            if bad is not None and bad(params):
                raise ValueError("Out of range float values are not JSON compliant")
            return await original(self, params)
        return ping
    wrap(m.Methods, "ping", make)


def numbers_in(value):
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, list):
            todo.extend(v)
        elif hasattr(v, "pairs"):
            todo.extend(item for _, item in v.pairs)
        elif hasattr(v, "text"):
            yield v.text


# ---- Framing -------------------------------------------------------------------------------------

@mutant("one-read-body", "frame.reads-are-partial.assemble", "MUST",
        "the body comes from a single recv(length), as in the tutorial: a body split across reads is cut short")
def _(m, config):
    async def read_body(self, length):
        return await self.reader.read(length) if length else b""
    m.Connection.read_body = read_body


@mutant("one-read-prefix", "frame.reads-are-partial.assemble", "MUST",
        "the prefix comes from a single recv(4); a short read is zero-padded, as a C reader with an unchecked read()")
def _(m, config):
    async def read_prefix(self):
        first = await self.reader.read(4)
        if not first:
            raise m.EndOfStream(partial=False)
        self.partial_since = time.monotonic()
        return first.ljust(4, b"\0")
    m.Connection.read_prefix = read_prefix


@mutant("drop-surplus", "frame.reads-are-partial.keep-rest", "MUST",
        "octets read after the end of a frame are thrown away with the read buffer (pipelined requests lost)")
def _(m, config):
    def make(original):
        async def read_body(self, length):
            body = await original(self, length)
            self.reader._buffer.clear()
            return body
        return read_body
    wrap(m.Connection, "read_body", make)


@mutant("signed-prefix", "frame.prefix-size.unsigned", "MUST",
        "the prefix is read as a signed integer: ff ff ff ff is -1, not 4,294,967,295, and passes the limit check")
def _(m, config):
    m.decode_prefix = lambda prefix, order: int.from_bytes(prefix, order, signed=True)


@mutant("newline-after-frame", "frame.body-follows.sender", "MUST",
        "every response frame is followed by a newline, as line-oriented code writes it")
def _(m, config):
    def make(original):
        async def send(self, frame):
            await original(self, frame + b"\n")
        return send
    wrap(m.Connection, "send", make)


@mutant("length-in-characters", "frame.length-counts-octets.sender", "MUST",
        "the response prefix counts characters (Python 3 len(str)), not octets")
def _(m, config):
    def frame(self, message):
        text = m.dump(message, self.config.numbers)
        return len(text).to_bytes(4, self.order or "little") + text.encode("utf-8")
    m.Connection.frame = frame


@mutant("length-in-utf16-units", "frame.length-counts-octets.sender", "MUST",
        "the response prefix counts UTF-16 code units (JavaScript's String.length)")
def _(m, config):
    def frame(self, message):
        text = m.dump(message, self.config.numbers)
        return (len(text.encode("utf-16-le")) // 2).to_bytes(4, self.order or "little") + text.encode("utf-8")
    m.Connection.frame = frame


@mutant("zero-length-closes", "frame.zero-length.framing", "MUST NOT",
        "a zero-length frame is answered invalid-json, then treated as a framing error: the connection closes")
def _(m, config):
    def make(original):
        async def read_body(self, length):
            body = await original(self, length)
            if length == 0:
                self.dispatch(body)
                raise m.EndOfStream(partial=False)
            return body
        return read_body
    wrap(m.Connection, "read_body", make)


@mutant("limit-65535", "frame.max-size-minimum.accept", "MUST",
        "a body-size limit of 65,535 (stated truthfully): one octet below the minimum every receiver accepts")
def _(m, config):
    config.max_body = 65535


@mutant("limit-exclusive", "frame.max-size-configurable.inclusive", "MUST",
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


@mutant("oversize-skips-body", "frame.oversize-close.no-body", "MUST NOT",
        "frame-too-large is sent at once, but the server then reads and discards the announced body before it closes")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "oversized":
                while self.outstanding:                # the queued responses and frame-too-large go out
                    await asyncio.sleep(0.005)
                self.writer.transport.resume_reading()
                remaining = self.skip_length
                while remaining > 0:
                    chunk = await self.reader.read(min(remaining, 65536))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            await original(self, how)
        return finish

    def make_oversized(original):
        def oversized(self, prefix, length, order):
            self.skip_length = length
            original(self, prefix, length, order)
        return oversized
    wrap(m.Connection, "finish", make)
    wrap(m.Connection, "oversized", make_oversized)


@mutant("oversize-drops-earlier", "frame.oversize-close.earlier-responses", "MUST",
        "an oversized prefix resets the connection at once: responses to earlier pipelined requests are lost")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "oversized":
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("oversize-no-reply", "frame.oversize-error-reply.send", "SHOULD",
        "an oversized frame closes the connection without the frame-too-large response")
def _(m, config):
    def oversized(self, prefix, length, order):
        self.writer.transport.pause_reading()
    m.Connection.oversized = oversized


@mutant("oversize-no-diagnosis", "order.mismatch-diagnosis.message", "SHOULD",
        "the frame-too-large message says only 'frame too large': no length, limit or likely byte-order cause")
def _(m, config):
    m.oversize_message = lambda prefix, length, limit, order: "frame too large"


@mutant("split-writes", "frame.single-write.one-write", "SHOULD",
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

@mutant("responses-big-endian", "order.same-both-directions.server", "MUST",
        "requests are read little-endian but responses are written big-endian (htonl on the way out)")
def _(m, config):
    def frame(self, message):
        return m.encode_frame(m.encode_message(message, self.config.numbers), "big")
    m.Connection.frame = frame


@mutant("oversize-reply-little", "order.same-both-directions.server", "MUST",
        "in big-endian mode the frame-too-large response alone is written little-endian",
        flags=["--byte-order", "big"])
def _(m, config):
    def make(original):
        def oversized(self, prefix, length, order):
            original(self, prefix, length, order)
            self.order = "little"
        return oversized
    wrap(m.Connection, "oversized", make)


@mutant("native-stated-native", "msg.describe.byte-order", "MUST",
        "with --byte-order native, lpj.describe says \"native\" instead of the resolved order",
        flags=["--byte-order", "native"])
def _(m, config):
    config.byte_order_stated = "native"


@mutant("auto-every-frame", "order.auto-detect.whole-connection", "MUST",
        "auto-detection runs again on every prefix instead of once per connection",
        flags=["--byte-order", "auto"])
def _(m, config):
    def order_for(self, prefix):
        self.order = m.auto_order(prefix, self.config.max_body)
        return self.order
    m.Connection.order_for = order_for


@mutant("auto-ambiguous-big", "order.auto-algorithm.decide", "MUST",
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


@mutant("auto-shared", "order.auto-detect.first-frame", "MUST",
        "the auto-detected byte order is kept server-wide: the first connection decides for every later one",
        flags=["--byte-order", "auto"])
def _(m, config):
    shared = {}

    def order_for(self, prefix):
        if self.order is None:
            self.order = shared.setdefault("order", m.auto_order(prefix, self.config.max_body))
        return self.order
    m.Connection.order_for = order_for


@mutant("describe-wrong-byte-order", "msg.describe.byte-order", "MUST",
        "lpj.describe states byteOrder \"big\" while the server speaks little-endian")
def _(m, config):
    config.byte_order_stated = "big"


# ---- Body ----------------------------------------------------------------------------------------

@mutant("accept-bom", "body.no-bom.reject", "MUST",
        "a leading UTF-8 byte order mark is skipped, as RFC 8259 lets parsers do")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body[3:] if body.startswith(m.BOM) else body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-overlong", "body.utf8.reject", "MUST",
        "a lenient decoder: overlong two-octet forms (c0 af for '/') are decoded instead of refused")
def _(m, config):
    overlong = re.compile(rb"[\xc0\xc1][\x80-\xbf]")

    def make(original):
        def parse_body(body, max_depth):
            return original(overlong.sub(lambda x: bytes([(x[0][0] & 0x1F) << 6 | (x[0][1] & 0x3F)]), body), max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-encoded-surrogates", "body.utf8.reject", "MUST",
        "CESU-8 / modified UTF-8 is decoded (surrogatepass): ed a0 80 is accepted, and its echo fails with internal-error")
def _(m, config):
    sequence = m._UTF8_SEQUENCE.replace(rb"|\xed[\x80-\x9f][\x80-\xbf]", rb"|\xed[\x80-\xbf][\x80-\xbf]")
    m.UTF8_ONE, m.UTF8_RUN = re.compile(sequence), re.compile(sequence + rb"+")
    m.Parser.text = lambda self, octets: octets.decode("utf-8", "surrogatepass")
    echo_must_encode(m)


@mutant("utf8-replaced", "body.utf8.no-repair", "MUST NOT",
        "ill-formed UTF-8 is repaired with U+FFFD (decode(errors='replace')) instead of refused")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body.decode("utf-8", "replace").encode("utf-8"), max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-lone-surrogates", "body.no-lone-surrogates.reject", "MUST",
        "surrogate escapes are decoded one by one, as Python's json does: a lone \\ud83d is accepted, and its echo fails with internal-error")
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
    echo_must_encode(m)


@mutant("accept-lone-low-surrogates", "body.no-lone-surrogates.reject", "MUST",
        "a high surrogate must be followed by a low one, but a stray low surrogate (\\udc00) is accepted (its echo fails: internal-error)")
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
    echo_must_encode(m)


@mutant("accept-nan", "body.no-nonfinite.reject", "MUST",
        "NaN and Infinity are parsed (json.loads' default); the echo then fails: internal-error, not invalid-json")
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
    echo_must_encode(m, lambda params: any("N" in t or "I" in t for t in numbers_in(params)))


@mutant("nan-for-huge", "body.no-nonfinite.sender", "MUST NOT",
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


@mutant("reject-huge-numbers", "body.numbers.no-reject", "MUST NOT",
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


@mutant("accept-trailing-text", "body.json-text.reject", "MUST",
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


@mutant("accept-object-trailing-comma", "body.json-text.reject", "MUST",
        "a comma before the closing brace of an object is skipped ({\"a\":1,} is read as {\"a\":1}); [1,] is still refused")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(re.sub(rb",([ \t\r\n]*)}", rb"\1}", body), max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("accept-leading-zeros", "body.json-text.reject", "MUST",
        "numbers with leading zeros are read with int(): 01 is accepted as 1")
def _(m, config):
    def make(original):
        def number(self):
            found = re.compile(rb"-?0[0-9]+").match(self.body, self.pos)
            if found:
                self.pos = found.end()
                return m.Num(str(int(found[0])))
            return original(self)
        return number
    wrap(m.Parser, "number", make)


@mutant("extra-whitespace", "body.json-text.reject", "MUST",
        "form feed and vertical tab count as whitespace between tokens (C isspace)")
def _(m, config):
    m.WHITESPACE = re.compile(rb"[ \t\n\r\f\v]*")


@mutant("whitespace-only-offset-0", "body.json-text.offset", "MUST",
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


@mutant("non-object-invalid-json", "body.object.reject", "MUST",
        "a request that is valid JSON but not an object is answered invalid-json, not invalid-request")
def _(m, config):
    def make(original):
        def check_request(message):
            if not isinstance(message, m.Obj):
                raise m.BodyError("invalid-json", "body.json-text", "expected an object", 0)
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("raw-member-names", "body.escapes-equal.same-string", "MUST",
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


@mutant("nul-truncates", "body.escapes-equal.nul", "MUST",
        "a string ends at U+0000, as a C string does: \\u0000 and what follows are lost")
def _(m, config):
    def make(original):
        def string(self):
            return original(self).split("\0")[0]
        return string
    wrap(m.Parser, "string", make)


@mutant("depth-limit-63", "body.nesting-minimum.accept", "MUST",
        "a depth limit of 63 (stated truthfully): one level short of what every receiver accepts")
def _(m, config):
    config.max_depth = 63


@mutant("depth-offset-after-bracket", "body.nesting-limit.offset", "MUST",
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


@mutant("depth-limit-exclusive", "msg.describe.max-depth", "MUST",
        "a body of exactly the stated depth limit is refused (depth >= limit)")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body, max_depth - 1)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("depth-message-unnamed", "body.nesting-limit.message", "MUST",
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


@mutant("deep-input-drops-connection", "body.nesting-limit.no-crash", "MUST NOT",
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


@mutant("nested-duplicates-invalid-json", "body.nested-duplicates.not-invalid-json", "MUST NOT",
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

@mutant("missing-params-null", "msg.request.reject", "MUST",
        "a request without params is served as if params were null")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and not message.get_all("params"):
                message.pairs.append(("params", None))
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("in-not-string-unknown-method", "msg.request.reject", "MUST",
        "an 'in' that is not a string is looked up anyway and answered unknown-method")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and message.get_all("in") and not isinstance(message.get_all("in")[0], str):
                raise m.BodyError("unknown-method", "msg.unknown-method", "no such method")
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("method-before-params", "msg.request.check-order", "MUST",
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


@mutant("in-first-required", "msg.member-order.accept", "MUST",
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


@mutant("unknown-members-rejected", "msg.unknown-members.ignore", "MUST",
        "members other than in and params make the request invalid-request")
def _(m, config):
    def make(original):
        def check_request(message):
            if isinstance(message, m.Obj) and any(name not in ("in", "params") for name, _ in message.pairs):
                raise m.BodyError("invalid-request", "msg.request", "unexpected member")
            return original(message)
        return check_request
    wrap(m, "check_request", make)


@mutant("duplicate-in-last-wins", "msg.duplicate-members.reject", "MUST",
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


@mutant("duplicate-params-first-wins", "msg.duplicate-members.reject", "MUST",
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


@mutant("case-insensitive-methods", "msg.method-names.exact", "MUST",
        "method names are compared case-insensitively: \"Ping\" answers pong")
def _(m, config):
    def make(original):
        def lookup(self, name):
            return original(self, name.lower())
        return lookup
    wrap(m.Methods, "lookup", make)


@mutant("trimmed-method-names", "msg.method-names.exact", "MUST",
        "method names are stripped of surrounding whitespace: \" ping\" answers pong")
def _(m, config):
    def make(original):
        def lookup(self, name):
            return original(self, name.strip())
        return lookup
    wrap(m.Methods, "lookup", make)


@mutant("ping-drops-null-members", "msg.ping.echo", "MUST",
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


@mutant("ping-normalizes-strings", "msg.ping.echo", "MUST",
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


@mutant("ping-null-invalid-params", "msg.ping.no-invalid-params", "MUST NOT",
        "ping answers invalid-params when params is null")
def _(m, config):
    def make(original):
        async def ping(self, params):
            if params is None:
                raise m.InvalidParams("msg.ping", "params must not be null")
            return await original(self, params)
        return ping
    wrap(m.Methods, "ping", make)


@mutant("numbers-17-digits", "msg.ping-echo-interoperable.echo", "MUST",
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


@mutant("numbers-binary64", "msg.ping-echo-exact.echo", "SHOULD",
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


@mutant("error-without-message", "msg.error-response.message", "MUST",
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


@mutant("error-offset-missing", "msg.error-response.offset-required", "MUST",
        "invalid-json and invalid-utf8 responses have no offset")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, rule, None)
        return error_response
    wrap(m, "error_response", make)


@mutant("offset-off-by-one", "msg.error-response.offset", "MUST",
        "body error offsets are one past the error (counted from 1)")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, rule, None if offset is None else offset + 1)
        return error_response
    wrap(m, "error_response", make)


@mutant("offset-in-characters", "body.json-text.offset", "MUST",
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


@mutant("error-rule-missing", "msg.error-response.rule", "SHOULD",
        "error responses do not say which rule the request broke (no 'rule' member)")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, None, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("unregistered-error-code", "msg.error-codes.registry", "MUST",
        "invalid requests are answered with the code \"bad-request\", which is not in the registry")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original("bad-request" if code == "invalid-request" else code, message, rule, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("unknown-method-closes", "msg.unknown-method.answer", "MUST",
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


@mutant("unknown-method-unnamed", "msg.unknown-method.message", "SHOULD",
        "the unknown-method message does not name the method")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, "no such method" if code == "unknown-method" else message, rule, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("error-then-close", "msg.error-keeps-connection.open", "MUST",
        "every error response is followed by closing the connection", only=("frame.zero-length.framing",))
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


@mutant("describe-missing-max-depth", "msg.describe.max-depth", "MUST",
        "lpj.describe leaves out maxDepth")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, v) for n, v in result.pairs if n != "maxDepth"]))


@mutant("describe-wrong-limit", "msg.describe.max-body", "MUST",
        "lpj.describe states a maxBody of 2 MiB while the limit is 1 MiB")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, m.Num("2097152") if n == "maxBody" else v)
                                                               for n, v in result.pairs]))


@mutant("describe-methods-incomplete", "msg.describe.methods", "MUST",
        "lpj.describe lists only ping and lpj.describe, not sleep and relay, which it serves")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, ["lpj.describe", "ping"] if n == "methods" else v)
                                                               for n, v in result.pairs]))


@mutant("describe-rejects-params", "msg.describe.ignores-params", "MUST",
        "lpj.describe answers invalid-params unless params is null")
def _(m, config):
    def make(original):
        async def describe(self, params):
            if params is not None:
                raise m.InvalidParams("msg.describe", "lpj.describe takes no params")
            return await original(self, params)
        return describe
    wrap(m.Methods, "describe", make)


@mutant("describe-duplicates-wrong", "msg.describe.choices-true", "MUST",
        "lpj.describe says duplicates \"last\" while the server keeps every duplicate member")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, "last" if n == "duplicates" else v)
                                                               for n, v in result.pairs]))


# ---- Connections ---------------------------------------------------------------------------------

@mutant("greeting-frame", "conn.one-response.nothing-else", "MUST NOT",
        "the server greets every connection with an unsolicited frame", only=())
def _(m, config):
    def make(original):
        async def serve(self):
            self.writer.write(m.encode_frame(m.encode_message(m.response("hello", "lpj-python")), self.order or "little"))
            await original(self)
        return serve
    wrap(m.Connection, "serve", make)


@mutant("double-error-response", "conn.one-response.exactly-one", "MUST",
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


@mutant("completion-order", "conn.in-order.order", "MUST",
        "responses are written as requests complete: a pong overtakes the sleep queued before it",
        only=("frame.oversize-error-reply.after-earlier",))
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


@mutant("sleep-answered-aside", "conn.in-order.order", "MUST",
        "a sleep's slept is written when the sleep ends, past the ordered response queue: a pong overtakes the "
        "sleep before it, and a half-close closes once the queue is written, with the sleep still running",
        # extension.sleep.oversize-behind: the slept is lost at the oversize close and charged to ext.sleep.out
        # (frame.oversize-close.earlier-responses would name it more exactly).
        only=("frame.oversize-error-reply.after-earlier", "ext.sleep.out"))
def _(m, config):
    def make(original):
        def dispatch(self, body):
            try:
                method = json.loads(body).get("in")
            except Exception:
                method = None
            if method != "sleep":
                return original(self, body)

            def aside(item):
                if not asyncio.isfuture(item) or item.done():
                    return m.Connection.queue_response(self, item)

                async def write_when_done():
                    message = await item
                    if not self.writer.transport.is_closing():
                        self.writer.write(self.frame(message))
                asyncio.ensure_future(write_when_done())
            self.queue_response = aside
            try:
                return original(self, body)
            finally:
                del self.queue_response
        return dispatch
    wrap(m.Connection, "dispatch", make)


@mutant("pipelining-overloaded", "conn.pipelining.no-refusal", "MUST NOT",
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


@mutant("half-close-drops-outstanding", "conn.half-close.answer-outstanding", "MUST",
        "end of stream from the client closes the connection at once, dropping unanswered requests")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "half-close" and self.outstanding:
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("half-close-never-closes", "conn.half-close.close", "MUST",
        "after a half-close the responses are sent but the server does not close: it waits for the client",
        flags=["--idle-timeout-ms", "5000"])
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


@mutant("eof-answers-partial", "conn.eof-inside-frame.no-response", "MUST",
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


@mutant("eof-drops-earlier", "conn.eof-inside-frame.earlier-responses", "MUST",
        "responses wait while a frame is partly read, and end of stream inside that frame drops them with the connection")
def _(m, config):
    def make_send(original):
        async def send(self, frame):
            while self.partial_since is not None:
                await asyncio.sleep(0.005)
            await original(self, frame)
        return send

    def make_finish(original):
        async def finish(self, how):
            if how == "truncated":
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "send", make_send)
    wrap(m.Connection, "finish", make_finish)


@mutant("idle-close-while-outstanding", "conn.idle-timeout.not-while-outstanding", "MUST NOT",
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


@mutant("idle-5s-default", "conn.idle-timeout.default", "SHOULD NOT",
        "the idle time-out is 5 s by default (stated in lpj.describe), below the recommended 30 s")
def _(m, config):
    config.idle_timeout_ms = 5000


@mutant("crash-on-truncated", "conn.isolation.unaffected", "MUST NOT",
        "end of stream inside a frame takes the whole server down (an unhandled exception in the accept loop)")
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "truncated":
                os._exit(3)
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("order-leaks-across-connections", "conn.isolation.unaffected", "MUST NOT",
        "a connection whose first prefix is oversized but fits byte-swapped switches a server-wide byte order that "
        "every later connection then uses (at a limit of 100,000)",
        flags=["--max-body", "100000"])
def _(m, config):
    shared = {}

    def make(original):
        def order_for(self, prefix):
            if getattr(self, "first_prefix_seen", False):
                return original(self, prefix)
            self.first_prefix_seen = True
            if "order" in shared:
                self.order = shared["order"]
            order = original(self, prefix)
            swapped = "big" if order == "little" else "little"
            if m.decode_prefix(prefix, order) > self.config.max_body >= m.decode_prefix(prefix, swapped):
                shared["order"] = swapped
            return order
        return order_for
    wrap(m.Connection, "order_for", make)


@mutant("no-slow-sender-bound", "sec.slow-sender.bound", "SHOULD",
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


@mutant("slow-sender-500ms", "sec.slow-sender.minimum", "MUST NOT",
        "a frame must arrive within 500 ms, even while its octets keep coming (the bound is below 2 s; stated)")
def _(m, config):
    config.slow_sender_ms = 500


@mutant("no-slow-reader-bound", "sec.slow-reader.bound", "SHOULD",
        "a client that never reads holds its responses (and the connection) forever: the stated bound is never applied",
        flags=["--slow-reader-ms", "10000"])
def _(m, config):
    async def send(self, frame):
        self.writer.write(frame)
        await self.writer.drain()
    m.Connection.send = send


@mutant("connection-limit-4", "sec.connection-limit.minimum", "MUST",
        "at most 4 connections: below the 8 a limiting server allows")
def _(m, config):
    config.max_connections = 4


@mutant("overloaded-unsolicited", "conn.one-response.nothing-else", "MUST NOT",
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

@mutant("sleep-no-wait", "ext.sleep.waits", "MUST",
        "sleep answers slept at once, without waiting")
def _(m, config):
    async def sleep(self, params):
        params = m.apply_duplicates(params, self.config.duplicates)
        self.sleep_ms(params)
        return m.response("slept", params)
    m.Methods.sleep = sleep


@mutant("sleep-blocks-loop", "ext.sleep.not-blocking", "MUST NOT",
        "sleep calls time.sleep() on the event loop: every other connection waits with it")
def _(m, config):
    async def sleep(self, params):
        params = m.apply_duplicates(params, self.config.duplicates)
        time.sleep(self.sleep_ms(params) / 1000)
        return m.response("slept", params)
    m.Methods.sleep = sleep


@mutant("sleep-accepts-out-of-range", "ext.sleep.invalid-params", "MUST",
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


@mutant("sleep-rejects-decimal-integer", "ext.sleep.waits", "MUST",
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


@mutant("sleep-maximum-exclusive", "ext.sleep.waits", "MUST",
        "sleep refuses ms 60000, the inclusive maximum, as out of range (ms < 60000 checked instead of ms <= 60000)")
def _(m, config):
    def make(original):
        def sleep_ms(self, params):
            ms = original(self, params)
            if ms == 60000:
                raise m.InvalidParams("ext.sleep", "ms must be an integer from 0 to 59999")
            return ms
        return sleep_ms
    wrap(m.Methods, "sleep_ms", make)


@mutant("relay-no-allow-list", "ext.relay.refused-upstream", "MUST",
        "relay accepts any upstream (it answers as if it had tried to connect) instead of invalid-params")
def _(m, config):
    m.upstream_allowed = lambda host, port, patterns: True
    stay_on_this_machine(m)


def stay_on_this_machine(m):
    """A mutant that admits any upstream still never really connects off the machine: a connection to
    anywhere but loopback is refused, as an unreachable network would answer."""
    original_upstream = m.Methods.upstream

    async def upstream(self, host, port, method, params):
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            raise OSError(111, "Connection refused")
        return await original_upstream(self, host, port, method, params)
    m.Methods.upstream = upstream


@mutant("relay-allows-documentation", "ext.relay.documentation-refused", "MUST",
        "an operator's allow-all list (--relay-allow '*:*') is followed even for the documentation address blocks",
        flags=["--relay-allow", "*:*"])
def _(m, config):
    m.DOCUMENTATION_BLOCKS = ()
    stay_on_this_machine(m)


@mutant("relay-ignores-timeout", "ext.relay.timeout", "MUST",
        "relay ignores timeout_ms and always waits up to its default of 5 s")
def _(m, config):
    def make(original):
        def relay_call(self, params):
            host, port, method, upstream_params, _ = original(self, params)
            return host, port, method, upstream_params, 5000
        return relay_call
    wrap(m.Methods, "relay_call", make)


@mutant("relay-timeout-as-upstream-error", "ext.relay.timeout", "MUST",
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


@mutant("relay-passes-unregistered-codes", "ext.relay.unregistered-code", "MUST",
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


@mutant("relay-accepts-broken-response", "ext.relay.upstream-error", "MUST",
        "relay passes on an upstream response without result (as null) instead of upstream-error")
def _(m, config):
    original = m.check_response

    def check_response(message):
        if isinstance(message, m.Obj) and len(message.get_all("out")) == 1 and not message.get_all("result"):
            return m.response(message.get_all("out")[0], None)
        return original(message)
    m.check_response = check_response


@mutant("relay-big-endian-upstream", "ext.relay.one-request", "MUST",
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


# ---- More requirements of the inventory (one mutant each) ------------------------------------------

@mutant("skips-newlines", "frame.body-follows.receiver", "MUST",
        "newline octets at a frame boundary are skipped, to tolerate senders that end frames with \\n")
def _(m, config):
    def make(original):
        async def read_prefix(self):
            while True:
                octet = await self.reader.read(1)
                if not octet:
                    raise m.EndOfStream(partial=False)
                if octet not in (b"\n", b"\r"):
                    break
            self.partial_since = time.monotonic()
            return await self.read_exactly(4, bytearray(octet))
        return read_prefix
    wrap(m.Connection, "read_prefix", make)


@mutant("prefix-8-octets", "frame.prefix-size.sender", "MUST",
        "responses get an 8-octet prefix (struct.pack(\"L\", n) on a 64-bit host)")
def _(m, config):
    def frame(self, message):
        body = m.encode_message(message, self.config.numbers)
        return len(body).to_bytes(8, self.order or "little") + body
    m.Connection.frame = frame


@mutant("zero-length-invalid-request", "frame.zero-length.answer", "MUST",
        "a zero-length request is answered invalid-request (\"empty request\") instead of invalid-json at 0")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            if not body:
                raise m.BodyError("invalid-request", "msg.request", "empty request")
            return original(body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("default-limit-512k", "frame.max-size-configurable.default", "SHOULD",
        "the default body-size limit is 524,288 octets (stated), below the recommended 1 MiB")
def _(m, config):
    config.max_body = 524288


@mutant("oversize-no-close", "frame.oversize-close.close", "MUST",
        "after frame-too-large the server stops reading but leaves the connection open (until the idle time-out)",
        flags=["--idle-timeout-ms", "5000"])
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "oversized":
                while self.outstanding:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(self.config.idle_timeout_ms / 1000)
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("oversize-waits-for-body", "frame.limit-before-allocation.before-reading", "MUST",
        "an oversized length is refused only after the announced body (or the end of the stream) has come")
def _(m, config):
    def oversized(self, prefix, length, order):
        self.pending_oversize = (prefix, length, order)
    m.Connection.oversized = oversized

    def make(original):
        async def finish(self, how):
            if how == "oversized":
                prefix, length, order = self.pending_oversize
                remaining = length
                while remaining > 0:
                    chunk = await self.reader.read(min(remaining, 65536))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                self.queue_response(m.error_response("frame-too-large", m.oversize_message(prefix, length, self.config.max_body, order),
                                                     "frame.oversize-close"))
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("oversize-reply-first", "frame.oversize-error-reply.after-earlier", "MUST",
        "frame-too-large is written at once, ahead of the responses still queued for earlier requests")
def _(m, config):
    def oversized(self, prefix, length, order):
        self.writer.transport.pause_reading()
        message = m.error_response("frame-too-large", m.oversize_message(prefix, length, self.config.max_body, order),
                                   "frame.oversize-close")
        self.writer.write(self.frame(message))
    m.Connection.oversized = oversized


@mutant("oversize-reply-before-slow", "frame.oversize-error-reply.after-earlier", "MUST",
        "frame-too-large is written once the responses already computed are out: it overtakes a sleep still running")
def _(m, config):
    def oversized(self, prefix, length, order):
        self.writer.transport.pause_reading()
        message = m.error_response("frame-too-large", m.oversize_message(prefix, length, self.config.max_body, order),
                                   "frame.oversize-close")

        async def after_the_ready_ones():
            while any(asyncio.isfuture(item) and item.done() for item in self.responses._queue):
                await asyncio.sleep(0)
            self.writer.write(self.frame(message))
        self.tasks.add(asyncio.ensure_future(after_the_ready_ones()))
    m.Connection.oversized = oversized


@mutant("oversize-with-offset", "frame.oversize-error-reply.no-offset", "MUST NOT",
        "the frame-too-large response carries \"offset\":0 like the body errors")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, rule, 0 if code == "frame-too-large" else offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("oversize-message-bare", "frame.oversize-error-reply.message", "SHOULD",
        "the frame-too-large message names the likely cause but neither the length read nor the limit")
def _(m, config):
    def make(original):
        def oversize_message(prefix, length, limit, order):
            text = original(prefix, length, limit, order)
            return "frame too large" + (text[text.index(";"):] if ";" in text else "")
        return oversize_message
    wrap(m, "oversize_message", make)


@mutant("split-writes-delayed", "frame.single-write.no-gap", "SHOULD NOT",
        "prefix and body written separately with TCP_NODELAY, but 50 ms apart (a flush timer between them)")
def _(m, config):
    async def send(self, frame):
        self.writer.write(frame[:4])
        await self.writer.drain()
        await asyncio.sleep(0.05)
        self.writer.write(frame[4:])
        await self.writer.drain()
    m.Connection.send = send


@mutant("default-big-endian", "order.little-default.default", "MUST",
        "without --byte-order the server speaks big-endian (network order), and says so in lpj.describe")
def _(m, config):
    config.byte_order = config.byte_order_stated = "big"


@mutant("big-mode-later-frames-little", "order.big-mode.every-prefix", "MUST",
        "in big-endian mode only the first prefix of a connection is read big-endian, later ones little-endian",
        flags=["--byte-order", "big"])
def _(m, config):
    def order_for(self, prefix):
        if getattr(self, "seen_first", False):
            return "little"
        self.seen_first = True
        return self.order
    m.Connection.order_for = order_for


@mutant("native-is-big", "order.native-is-legacy.resolve", "MUST",
        "\"native\" is resolved to big-endian (network order) on a little-endian host",
        flags=["--byte-order", "native"])
def _(m, config):
    config.byte_order = config.byte_order_stated = "big"


@mutant("json-before-utf8", "body.utf8.precedence", "MUST",
        "the JSON grammar is checked over leniently decoded text first, UTF-8 only afterwards: a later JSON error wins")
def _(m, config):
    class Lenient(m.Parser):
        def fail(self, point, rule, message, report=None):
            raise m.BodyError("invalid-json", rule, message, point if report is None else report)

        def fail_utf8(self, start):
            self.pos = start + 1

        def text(self, octets):
            return octets.decode("utf-8", "replace")

    def make(original):
        def parse_body(body, max_depth):
            Lenient(body, max_depth).parse()
            return original(body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("utf8-offset-decode-end", "body.utf8.offset", "MUST",
        "the invalid-utf8 offset is UnicodeDecodeError.end, one past the bad octets, not their start")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            try:
                return original(body, max_depth)
            except m.BodyError as e:
                if e.code == "invalid-utf8":
                    try:
                        body.decode("utf-8")
                    except UnicodeDecodeError as error:
                        e.offset = error.end
                raise
        return parse_body
    wrap(m, "parse_body", make)


@mutant("reject-noncharacters", "body.utf8.noncharacters", "MUST NOT",
        "noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF) are refused as invalid UTF-8")
def _(m, config):
    pattern = re.compile(rb"\xef\xbf[\xbe\xbf]|\xef\xb7[\x90-\xaf]")

    def make(original):
        def parse_body(body, max_depth):
            found = pattern.search(body)
            if found:
                raise m.BodyError("invalid-utf8", "body.utf8", "noncharacter", found.start())
            return original(body, max_depth)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("bom-in-responses", "body.no-bom.sender", "MUST NOT",
        "responses are encoded as utf-8-sig: every body starts with a byte order mark")
def _(m, config):
    m.encode_message = lambda message, numbers="text": m.dump(message, numbers).encode("utf-8-sig")


class Raw(str):
    """Text a mutant writes into JSON without escaping."""


@mutant("error-message-unescaped", "body.json-text.sender", "MUST",
        "error messages are pasted into the JSON text unescaped: the quotes around a method name break it")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, Raw(message), rule, offset)
        return error_response
    wrap(m, "error_response", make)

    def make_string(original):
        def dump_string(text):
            return '"%s"' % text if isinstance(text, Raw) else original(text)
        return dump_string
    wrap(m, "dump_string", make_string)


@mutant("errors-as-strings", "body.object.sender", "MUST",
        "error responses are sent as a bare JSON string (\"invalid-json: ...\"), not an object")
def _(m, config):
    def make(original):
        def frame(self, message):
            if message.pairs[0][1] == "error":
                result = message.pairs[1][1]
                text = "%s: %s" % (result.get_all("code")[0], result.get_all("message")[0])
                return m.encode_frame(json.dumps(text).encode(), self.order or "little")
            return original(self, message)
        return frame
    wrap(m.Connection, "frame", make)


@mutant("astral-escapes-reversed", "body.no-lone-surrogates.sender", "MUST NOT",
        "characters beyond U+FFFF are written as \\u escapes with the low surrogate first (a hand-written UTF-16 encoder)")
def _(m, config):
    def make(original):
        def dump_string(text):
            out = original(text)
            return "".join("\\u%04x\\u%04x" % (0xDC00 + (ord(c) - 0x10000) % 0x400, 0xD800 + (ord(c) - 0x10000) // 0x400)
                           if ord(c) > 0xFFFF else c for c in out)
        return dump_string
    wrap(m, "dump_string", make)


@mutant("no-slash-escape", "body.escapes-equal.decode", "MUST",
        "the escape \\/ is refused as invalid (it is valid JSON and means '/')")
def _(m, config):
    def make(original):
        def escape(self):
            if self.body.startswith(b"\\/", self.pos):
                self.fail(self.pos + 1, "body.json-text", "invalid escape")
            return original(self)
        return escape
    wrap(m.Parser, "escape", make)


@mutant("depth-limit-not-enforced", "body.nesting-limit.reject", "MUST",
        "lpj.describe states 512, but bodies deeper than 512 are accepted (the limit is never checked)")
def _(m, config):
    def make(original):
        def parse_body(body, max_depth):
            return original(body, 100000)
        return parse_body
    wrap(m, "parse_body", make)


@mutant("duplicates-merged", "body.nested-duplicates.permitted", "MUST",
        "duplicate member names inside params are merged into one member holding an array of the values")
def _(m, config):
    def merge(value):
        if isinstance(value, list):
            return [merge(item) for item in value]
        if isinstance(value, m.Obj):
            merged = {}
            for name, item in value.pairs:
                merged.setdefault(name, []).append(merge(item))
            return m.Obj((name, items[0] if len(items) == 1 else items) for name, items in merged.items())
        return value

    async def ping(self, params):
        return m.response("pong", merge(params))
    m.Methods.ping = ping


@mutant("sleep-duplicate-uses-first", "body.nested-duplicates.read-kept", "MUST",
        "with duplicates \"last\", sleep waits for the first ms of {\"ms\":1,\"ms\":N}, not the kept last one",
        flags=["--duplicates", "last"])
def _(m, config):
    async def sleep(self, params):
        values = params.get_all("ms") if isinstance(params, m.Obj) else []
        kept = m.apply_duplicates(params, self.config.duplicates)
        ms = self.sleep_ms(kept)
        if values and m.integer(values[0]) is not None and 0 <= m.integer(values[0]) <= 60000:
            ms = m.integer(values[0])
        await asyncio.sleep(ms / 1000)
        return m.response("slept", kept)
    m.Methods.sleep = sleep


@mutant("sleep-duplicate-ms-last", "body.nested-duplicates.read-invalid", "MUST",
        "keeping every duplicate, sleep still reads {\"ms\":1,\"ms\":2} as 2 instead of answering invalid-params")
def _(m, config):
    def member(params, name, rule, choice):
        values = params.get_all(name)
        return values[-1] if values else None
    m.member = member


@mutant("null-result-omitted", "msg.response.server", "MUST",
        "a null result is left out of the response (a serializer that drops None members): {\"out\":\"pong\"}")
def _(m, config):
    def make(original):
        def response(out, result):
            value = original(out, result)
            if result is None:
                value.pairs = value.pairs[:1]
            return value
        return response
    wrap(m, "response", make)


@mutant("pong-result-omitted", "msg.response.server", "MUST",
        "every pong is written without its result: {\"out\":\"pong\"}, however the ping's params", only=())
def _(m, config):
    def make(original):
        def response(out, result):
            value = original(out, result)
            if out == "pong":
                value.pairs = value.pairs[:1]
            return value
        return response
    wrap(m, "response", make)


@mutant("copies-id", "msg.unknown-members.not-copied", "MUST NOT",
        "unknown members of the request (an \"id\", say) are copied into the response")
def _(m, config):
    def make_dispatch(original):
        def dispatch(self, body):
            try:
                message = m.parse_body(body, self.config.max_depth)
                self.extra = [(n, v) for n, v in message.pairs if n not in ("in", "params")] if isinstance(message, m.Obj) else []
            except m.BodyError:
                self.extra = []
            original(self, body)
            self.extra = []
        return dispatch

    def make_queue(original):
        def queue_response(self, item):
            extra = getattr(self, "extra", [])
            if extra and isinstance(item, m.Obj):
                item.pairs += extra
            elif extra:
                async def add(future, extra=list(extra)):
                    message = await future
                    message.pairs += extra
                    return message
                item = asyncio.ensure_future(add(item))
            original(self, item)
        return queue_response
    wrap(m.Connection, "dispatch", make_dispatch)
    wrap(m.Connection, "queue_response", make_queue)


@mutant("empty-method-invalid-request", "msg.method-names.any-string", "MUST",
        "an empty method name is answered invalid-request instead of unknown-method")
def _(m, config):
    def make(original):
        def check_request(message):
            method, params = original(message)
            if method == "":
                raise m.BodyError("invalid-request", "msg.request", "empty method name")
            return method, params
        return check_request
    wrap(m, "check_request", make)


@mutant("offers-lpj-methods", "msg.method-names.reserved", "MUST NOT",
        "the server offers its own method lpj.ping (an alias of ping) in the reserved lpj. namespace")
def _(m, config):
    def make_names(original):
        def names(self):
            return sorted(original(self) + ["lpj.ping"])
        return names

    def make_lookup(original):
        def lookup(self, name):
            return self.ping if name == "lpj.ping" else original(self, name)
        return lookup
    wrap(m.Methods, "names", make_names)
    wrap(m.Methods, "lookup", make_lookup)


@mutant("describe-lists-lpj-stats", "msg.describe.no-reserved-methods", "MUST NOT",
        "lpj.describe lists a method \"lpj.stats\" (not defined by the spec, and not served)")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, v + ["lpj.stats"] if n == "methods" else v)
                                                               for n, v in result.pairs]))


@mutant("errors-result-string", "msg.error-response.form", "MUST",
        "error responses carry their message as the result: {\"out\":\"error\",\"result\":\"...\"}")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return m.response("error", "%s: %s" % (code, message))
        return error_response
    wrap(m, "error_response", make)


@mutant("error-code-missing", "msg.error-response.code", "MUST",
        "error responses have message, rule and offset but no code")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            value = original(code, message, rule, offset)
            value.pairs[1][1].pairs = value.pairs[1][1].pairs[1:]
            return value
        return error_response
    wrap(m, "error_response", make)


@mutant("rule-not-an-id", "msg.error-response.rule-id", "MUST",
        "the rule member names the parser's exception (\"JSONDecodeError\"), not a rule of the spec")
def _(m, config):
    def make(original):
        def error_response(code, message, rule=None, offset=None):
            return original(code, message, "JSONDecodeError" if code == "invalid-json" else rule, offset)
        return error_response
    wrap(m, "error_response", make)


@mutant("sleep-out-error", "msg.error-response.out-reserved", "MUST NOT",
        "a successful sleep answers with out \"error\" (the method's result kind taken from a shared enum)")
def _(m, config):
    def make(original):
        async def sleep(self, params):
            value = await original(self, params)
            value.pairs[0] = ("out", "error")
            return value
        return sleep
    wrap(m.Methods, "sleep", make)


@mutant("describe-out-wrong", "msg.describe.out", "MUST",
        "lpj.describe answers with out \"lpj.describe\" instead of \"lpj.description\"")
def _(m, config):
    def make(original):
        async def describe(self, params):
            value = await original(self, params)
            value.pairs[0] = ("out", "lpj.describe")
            return value
        return describe
    wrap(m.Methods, "describe", make)


@mutant("describe-protocol-wrong", "msg.describe.protocol", "MUST",
        "lpj.describe states protocol \"lpj/1.0\"")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, "lpj/1.0" if n == "protocol" else v) for n, v in result.pairs]))


@mutant("describe-server-missing", "msg.describe.server", "MUST",
        "lpj.describe leaves out the server member")
def _(m, config):
    describe_patch(m, lambda result: setattr(result, "pairs", [(n, v) for n, v in result.pairs if n != "server"]))


@mutant("interleaved-frames", "conn.in-order.contiguous", "MUST",
        "responses ready together are written prefixes first, then bodies: their frames interleave")
def _(m, config):
    async def write_responses(self):
        try:
            closing = False
            while not closing:
                items = [await self.responses.get()]
                while not self.responses.empty():
                    items.append(self.responses.get_nowait())
                if items[-1] is m.CLOSE:
                    closing = True
                    items.pop()
                frames = [self.frame(await item) for item in items]
                self.writer.write(b"".join(f[:4] for f in frames) + b"".join(f[4:] for f in frames))
                await self.writer.drain()
                self.outstanding -= len(frames)
                self.window.set()
                if self.outstanding == 0:
                    self.idle_since = time.monotonic()
            self.writer.close()
        except (ConnectionError, OSError):
            self.writer.transport.abort()
        finally:
            self.server.connection_closed(self)
    m.Connection.write_responses = write_responses


@mutant("pipelining-drops-beyond-16", "conn.pipelining.answer-all", "MUST",
        "at most 16 requests may wait on a connection: further pipelined requests are dropped without a response")
def _(m, config):
    def make(original):
        def dispatch(self, body):
            if self.outstanding >= 16:
                return
            original(self, body)
        return dispatch
    wrap(m.Connection, "dispatch", make)


@mutant("eof-no-close", "conn.eof-inside-frame.close", "MUST",
        "after end of stream inside a frame the earlier responses are sent but the connection stays open",
        flags=["--idle-timeout-ms", "5000"])
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "truncated":
                while self.outstanding:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(self.config.idle_timeout_ms / 1000)
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("idle-500ms", "conn.idle-timeout.minimum", "MUST NOT",
        "an idle time-out of 500 ms (stated in lpj.describe), below the 1 s minimum")
def _(m, config):
    config.idle_timeout_ms = 500


@mutant("read-ahead-unbounded", "sec.buffer-bound.unprocessed", "SHOULD NOT",
        "every pipelined request is read into memory at once, however many wait to be processed")
def _(m, config):
    m.STREAM_BUFFER = 64 * 1048576
    m.PIPELINE_WINDOW = 10 ** 9


@mutant("no-backpressure", "sec.buffer-bound.unwritten", "SHOULD",
        "the server keeps reading requests while the client reads none of the responses")
def _(m, config):
    m.PIPELINE_WINDOW = 10 ** 9


@mutant("slow-sender-5s", "sec.slow-sender.default", "SHOULD",
        "the slow-sender bound is 5 s (stated), below the recommended 10 s")
def _(m, config):
    config.slow_sender_ms = 5000


@mutant("slow-sender-answers-partial", "sec.slow-sender.no-response", "MUST NOT",
        "a frame cut off by the slow-sender bound is answered (invalid-json) before the close",
        flags=["--slow-sender-ms", "2000"])
def _(m, config):
    async def read_body(self, length):
        self.partial_body = bytearray()
        body = await self.read_exactly(length, self.partial_body)
        self.partial_body = None
        return body

    def make(original):
        async def finish(self, how):
            partial = getattr(self, "partial_body", None)
            if how == "time-limit" and partial is not None:
                self.dispatch(bytes(partial))
            await original(self, how)
        return finish
    m.Connection.read_body = read_body
    wrap(m.Connection, "finish", make)


@mutant("slow-sender-drops-earlier", "sec.slow-sender.earlier-responses", "SHOULD",
        "closing under the slow-sender bound resets the connection: responses to earlier requests are lost",
        flags=["--slow-sender-ms", "2000"])
def _(m, config):
    def make(original):
        async def finish(self, how):
            if how == "time-limit" and self.partial_since is not None:
                self.writer.transport.abort()
            await original(self, how)
        return finish
    wrap(m.Connection, "finish", make)


@mutant("slow-reader-2s", "sec.slow-reader.minimum", "SHOULD NOT",
        "a response may wait only 2 s for a client that does not read")
def _(m, config):
    config.slow_reader_ms = 2000


@mutant("connection-limit-silent", "sec.connection-limit.refuse", "SHOULD",
        "connections over the limit are accepted and then ignored: never read, never answered, never closed",
        flags=["--max-connections", "10"])
def _(m, config):
    def make(original):
        async def accept(self, reader, writer):
            if self.config.max_connections and len(self.connections) >= self.config.max_connections:
                await asyncio.sleep(3600)
                return
            await original(self, reader, writer)
        return accept
    wrap(m.Server, "accept", make)


@mutant("overloaded-at-10-outstanding", "sec.connection-limit.overloaded-server-wide", "MUST NOT",
        "a pool of 10 workers for sleep and relay: an 11th concurrent one, on any connection, is answered overloaded")
def _(m, config):
    busy = set()

    def make(original):
        def lookup(self, name):
            handler = original(self, name)
            if handler is None or name not in ("sleep", "relay"):
                return handler

            async def pooled(params):
                if len(busy) >= 10:
                    return m.error_response("overloaded", "all 10 workers are busy", "sec.connection-limit")
                token = object()
                busy.add(token)
                try:
                    return await handler(params)
                finally:
                    busy.discard(token)
            return pooled
        return lookup
    wrap(m.Methods, "lookup", make)


@mutant("sleep-rejects-extra-members", "ext.sleep.other-members", "MUST",
        "sleep answers invalid-params when params has members other than ms")
def _(m, config):
    def make(original):
        def sleep_ms(self, params):
            if isinstance(params, m.Obj) and any(n != "ms" for n, _ in params.pairs):
                raise m.InvalidParams("ext.sleep", "unexpected member")
            return original(self, params)
        return sleep_ms
    wrap(m.Methods, "sleep_ms", make)


@mutant("sleep-out-wrong", "ext.sleep.out", "MUST",
        "sleep answers with out \"sleep\" instead of \"slept\"")
def _(m, config):
    def make(original):
        async def sleep(self, params):
            value = await original(self, params)
            value.pairs[0] = ("out", "sleep")
            return value
        return sleep
    wrap(m.Methods, "sleep", make)


@mutant("sleep-result-ms-only", "ext.sleep.result", "MUST",
        "sleep answers with {\"ms\": N} alone, dropping the other members of params")
def _(m, config):
    def make(original):
        async def sleep(self, params):
            value = await original(self, params)
            result = value.pairs[1][1]
            value.pairs[1] = ("result", m.Obj([(n, v) for n, v in result.pairs if n == "ms"]))
            return value
        return sleep
    wrap(m.Methods, "sleep", make)


@mutant("relay-rejects-extra-members", "ext.relay.other-members", "MUST",
        "relay answers invalid-params when params has members it does not know")
def _(m, config):
    def make(original):
        def relay_call(self, params):
            if isinstance(params, m.Obj) and any(n not in ("host", "port", "in", "params", "timeout_ms") for n, _ in params.pairs):
                raise m.InvalidParams("ext.relay", "unexpected member")
            return original(self, params)
        return relay_call
    wrap(m.Methods, "relay_call", make)


@mutant("relay-accepts-port-0", "ext.relay.invalid-params", "MUST",
        "relay takes port 0 (and other out-of-range ports) as valid and tries to connect: upstream-error")
def _(m, config):
    def make(original):
        def relay_call(self, params):
            ports = params.get_all("port") if isinstance(params, m.Obj) else []
            if len(ports) == 1 and m.integer(ports[0]) is not None and not 1 <= m.integer(ports[0]) <= 65535:
                params = m.Obj([(n, m.Num("1") if n == "port" else v) for n, v in params.pairs])
            return original(self, params)
        return relay_call
    wrap(m.Methods, "relay_call", make)


@mutant("relay-wraps-response", "ext.relay.pass-through", "MUST",
        "relay answers out \"relayed\" with the upstream's whole response as its result")
def _(m, config):
    def make(original):
        async def relay(self, params):
            value = await original(self, params)
            if value.pairs[0][1] != "error" or value.pairs[1][1].get_all("rule") != ["ext.relay"]:
                return m.response("relayed", value)
            return value
        return relay
    wrap(m.Methods, "relay", make)


@mutant("relay-blocks-loop", "ext.relay.not-blocking", "MUST NOT",
        "relay calls its upstream with a blocking socket on the event loop: every connection waits for it")
def _(m, config):
    async def upstream(self, host, port, method, params):
        with socket.create_connection((host, port), timeout=10) as sock:
            request = m.encode_message(m.Obj([("in", method), ("params", params)]), self.config.numbers)
            sock.sendall(m.encode_frame(request, "little"))
            data = b""
            while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "little"):
                chunk = sock.recv(65536)
                if not chunk:
                    raise m.UpstreamError("closed")
                data += chunk
            return m.check_response(m.parse_body(data[4:4 + int.from_bytes(data[:4], "little")], self.config.max_depth))
    m.Methods.upstream = upstream


@mutant("messages-latin1", "body.utf8.sender", "MUST",
        "error responses are encoded in ISO-8859-1: a method name quoted in the message (\"frobé\") is not UTF-8")
def _(m, config):
    original = m.encode_message

    def encode_message(message, numbers="text"):
        if message.pairs[0][1] != "error":
            return original(message, numbers)
        result = message.pairs[1][1]
        result.pairs = [(n, re.sub(r"\\u([0-9a-fA-F]{4})", lambda x: chr(int(x[1], 16)), v) if n == "message" else v)
                        for n, v in result.pairs]
        return b"".join(c.encode("latin-1") if ord(c) < 256 else c.encode("utf-8") for c in m.dump(message, numbers))
    m.encode_message = encode_message
