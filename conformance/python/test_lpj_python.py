#!/usr/bin/env python3
"""Unit tests of the Python implementation's codec (fast, no sockets) and of its mutant inventory.

    python3 -m unittest conformance/python/test_lpj_python.py      (or run this file)

LPJ_PY_MUTANT=NAME applies a server mutant before the tests run: a deliberately broken build, to see
the tests fail (every test here has been seen failing that way; see the commit that added them).
"""
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import lpj_server as lpj      # noqa: E402
import lpj_mutants            # noqa: E402

if os.environ.get("LPJ_PY_MUTANT"):
    lpj_mutants.apply(os.environ["LPJ_PY_MUTANT"], lpj, ["--port", "0"])

# Server rules of the spec with no mutant, and why (used until spec/requirements.json exists).
RULES_WITHOUT_MUTANT = {
    "frame.limit-before-allocation": "allocation and transport reads are not visible on the wire",
    "sec.buffer-bound": "memory use is not visible on the wire",
    "order.little-default": "a server that defaults to big-endian and says so is indistinguishable from a configured one",
    "order.big-mode": "offering a mode is not visible in one configuration",
    "msg.response": "client-side check; the server's responses are covered by every other mutant",
    "conn.client-limit": "client rule (lpj_client.py mutants)",
    "msg.value-equality": "a definition; the echo mutants break it through msg.ping",
}
# Rules announced for the spec revision in progress, named by mutants before the spec has them.
RULES_COMING = {"sec.slow-reader": "new SHOULD: a server bounds how long a response waits for a client that does not read"}
REQUIREMENTS_WITHOUT_MUTANT = lpj_mutants.REQUIREMENTS_WITHOUT_MUTANT


def parse(body, depth=512):
    """(code, rule, offset) for a refused body, or ("ok", JSON text) for an accepted one."""
    try:
        return "ok", lpj.dump(lpj.parse_body(body, depth))
    except lpj.BodyError as e:
        return e.code, e.rule, e.offset


class Offsets(unittest.TestCase):
    def test_spec_error_response_table(self):
        # msg.error-response: the error points of the spec's table (an UTF-8 error may also be reported at
        # the first octet of its sequence).
        self.assertEqual(parse(b"[1,]")[::2], ("invalid-json", 3))
        self.assertEqual(parse(b'{"a":01}')[::2], ("invalid-json", 6))
        self.assertEqual(parse(b'{"in":"ping"')[::2], ("invalid-json", 12))
        self.assertIn(parse(b"\xc3\x28")[::2], [("invalid-utf8", 0), ("invalid-utf8", 1)])
        self.assertEqual(parse(b"\xef\xbb\xbf{}"), ("invalid-json", "body.no-bom", 0))
        self.assertEqual(parse(b""), ("invalid-json", "frame.zero-length", 0))

    def test_whitespace_only_body_ends_at_its_length(self):
        self.assertEqual(parse(b" \t\r\n")[::2], ("invalid-json", 4))

    def test_earliest_defect_decides_the_code(self):
        # body.utf8: {ff is invalid-utf8 at 1; {,ff is invalid-json at 1; a tie goes to invalid-utf8.
        self.assertEqual(parse(b"{\xff")[::2], ("invalid-utf8", 1))
        self.assertEqual(parse(b"{,\xff")[::2], ("invalid-json", 1))
        self.assertEqual(parse(b'"\\ud800\xff"')[::2], ("invalid-utf8", 7))
        self.assertEqual(parse(b'["a", \xc3\xa9]')[::2], ("invalid-json", 6))   # well-formed, not JSON

    def test_offsets_count_octets_not_characters(self):
        self.assertEqual(parse('{"in":"héllo😀",]'.encode())[::2], ("invalid-json", 19))   # 16 characters
        self.assertEqual(parse('["é", 01]'.encode())[::2], ("invalid-json", 8))

    def test_manifest_rejections(self):
        # Every client-to-server fixture: our code and rule for each frame; offsets as the manifest lists them.
        manifest = json.load(open(os.path.join(ROOT, "fixtures/manifest.json"), encoding="utf-8"))
        checked = 0
        for fixture in manifest["fixtures"]:
            if fixture["direction"] != "client-to-server":
                continue
            data = open(os.path.join(ROOT, "fixtures", fixture["file"]), "rb").read()
            order = "little" if fixture["receiverByteOrder"] == "auto" else fixture["receiverByteOrder"]
            if fixture["receiverByteOrder"] == "auto" and len(data) >= 4:
                order = lpj.auto_order(data[:4], fixture["receiverLimit"])
            position = 0
            for index, frame in enumerate(fixture["frames"]):
                length = lpj.decode_prefix(data[position:position + 4], order)
                body = data[position + 4:position + 4 + length]
                position += 4 + length
                self.assertEqual(length, frame["octets"], fixture["id"])
                if "reject" in frame and frame["reject"]["code"] in ("invalid-json", "invalid-utf8"):
                    code, rule, offset = parse(body, manifest["defaults"]["maxDepth"])
                    self.assertEqual((code, rule), (frame["reject"]["code"], frame["reject"]["rule"]), fixture["id"])
                    answer = fixture["responses"][index] if index < len(fixture.get("responses", [])) else {}
                    allowed = answer.get("offsets") or [frame["reject"]["offset"]]
                    self.assertIn(offset, allowed, fixture["id"])
                    checked += 1
                elif "reject" in frame:
                    with self.assertRaises(lpj.BodyError, msg=fixture["id"]) as caught:
                        lpj.check_request(lpj.parse_body(body, 512))
                    self.assertEqual((caught.exception.code, caught.exception.rule),
                                     (frame["reject"]["code"], frame["reject"]["rule"]), fixture["id"])
                    checked += 1
                else:
                    self.assertEqual(parse(body)[0], "ok", fixture["id"])
        self.assertGreater(checked, 20)


class Depth(unittest.TestCase):
    def test_depth_counts_the_message_object(self):
        self.assertEqual(parse(b'{"in":"ping","params":' + b"[" * 500 + b"]" * 500 + b"}")[0], "ok")   # depth 501
        body = b'{"in":"ping","params":' + b"[" * 600 + b"]" * 600 + b"}"
        code, rule, offset = parse(body)
        self.assertEqual((code, rule, offset), ("invalid-json", "body.nesting-limit", 533))

    def test_limit_is_inclusive_and_offset_is_the_opening_bracket(self):
        self.assertEqual(parse(b"[" * 64 + b"]" * 64, 64)[0], "ok")
        self.assertEqual(parse(b'[{"a":' * 32 + b"1" + b"}]" * 32, 64)[0], "ok")
        self.assertEqual(parse(b"[" * 65 + b"]" * 65, 64), ("invalid-json", "body.nesting-limit", 64))
        self.assertEqual(parse(b'[1,{"a":[' + b"[" * 70, 64)[2], 9 + 61)

    def test_message_names_the_limit(self):
        try:
            lpj.parse_body(b"[" * 600, 512)
        except lpj.BodyError as e:
            self.assertIn("512", e.message)

    def test_no_stack_overflow_at_any_depth(self):
        self.assertEqual(parse(b"[" * 100000)[::2], ("invalid-json", 512))
        self.assertEqual(parse(b"[" * 100000, 100000)[::2], ("invalid-json", 100000))   # unterminated, no crash
        self.assertEqual(parse(b"[" * 1048576)[0], "invalid-json")


class Utf8(unittest.TestCase):
    ILL_FORMED = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
                  b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xff", b"\xe9", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98"]

    def test_ill_formed_sequences_are_refused_at_their_first_octet(self):
        for octets in self.ILL_FORMED:
            self.assertEqual(parse(b'["ab' + octets + b'"]'), ("invalid-utf8", "body.utf8", 4), octets)

    def test_truncated_at_end_of_body(self):
        self.assertEqual(parse(b'"\xe2\x82')[::2], ("invalid-utf8", 1))

    def test_well_formed_edges_are_accepted(self):
        for text in ["\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\ufffd", "\ufffe", "\uffff", "\ufdd0",
                     "\U00010000", "\U0010ffff", "é😀"]:
            self.assertEqual(parse(json.dumps(text, ensure_ascii=False).encode()), ("ok", json.dumps(text, ensure_ascii=False)))

    def test_nul_is_kept(self):
        self.assertEqual(parse(b'"a\\u0000b"'), ("ok", '"a\\u0000b"'))

    def test_escapes_equal_raw_text(self):
        self.assertEqual(parse(b'"\\u00e9\\u00E9\\/\\ud83d\\ude00"'), ("ok", '"éé/😀"'))
        code, params = lpj.check_request(lpj.parse_body(b'{"\\u0069n":"ping","params":1}', 512))
        self.assertEqual(code, "ping")

    def test_raw_control_characters_and_other_whitespace_are_refused(self):
        self.assertEqual(parse(b'"a\tb"')[::2], ("invalid-json", 2))
        self.assertEqual(parse(b"[1,\x0c2]")[::2], ("invalid-json", 3))
        self.assertEqual(parse("[1,\u00a02]".encode())[::2], ("invalid-json", 3))


class Surrogates(unittest.TestCase):
    def test_lone_and_misordered_surrogates(self):
        for body, offset in [(b'"\\ud800"', 1), (b'"\\ud800x"', 1), (b'"\\udc00"', 1), (b'"\\udc00\\ud800"', 1),
                             (b'"\\ud800\\u0041"', 1), (b'"\\ud800\\ud800"', 1), (b'["\\uD83D', 2)]:
            code, rule, got = parse(body)
            self.assertEqual((code, rule), ("invalid-json", "body.no-lone-surrogates"), body)
            self.assertEqual(got, offset, body)

    def test_pairs_decode_case_insensitively(self):
        self.assertEqual(parse(b'"\\uD83D\\uDE00"'), ("ok", '"😀"'))


class Numbers(unittest.TestCase):
    def test_numbers_keep_their_text(self):
        text = "[1e400,-1e400,1e-400,123456789012345678901234567890,0.1000000000000000055511151231257827,-0,1E2,1.0]"
        self.assertEqual(parse(text.encode()), ("ok", text))

    def test_invalid_numbers_and_non_finite(self):
        for body, rule, offset in [(b"[01]", "body.json-text", 2), (b"[-]", "body.json-text", 2), (b"[.5]", "body.json-text", 1),
                                   (b"[1.]", "body.json-text", 3), (b"[1e]", "body.json-text", 3), (b"[+1]", "body.json-text", 1),
                                   (b"[NaN]", "body.no-nonfinite", 1), (b"[-Infinity]", "body.no-nonfinite", 1),
                                   (b"[Infinity]", "body.no-nonfinite", 1)]:
            self.assertEqual(parse(body), ("invalid-json", rule, offset), body)

    def test_integers_for_extensions(self):
        self.assertEqual([lpj.integer(lpj.Num(t)) for t in ("250", "250.0", "2.5e2", "-0", "250.5", "1e400")],
                         [250, 250, 250, 0, None, 10 ** 18])


class Messages(unittest.TestCase):
    def check(self, body):
        try:
            return lpj.check_request(lpj.parse_body(body, 512))
        except lpj.BodyError as e:
            return e.code, e.rule

    def test_request_checks(self):
        method, params = self.check(b'{"params":1,"in":"ping","id":7}')
        self.assertEqual((method, lpj.dump(params)), ("ping", "1"))
        self.assertEqual(self.check(b'{"in":"frob"}'), ("invalid-request", "msg.request"))
        self.assertEqual(self.check(b'{"in":1,"params":1}'), ("invalid-request", "msg.request"))
        self.assertEqual(self.check(b'{"in":"ping","\\u0069n":"ping","params":1}'), ("invalid-request", "msg.duplicate-members"))
        self.assertEqual(self.check(b'{"in":"ping","params":1,"params":1}'), ("invalid-request", "msg.duplicate-members"))
        self.assertEqual(self.check(b'["ping",1]'), ("invalid-request", "body.object"))
        self.assertEqual(self.check(b'{"in":"ping","params":1}')[0], "ping")

    def test_duplicates_choices(self):
        value = lpj.parse_body(b'{"a":1,"b":{"c":1,"c":2},"a":2}', 512)
        self.assertEqual(lpj.dump(lpj.apply_duplicates(value, "all")), '{"a":1,"b":{"c":1,"c":2},"a":2}')
        self.assertEqual(lpj.dump(lpj.apply_duplicates(value, "last")), '{"b":{"c":2},"a":2}')
        self.assertEqual(lpj.dump(lpj.apply_duplicates(value, "first")), '{"a":1,"b":{"c":1}}')
        with self.assertRaises(lpj.InvalidParams):
            lpj.apply_duplicates(value, "reject")

    def test_method_names_are_exact(self):
        methods = lpj.Methods(lpj.parse_arguments(["--port", "0"]))
        self.assertIsNotNone(methods.lookup("ping"))
        for name in ("Ping", " ping", "ping ", "pin", "PING", "lpj.Describe"):
            self.assertIsNone(methods.lookup(name), name)

    def test_relay_allow_list(self):
        self.assertTrue(lpj.upstream_allowed("127.0.0.1", 9, []))
        self.assertTrue(lpj.upstream_allowed("::1", 9, []))
        self.assertTrue(lpj.upstream_allowed("localhost", 9, []))
        self.assertFalse(lpj.upstream_allowed("10.0.0.1", 9, []))
        self.assertFalse(lpj.upstream_allowed("127.example.com", 9, []))
        self.assertTrue(lpj.upstream_allowed("10.0.0.1", 9001, ["10.0.0.*:9001"]))
        self.assertFalse(lpj.upstream_allowed("10.0.0.1", 9002, ["10.0.0.*:9001"]))


class ByteOrder(unittest.TestCase):
    def test_spec_auto_detection_table(self):
        # order.auto-algorithm: the table of the spec, limit 1,048,576.
        table = {"25 00 00 00": "little", "00 00 00 25": "big", "00 00 00 00": "little", "00 00 01 00": "little",
                 "00 00 10 00": "little", "00 00 20 00": "big", "01 00 10 00": "little", "7b 22 69 6e": "little",
                 "ff ff ff ff": "little"}
        for octets, order in table.items():
            self.assertEqual(lpj.auto_order(bytes.fromhex(octets), 1048576), order, octets)

    def test_ambiguous_prefixes(self):
        ambiguous = [p for p in (bytes([0, a, b, 0]) for a in range(256) for b in range(256))
                     if p[1] != p[2] and int.from_bytes(p, "little") <= 65536 and int.from_bytes(p, "big") <= 65536]
        self.assertEqual(sorted(ambiguous), [bytes.fromhex("00 00 01 00"), bytes.fromhex("00 01 00 00")])
        self.assertTrue(all(lpj.auto_order(p, 65536) == "little" for p in ambiguous))

    def test_prefix_is_unsigned(self):
        self.assertEqual(lpj.decode_prefix(b"\xff\xff\xff\xff", "little"), 4294967295)
        self.assertEqual(lpj.decode_prefix(b"\x00\x00\x00\x25", "big"), 37)

    def test_frames_count_octets(self):
        self.assertEqual(lpj.encode_frame("héllo".encode(), "little")[:4], b"\x06\x00\x00\x00")
        body = lpj.encode_message(lpj.response("pong", "😀"))
        self.assertEqual(lpj.encode_frame(body, "big")[:4], len(body).to_bytes(4, "big"))

    def test_oversize_diagnosis(self):
        self.assertIn("big-endian it would be 37", lpj.oversize_message(b"\x00\x00\x00\x25", 620756992, 1048576, "little"))
        self.assertIn("printable ASCII", lpj.oversize_message(b'{"in', 1852383867, 1048576, "little"))
        message = lpj.oversize_message(b"\x01\x00\x10\x00", 1048577, 1048576, "little")
        self.assertIn("1048577", message)
        self.assertIn("1048576", message)


class Inventory(unittest.TestCase):
    def test_every_mutant_is_well_formed(self):
        self.assertGreaterEqual(len(lpj_mutants.MUTANTS), 60)
        for mu in lpj_mutants.MUTANTS.values():
            self.assertRegex(mu.requirement, r"^[a-z0-9]+(\.[a-z0-9-]+)+$", mu.name)
            self.assertIn(mu.level, ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT"), mu.name)
            self.assertTrue(mu.description, mu.name)
            # Attributed exactly: the other requirements it may be cited under are requirement IDs, not its own.
            self.assertTrue(mu.only is None or isinstance(mu.only, tuple), mu.name)
            for other in mu.only or ():
                self.assertRegex(other, r"^[a-z0-9]+(\.[a-z0-9-]+)+$", mu.name)
                self.assertNotEqual(other, mu.requirement, mu.name)

    def test_list_mutants_covers_every_observable_server_requirement(self):
        names = {mu.requirement for mu in lpj_mutants.MUTANTS.values()}
        path = os.path.join(ROOT, "spec/requirements.json")
        if os.path.exists(path):
            data = json.load(open(path, encoding="utf-8"))
            items = data.get("requirements", data) if isinstance(data, dict) else data
            wanted = {q["id"] for q in items if str(q.get("party", "server")).lower() in ("server", "receiver", "sender", "both")
                      and q.get("observable", True) not in (False, "no", "none", "unobservable") and q.get("level") != "MAY"}
            missing = wanted - names - set(REQUIREMENTS_WITHOUT_MUTANT)
            self.assertFalse(missing, "observable server requirements without a mutant: %s" % sorted(missing))
            known = {q["id"]: q for q in items}
            self.assertFalse(names - set(known), "mutants naming requirements not in the inventory")
            for mu in lpj_mutants.MUTANTS.values():
                self.assertEqual(mu.level, known[mu.requirement]["level"], mu.name)
                self.assertTrue(known[mu.requirement].get("observable", True), mu.name)
            self.assertFalse(set(REQUIREMENTS_WITHOUT_MUTANT) - set(known), "exceptions naming unknown requirements")
            return
        # Before the inventory exists: every mutant's requirement belongs to a rule heading of the spec.
        spec = open(os.path.join(ROOT, "spec/lpj.md"), encoding="utf-8").read()
        rules = set(re.findall(r"^#### `([a-z0-9]+(?:\.[a-z0-9-]+)+)` — ", spec, re.M)) | set(RULES_COMING)
        covered = {next((r for r in rules if n == r or n.startswith(r + ".")), None) for n in names}
        self.assertNotIn(None, covered, "mutants naming requirements of no rule")
        missing = set(rules) - covered - set(RULES_WITHOUT_MUTANT) - set(RULES_COMING)
        self.assertFalse(missing, "server rules without a mutant: %s" % sorted(missing))

    def test_client_mutants_name_client_requirements(self):
        import lpj_client
        self.assertGreaterEqual(len(lpj_client.MUTANTS), 12)
        path = os.path.join(ROOT, "spec/requirements.json")
        if not os.path.exists(path):
            return
        data = json.load(open(path, encoding="utf-8"))
        known = {q["id"]: q for q in (data.get("requirements", data) if isinstance(data, dict) else data)}
        for mu in lpj_client.MUTANTS.values():
            self.assertIn(mu.requirement, known, mu.name)
            self.assertIn(known[mu.requirement]["party"], ("client", "both"), mu.name)
            self.assertEqual(mu.level, known[mu.requirement]["level"], mu.name)

    def test_variants_are_legal_configurations(self):
        for name in lpj.VARIANTS:
            config = lpj.parse_arguments(["--variant", name])
            self.assertGreaterEqual(config.max_body, 65536, name)
            self.assertGreaterEqual(config.max_depth, 64, name)


class Verdicts(unittest.TestCase):
    """run_mutants.py's reading of `lpj check --format json` reports, with and without "violations"."""

    def judge(self, kind, requirement, level, status, cases):
        import run_mutants
        run = run_mutants.Run(kind, "x", requirement, level)
        run_mutants.judge_server(run, status, {"cases": cases})
        return run.outcome, run.passed

    def case(self, verdict, *violations, rules=("frame.zero-length",)):
        c = {"id": "c", "verdict": verdict, "rules": list(rules)}
        if violations is not None:
            c["violations"] = [{"requirement": v, "level": "MUST", "summary": "s"} for v in violations]
        return c

    def test_must_mutants(self):
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 1,
                                    [self.case("failed", "frame.zero-length.answer")]), ("killed", True))
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 1,
                                    [self.case("failed", "conn.one-response.exactly-one")]), ("killed-wrong", False))
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 0,
                                    [self.case("passed")]), ("survived", False))
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 0,
                                    [self.case("warning", "frame.zero-length.answer")]), ("survived", False))
        uncited = {"id": "c", "verdict": "failed", "rules": ["frame.zero-length"]}
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 1, [uncited]), ("caught-uncited", False))
        self.assertEqual(self.judge("mutant", "frame.zero-length.answer", "MUST", 1,
                                    [self.case("failed", "frame.zero-length.answer"), {"id": "d", "verdict": "not-run"}]),
                         ("killed", True))

    def test_should_mutants(self):
        self.assertEqual(self.judge("mutant", "msg.error-response.rule", "SHOULD", 1,
                                    [self.case("warning", "msg.error-response.rule")]), ("killed", True))
        self.assertEqual(self.judge("mutant", "msg.error-response.rule", "SHOULD", 0,
                                    [self.case("passed")]), ("survived", False))

    def test_variants(self):
        self.assertEqual(self.judge("variant", None, None, 0, [self.case("passed"), self.case("informational")]), ("clean", True))
        self.assertEqual(self.judge("variant", None, None, 0, [self.case("warning", "a.b.c")]), ("unclean", False))
        self.assertEqual(self.judge("variant", None, None, 1, [self.case("failed", "a.b.c")]), ("unclean", False))


if __name__ == "__main__":
    unittest.main()
