#!/usr/bin/env python3
"""run_mutants.py - proves `lpj check` against the Python implementation: every variant must pass
clean, every mutant must be caught under the requirement it breaks.

    conformance/python/run_mutants.py [--lpj .build/debug/lpj] [--jobs 4] [--only GLOB] [--report-only]
                                      [--write-doc docs/conformance.md] [--no-client]

For each variant and mutant of lpj_server.py it starts the server on 127.0.0.1 port 0, runs
`lpj check HOST:PORT --format json` (with --strict for SHOULD mutants), stops the server by its PID and
judges the report:

  variant         passes when the exit status is 0 with no failed and no warning case
  MUST mutant     killed when the exit status is 1 and a violation cites its requirement
  SHOULD mutant   killed when a warning cites its requirement (and --strict makes the exit status 1)

A mutant attributed exactly (`only` in lpj_mutants.py) is killed only when no violation cites a
requirement besides its own and the ones it lists: its one bug must not be charged under other rules.

Violations are read from each case's "violations" list ({"requirement", "level", "summary"}). A runner
that does not write that list yet cites nothing: the mutant is then "caught, no requirement cited", and
the rules of the cases that caught it are shown. `lpj check-client` runs against lpj_client.py and each
client mutant the same way. One line per run as it finishes, then "N passed, N failed". Exit status 1
if anything failed, unless --report-only. Every run is bounded in time; nothing is left running.
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import lpj_server          # noqa: E402
import lpj_mutants         # noqa: E402
import lpj_client          # noqa: E402

SERVER = os.path.join(HERE, "lpj_server.py")
CLIENT = os.path.join(HERE, "lpj_client.py")
PRINT_LOCK = threading.Lock()


def say(text):
    with PRINT_LOCK:
        print(text, flush=True)


class Run:
    """One row of the result: a variant, a server mutant, the client or a client mutant."""

    def __init__(self, kind, name, requirement=None, level=None, description="", flags=(), only=None):
        self.kind, self.name, self.requirement, self.level = kind, name, requirement, level
        self.description, self.flags = description, list(flags)
        # Requirements besides its own that a mutant attributed exactly may be cited under (None: any).
        self.only = only
        self.outcome = "not run"        # killed | killed-wrong | caught-uncited | survived | clean | unclean | error
        self.passed = False
        self.detail = ""
        self.cited = []                 # requirements cited by violations
        self.case_rules = []            # rules of the cases that failed or warned
        self.seconds = 0.0
        self.exit_status = None
        # The name used by --only, --expected and the output: client runs are "client:NAME", since
        # client and server mutants can share a name.
        self.key = "client:" + name if kind in ("client", "client-mutant") else name


def level_is_must(level):
    return (level or "").upper().startswith("MUST")


def cites(requirement, cited):
    """Whether a cited requirement ID is the mutant's (its rule's requirements count while the mutant
    names a rule ID, before spec/requirements.json exists)."""
    return any(c == requirement or c.startswith(requirement + ".") for c in cited)


# ---- servers ---------------------------------------------------------------------------------------

def start_server(args, extra):
    """lpj_server.py on 127.0.0.1:0; returns (process, "HOST:PORT") or raises RuntimeError."""
    process = subprocess.Popen([sys.executable, SERVER, "--host", "127.0.0.1", "--port", "0"] + extra,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    line = []

    def first_line():
        line.append(process.stdout.readline().decode("utf-8", "replace"))
    reader = threading.Thread(target=first_line, daemon=True)
    reader.start()
    reader.join(10)
    found = re.match(r"listening on (\S+):(\d+)", line[0] if line else "")
    if not found:
        stop_process(process)
        raise RuntimeError("the server did not start: %s %s" % ((line or [""])[0].strip(), process.stderr.read().decode()[-300:]))
    threading.Thread(target=process.stdout.read, daemon=True).start()      # keep the pipes drained
    threading.Thread(target=process.stderr.read, daemon=True).start()
    return process, "%s:%s" % (found[1], found[2])


def stop_process(process):
    """SIGTERM to that PID, then SIGKILL to its process group if it does not go."""
    if process.poll() is None:
        try:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    return process.returncode


def run_bounded(command, seconds):
    """(exit status or None on time-out, stdout, stderr); the command's process group is killed when late."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=seconds)
        return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = process.communicate()
        return None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def violations_of(case):
    return [v for v in case.get("violations", []) if isinstance(v, dict) and v.get("requirement")]


def judge_server(run, status, report):
    cases = report.get("cases", []) if isinstance(report, dict) else []
    failed = [c for c in cases if c.get("verdict") == "failed"]
    warned = [c for c in cases if c.get("verdict") == "warning"]
    not_run = [c for c in cases if c.get("verdict") == "not-run"]
    any_violations = any("violations" in c for c in cases)
    run.case_rules = sorted({r for c in failed + warned for r in c.get("rules", [])})
    caught_cases = failed + warned
    run.cited = sorted({v["requirement"] for c in caught_cases for v in violations_of(c)})
    names = ", ".join(c.get("id", "?") for c in caught_cases[:4]) + (" ..." if len(caught_cases) > 4 else "")
    if run.kind == "variant":
        run.passed = status == 0 and not failed and not warned
        run.outcome = "clean" if run.passed else "unclean"
        if not run.passed:
            run.detail = "exit %s; %d failed, %d warnings: %s" % (status, len(failed), len(warned), "; ".join(
                "%s (%s): %s" % (c.get("id"), c.get("verdict"), c.get("summary", "")[:160]) for c in caught_cases[:3]))
        return
    must = level_is_must(run.level)
    citing = [v for c in failed + warned for v in violations_of(c)]
    caught = status == 1 and (failed if must else warned or failed)
    stray = sorted({c for c in run.cited if c != run.requirement and c not in (run.only or ())})
    if caught and cites(run.requirement, [v["requirement"] for v in citing]) and run.only is not None and stray:
        run.outcome = "killed-wrong"
        run.detail = "killed, but its one bug is also charged to %s (cases %s)" % (", ".join(stray[:6]), ", ".join(
            c.get("id", "?") for c in caught_cases if any(v["requirement"] in stray for v in violations_of(c)))[:300])
    elif caught and cites(run.requirement, [v["requirement"] for v in citing]):
        run.outcome, run.passed = "killed", True
        run.detail = "cited by " + names
    elif caught and any_violations and run.cited:
        run.outcome = "killed-wrong"
        run.detail = "killed, wrong requirement: %s (cases %s)" % (", ".join(run.cited[:6]), names)
    elif caught:
        run.outcome = "caught-uncited"
        rule = run.requirement.split(".")[0] + "." + run.requirement.split(".")[1] if run.requirement.count(".") >= 1 else run.requirement
        hit = " (its rule is among them)" if any(r == rule or r.startswith(rule) for r in run.case_rules) else ""
        run.detail = "caught, no requirement cited; rules of the failing cases: %s%s (cases %s)" % (
            ", ".join(run.case_rules[:6]) or "none", hit, names)
    else:
        run.outcome = "survived"
        run.detail = "exit %s, %d failed, %d warnings%s" % (status, len(failed), len(warned),
                                                          ", %d not run" % len(not_run) if not_run else "")


def saved_report(args, run):
    """(status, report) kept by an earlier --reports run, for --from-reports; None when there is none."""
    path = os.path.join(args.from_reports, "%s.%s.json" % (run.kind, run.name))
    try:
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
        return saved["status"], saved["report"]
    except (OSError, ValueError, KeyError):
        return None


def keep_report(args, run, status, report):
    if args.reports:
        with open(os.path.join(args.reports, "%s.%s.json" % (run.kind, run.name)), "w", encoding="utf-8") as f:
            json.dump({"status": status, "report": report}, f)


def check_server(args, run):
    started = time.monotonic()
    if args.from_reports:
        saved = saved_report(args, run)
        if saved is None:
            run.outcome, run.detail = "error", "no saved report in %s" % args.from_reports
        else:
            run.exit_status = saved[0]
            judge_server(run, *saved)
        return run
    flags = ["--variant", run.name] if run.kind == "variant" else ["--mutant", run.name]
    try:
        process, address = start_server(args, flags)
    except RuntimeError as e:
        run.outcome, run.detail = "error", str(e)
        return run
    try:
        command = [args.lpj, "check", address, "--format", "json", "--timeout", str(args.check_timeout)]
        if run.kind == "mutant" and not level_is_must(run.level):
            command.append("--strict")
        if not run.flags:   # started with no configuration flag: its defaults, and the user who knows it says so
            command.append("--defaults")
        if "--byte-order" in run.flags[:-1]:   # the user who configured the server says so to lpj check too
            command += ["--byte-order", run.flags[run.flags.index("--byte-order") + 1]]
        status, out, err = run_bounded(command, args.run_seconds)
        run.exit_status = status
        if status is None:
            run.outcome, run.detail = "error", "lpj check did not finish within %d s" % args.run_seconds
            if run.kind == "mutant":
                run.outcome = "survived"
            return run
        try:
            report = json.loads(out)
        except ValueError:
            run.outcome, run.detail = "error", "lpj check exit %s, no JSON report: %s" % (status, (err or out).strip()[-300:])
            return run
        keep_report(args, run, status, report)
        judge_server(run, status, report)
    finally:
        server_status = stop_process(process)
        run.seconds = time.monotonic() - started
        if run.kind == "variant" and server_status not in (0, -signal.SIGTERM) and run.passed:
            run.passed, run.outcome = False, "unclean"
            run.detail = "the server exited %s on SIGTERM" % server_status
    return run


# ---- clients ---------------------------------------------------------------------------------------

def check_client(args, run, params_supported):
    started = time.monotonic()
    command = "%s %s --host {host} --port {port}" % (sys.executable, CLIENT) if params_supported else \
        "%s %s --port {port}" % (sys.executable, CLIENT)
    if run.kind == "client-mutant":
        command += " --mutant " + run.name
    command += " {method}" + (" {params}" if params_supported else "")
    saved = saved_report(args, run) if args.from_reports else None
    if saved is not None:
        status, report = saved
    else:
        status, out, err = run_bounded([args.lpj, "check-client", "--command", command, "--format", "json"], args.run_seconds)
        try:
            report = json.loads(out)
        except ValueError:
            run.outcome, run.detail = "error", "lpj check-client exit %s: %s" % (status, (err or out).strip()[-300:])
            return run
        keep_report(args, run, status, report)
    run.seconds = time.monotonic() - started
    run.exit_status = status
    cases = report.get("cases", [])
    failed = [c for c in cases if c.get("verdict") == "failed"]
    run.case_rules = sorted({r for c in failed for r in c.get("rules", [])})
    run.cited = sorted({v["requirement"] for c in failed for v in violations_of(c)})
    names = ", ".join(c.get("id", "?") for c in failed[:4]) + (" ..." if len(failed) > 4 else "")
    if run.kind == "client":
        run.passed = status == 0 and not failed
        run.outcome = "clean" if run.passed else "unclean"
        if failed:
            run.detail = "; ".join("%s: %s" % (c.get("id"), c.get("summary", "")[:160]) for c in failed[:3])
    elif status == 1 and failed and cites(run.requirement, run.cited):
        run.outcome, run.passed, run.detail = "killed", True, "cited by " + names
    elif status == 1 and failed and run.cited:
        run.outcome, run.detail = "killed-wrong", "killed, wrong requirement: %s (cases %s)" % (", ".join(run.cited[:6]), names)
    elif status == 1 and failed:
        run.outcome = "caught-uncited"
        run.detail = "caught, no requirement cited; rules of the failing cases: %s (cases %s)" % (", ".join(run.case_rules[:6]), names)
    else:
        run.outcome, run.detail = "survived", "exit %s, no failed case" % status
    return run


# ---- the inventory ---------------------------------------------------------------------------------

def load_inventory(path):
    """spec/requirements.json, as a list of requirement dicts; [] while it does not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return []
    items = data.get("requirements", data) if isinstance(data, dict) else data
    return [r for r in items if isinstance(r, dict) and r.get("id")]


def server_side(requirement):
    return str(requirement.get("party", "")).lower() in ("server", "both")


def observable(requirement):
    value = requirement.get("observable", True)
    if isinstance(value, str):
        return value.lower() not in ("no", "false", "none", "unobservable", "")
    return bool(value)


# ---- the document ----------------------------------------------------------------------------------

def section_of(requirement):
    return (requirement or "?").split(".")[0]


def kill_table(runs, inventory, lpj_version, elapsed, note=""):
    mutants = [r for r in runs if r.kind == "mutant"]
    variants = [r for r in runs if r.kind == "variant"]
    clients = [r for r in runs if r.kind in ("client", "client-mutant")]
    lines = ["Generated by `conformance/python/run_mutants.py --write-doc` (do not edit by hand) with %s%s." % (
        lpj_version, note or ", in %d s" % elapsed), ""]
    killed = sum(r.passed for r in mutants)
    caught = sum(r.outcome in ("killed", "killed-wrong", "caught-uncited") for r in mutants)
    lines.append("Server mutants killed with the right requirement: **%d of %d**; caught under any failure or warning: "
                 "%d; survived (the runner saw nothing): %d." % (killed, len(mutants), caught,
                                                                  sum(r.outcome == "survived" for r in mutants)))
    lines += ["", "| level | mutants | killed, right requirement | caught, other or no requirement | survived |",
              "|---|---|---|---|---|"]
    for level in ("MUST", "SHOULD"):
        group = [r for r in mutants if level_is_must(r.level) == (level == "MUST")]
        lines.append("| %s | %d | %d | %d | %d |" % (level, len(group), sum(r.passed for r in group),
                                                    sum(r.outcome in ("killed-wrong", "caught-uncited") for r in group),
                                                    sum(r.outcome in ("survived", "error") for r in group)))
    lines += ["", "| section | mutants | killed, right requirement | caught, other or no requirement | survived |",
              "|---|---|---|---|---|"]
    for section in sorted({section_of(r.requirement) for r in mutants}):
        group = [r for r in mutants if section_of(r.requirement) == section]
        lines.append("| `%s` | %d | %d | %d | %d |" % (section, len(group), sum(r.passed for r in group),
                                                      sum(r.outcome in ("killed-wrong", "caught-uncited") for r in group),
                                                      sum(r.outcome in ("survived", "error") for r in group)))
    lines += ["", "### Variants (legal configurations: `lpj check` must pass clean)", "",
              "| variant | flags | result |", "|---|---|---|"]
    for r in variants:
        lines.append("| `%s` | `%s` | %s |" % (r.name, " ".join(r.flags) or "(defaults)",
                                            "clean" if r.passed else "NOT CLEAN: " + cell(r.detail)))
    lines += ["", "### Server mutants", "", "| mutant | requirement | level | breaks it by | result |", "|---|---|---|---|---|"]
    for r in mutants:
        lines.append("| `%s` | `%s` | %s | %s%s | %s |" % (r.name, r.requirement, r.level, cell(r.description),
                                                         " (`%s`)" % " ".join(r.flags) if r.flags else "",
                                                         outcome_text(r)))
    if clients:
        lines += ["", "### Client (`lpj check-client`)", "", "| client | requirement | breaks it by | result |",
                  "|---|---|---|---|"]
        for r in clients:
            lines.append("| `%s` | %s | %s | %s |" % (r.name, "`%s`" % r.requirement if r.requirement else "-",
                                                      cell(r.description), outcome_text(r)))
    named = {m.requirement for m in lpj_mutants.MUTANTS.values()}
    exempt = [q for q in inventory if server_side(q) and observable(q) and q["id"] not in named]
    if exempt:
        lines += ["", "### Observable server requirements without a mutant", ""]
        for q in exempt:
            why = lpj_mutants.REQUIREMENTS_WITHOUT_MUTANT.get(q["id"]) or (
                "a MAY grants a permission: there is nothing to break" if q.get("level") == "MAY" else "NO MUTANT YET")
            lines.append("- `%s` (%s): %s" % (q["id"], q.get("level", "?"), why))
    uncovered = [q for q in inventory if server_side(q) and not observable(q)]
    lines += ["", "### Unobservable server requirements (no mutant: `lpj check` cannot see them on the wire)", ""]
    if not inventory:
        lines.append("spec/requirements.json did not exist when this table was made: mutants name rule IDs, and "
                     "the rules left without a mutant are `frame.limit-before-allocation` (an allocation is not "
                     "visible on the wire) and `sec.buffer-bound` (memory is not visible on the wire).")
    for q in uncovered:
        lines.append("- `%s` (%s): %s" % (q["id"], q.get("level", "?"), cell(q.get("whyNotObservable", "") or "not observable")))
    return "\n".join(lines)


def cell(text):
    return re.sub(r"\s+", " ", str(text)).replace("|", "/")[:300]


def outcome_text(r):
    if r.outcome == "killed":
        return "killed (%s)" % cell(r.detail)
    if r.outcome in ("clean",):
        return "clean"
    return "**%s**: %s" % (r.outcome, cell(r.detail))


def write_doc(path, table):
    begin, end = "<!-- kill-table:begin -->", "<!-- kill-table:end -->"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    block = begin + "\n" + table + "\n" + end
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n## Kill table\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---- main ------------------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lpj", default=os.path.join(ROOT, ".build/debug/lpj"))
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--only", action="append", default=[], help="run only names matching this glob (repeatable)")
    p.add_argument("--report-only", action="store_true", help="exit 0 whatever the results")
    p.add_argument("--write-doc", metavar="FILE", help="rewrite the kill table between the markers in FILE")
    p.add_argument("--no-client", action="store_true", help="skip lpj check-client")
    p.add_argument("--no-server", action="store_true", help="skip lpj check (variants and server mutants)")
    p.add_argument("--check-timeout", type=int, default=2000, help="lpj check --timeout (ms)")
    p.add_argument("--run-seconds", type=int, default=240, help="time limit of one lpj check run")
    p.add_argument("--requirements", default=os.path.join(ROOT, "spec/requirements.json"))
    p.add_argument("--reports", metavar="DIR", help="keep every lpj check JSON report in DIR")
    p.add_argument("--retries", type=int, default=1, help="run an unexpectedly failed run once more (0: never)")
    p.add_argument("--note", default="", help="text for the kill table's first line (how and where it was run)")
    p.add_argument("--from-reports", metavar="DIR", help="judge the reports kept in DIR instead of running the checks")
    p.add_argument("--expected", metavar="FILE",
                   help="names known not to pass, one per line (# reasons): only other failures make the exit status 1")
    p.add_argument("--write-expected", metavar="FILE", help="write the names that did not pass to FILE")
    args = p.parse_args()
    # Each run mostly waits on its own pauses and on sockets (about 1 s of CPU in 20 s): more runs than
    # cores keep the machine busy, and the cases judge orders of events rather than clocks, so a loaded
    # machine slows them without changing their verdicts. Eight is the most the test command asks for.
    args.jobs = max(1, min(args.jobs, 8))
    if args.reports:
        os.makedirs(args.reports, exist_ok=True)
    if not os.access(args.lpj, os.X_OK):
        print("run_mutants: no lpj binary at %s (build it, or pass --lpj)" % args.lpj, file=sys.stderr)
        return 2
    inventory = load_inventory(args.requirements)
    levels = {q["id"]: q.get("level") for q in inventory}

    def wanted(name):
        return not args.only or any(fnmatch.fnmatchcase(name, pattern) for pattern in args.only)

    runs = []
    if not args.no_server:
        runs += [Run("variant", name, flags=flags, description=text) for name, (flags, text) in lpj_server.VARIANTS.items()]
        runs += [Run("mutant", mu.name, mu.requirement, levels.get(mu.requirement, mu.level), mu.description, mu.flags,
                     mu.only) for mu in lpj_mutants.MUTANTS.values()]
    if not args.no_client:
        runs.append(Run("client", "lpj_client.py", description="the client as it is"))
        runs += [Run("client-mutant", mu.name, mu.requirement, mu.level, mu.description)
                 for mu in lpj_client.MUTANTS.values()]
    runs = [r for r in runs if wanted(r.key)]
    _, help_text, _ = run_bounded([args.lpj, "check-client", "--help"], 30)
    params_supported = "{params}" in help_text
    version = run_bounded([args.lpj, "--version"], 30)[1].strip() or "?"
    say("run_mutants: %d runs, %d at a time, lpj %s (%s)%s" % (len(runs), args.jobs, version, args.lpj,
                                                             "" if inventory else "; no spec/requirements.json yet: "
                                                             "mutants name rule IDs"))
    started = time.monotonic()

    def one(run):
        try:
            if run.kind in ("variant", "mutant"):
                check_server(args, run)
            else:
                check_client(args, run, params_supported)
        except Exception as e:          # a harness fault is a failed row, never a hang
            run.outcome, run.detail = "error", "%s: %s" % (type(e).__name__, e)
        tag = "PASS" if run.passed else "FAIL"
        say("%s %-14s %-34s %-36s %5.1fs %s%s" % (tag, run.kind, run.key, run.requirement or "", run.seconds,
                                                run.outcome, (": " + run.detail) if run.detail else ""))
        return run

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(one, runs))
    expected = read_expected(args.expected) if args.expected else None
    if args.retries and not args.from_reports:
        # A run that failed unexpectedly gets one more try, alone, so that a machine busy with other
        # work does not decide a timing-sensitive verdict; both results are shown.
        again = [r for r in runs if not r.passed and (expected is None or r.key not in expected)]
        if again:
            say("run_mutants: running %d failed run(s) again, one at a time" % len(again))
        for r in again:
            fresh = Run(r.kind, r.name, r.requirement, r.level, r.description, r.flags, r.only)
            one(fresh)
            if fresh.passed:
                fresh.detail = (fresh.detail + "; " if fresh.detail else "") + "passed on the second try (first: %s)" % r.outcome
            runs[runs.index(r)] = fresh
    elapsed = time.monotonic() - started
    passed = sum(r.passed for r in runs)
    failed = len(runs) - passed
    mutants = [r for r in runs if r.kind == "mutant"]
    if mutants:
        say("server mutants: %d killed with the right requirement, %d caught otherwise (%d with no requirement cited), "
            "%d survived, of %d" % (sum(r.passed for r in mutants),
                                    sum(r.outcome in ("killed-wrong", "caught-uncited") for r in mutants),
                                    sum(r.outcome == "caught-uncited" for r in mutants),
                                    sum(r.outcome in ("survived", "error") for r in mutants), len(mutants)))
    variants = [r for r in runs if r.kind == "variant"]
    if variants:
        say("variants: %d of %d clean" % (sum(r.passed for r in variants), len(variants)))
    say("run_mutants: %.0f s" % elapsed)
    if args.write_doc:
        write_doc(args.write_doc, kill_table(runs, inventory, "lpj " + version, elapsed, args.note))
        say("run_mutants: wrote the kill table in %s" % args.write_doc)
    if args.write_expected:
        with open(args.write_expected, "w", encoding="utf-8") as f:
            for r in runs:
                if not r.passed:
                    f.write("%-34s # %s %s: %s\n" % (r.key, r.kind, r.outcome, cell(r.detail)[:150]))
    say("%d passed, %d failed" % (passed, failed))
    if expected is not None:
        unexpected = [r.key for r in runs if not r.passed and r.key not in expected]
        stale = sorted(name for name in expected if any(r.key == name and r.passed for r in runs))
        if stale:
            say("run_mutants: listed in %s but passed now (remove them): %s" % (args.expected, ", ".join(stale)))
        say("run_mutants: %d failures not listed in %s%s" % (len(unexpected), args.expected,
                                                            (": " + ", ".join(unexpected)) if unexpected else ""))
        return 1 if unexpected and not args.report_only else 0
    return 0 if failed == 0 or args.report_only else 1


def read_expected(path):
    """The names of a --expected file: the first word of each line; '#' starts a comment."""
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            word = line.split("#")[0].strip()
            if word:
                names.add(word.split()[0])
    return names


if __name__ == "__main__":
    sys.exit(main())
