#!/usr/bin/env python3
"""Drives `shn serve` with wrk, per backend, and writes a Markdown report.

Run through bench/run, which builds the release binaries first. The dataset for each
backend is built once with `shn demo --scale S` and reused by later runs of the same
scale (pass --rebuild to build it again). Each page is measured beside the bare ceiling
(bench/ceiling); --mixed adds the mixed load of reads and writes, --soak runs only that
load for a long time, --sizes only the pages at several scales (mixed.py has the mixed
load and the soak). See bench/README.md.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Where datasets live: one folder per backend and scale under DATA, and PostgreSQL
# databases named PG_PREFIX_<scale>; both can be moved so that runs side by side on one
# machine (each with its own build) do not share or rebuild each other's data.
DATA = Path(os.environ.get("SHN_BENCH_DATA", BENCH / "data"))
PG_PREFIX = os.environ.get("SHN_BENCH_PG_DB", "shn_bench")
P99_BUDGET_MS = 25.0
RSS_BUDGET_MB = 150.0
STARTUP_BUDGET_S = 1.0


def parse_args():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--shn", required=True, help="the shn binary (release)")
    a.add_argument("--quick", action="store_true", help="scale 0.02, 3 s per scenario")
    a.add_argument("--scale", type=float, help="dataset scale (default 1, or 0.02 with --quick)")
    a.add_argument("--duration", type=int, help="seconds per scenario (default 10, or 3 with --quick)")
    a.add_argument("--warmup", type=int, default=None, help="seconds of warm-up per scenario (default 2, 1 quick)")
    a.add_argument("--connections", type=int, default=32)
    a.add_argument("--threads", type=int, default=2, help="wrk threads")
    a.add_argument("--backends", default="sqlite,postgres")
    a.add_argument("--rebuild", action="store_true", help="build the dataset again even if one exists")
    a.add_argument(
        "--pg-admin",
        default=os.environ.get("SHN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL admin URL; the benchmark database is created next to it",
    )
    a.add_argument("--ceiling", help="the bare ceiling's binary (default: bench-ceiling beside --shn)")
    a.add_argument("--out", help="report file (default bench/out/report-<mode>.md)")
    a.add_argument("--build-seconds", type=float, help="how long bench/run spent building the binary")
    m = a.add_argument_group("mixed load, soak and sizes (bench/README.md)")
    m.add_argument("--mixed", action=argparse.BooleanOptionalAction, default=None,
                   help="also run the mixed load of reads and writes (default: in a full run, not with --quick)")
    m.add_argument("--no-pages", action="store_true", help="skip the pages, e.g. with --mixed for the mixed load alone")
    m.add_argument("--mixed-duration", type=int, help="seconds of mixed load (default 30, or 10 with --quick)")
    m.add_argument("--sessions", type=int, default=1000, help="members signed in for the mixed load")
    m.add_argument("--soak", type=float, metavar="MINUTES", help="only a soak: the mixed load for MINUTES per backend")
    m.add_argument("--soak-sample", type=int, default=60, metavar="SECONDS", help="a soak's sampling period")
    m.add_argument("--sizes", metavar="S1,S2,…", help="only the pages, at each of these dataset scales")
    args = a.parse_args()
    args.scale = args.scale or (0.02 if args.quick else 1.0)
    args.duration = args.duration or (3 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    args.mixed = (not args.quick) if args.mixed is None else args.mixed
    args.mixed_duration = args.mixed_duration or (10 if args.quick else 30)
    args.ceiling = args.ceiling or str(Path(args.shn).parent / "bench-ceiling")
    mode = "soak" if args.soak else "sizes" if args.sizes else "quick" if args.quick else "full"
    args.out = Path(args.out) if args.out else BENCH / "out" / f"report-{mode}.md"
    return args


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(admin, dbname):
    root = admin.rsplit("/", 1)[0]
    return f"{root}/{dbname}"


def psql(admin, sql):
    u = urllib.parse.urlparse(admin)
    cmd = ["psql", "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres",
           "-d", (u.path or "/postgres").lstrip("/") or "postgres", "-Atqc", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


class Dataset:
    """One backend's dataset: where it lives and how to reach it."""

    def __init__(self, backend, scale, admin):
        tag = f"{scale:g}".replace(".", "_")
        self.backend = backend
        self.dir = DATA / f"{backend}-scale{tag}"
        self.pg_db = f"{PG_PREFIX}_{tag}" if backend == "postgres" else None
        self.admin = admin
        if backend == "sqlite":
            self.url = f"sqlite://{self.dir / 'shn.db'}?mode=rwc"
        else:
            self.url = pg_url(admin, self.pg_db)

    def env(self, **extra):
        env = dict(os.environ)
        env.update(SHN_DATA_DIR=str(self.dir), SHN_DATABASE_URL=self.url, SHN_LOG="warn", **extra)
        return env

    def exists(self):
        if not (self.dir / "scale.json").exists():
            return False
        if self.pg_db:
            return psql(self.admin, f"SELECT 1 FROM pg_database WHERE datname = '{self.pg_db}'") == "1"
        return (self.dir / "shn.db").exists()

    def start_build(self, shn, scale):
        """Starts `shn demo --scale` in the background; returns the process."""
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        if self.pg_db:
            psql(self.admin, f"DROP DATABASE IF EXISTS {self.pg_db} WITH (FORCE)")
            psql(self.admin, f"CREATE DATABASE {self.pg_db}")
        self.build_log = open(self.dir / "build.log", "w")
        return subprocess.Popen([shn, "demo", "--scale", str(scale)], env=self.env(), stdout=self.build_log,
                                stderr=subprocess.STDOUT)

    def targets(self):
        return json.loads((self.dir / "scale.json").read_text())


class Process:
    """A server process bench.py started: its memory, and stopping it."""

    proc: subprocess.Popen
    log: object

    def memory_mb(self):
        """(current RSS, peak RSS) of the process, in MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024

    def wait_ready(self, url, what, any_status=False, deadline_s=60):
        """Waits until `url` answers 200 (or, with `any_status`, anything at all); returns
        the seconds it took."""
        started = time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{what} exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError:
                if any_status:
                    break
            except OSError:
                pass
            if time.monotonic() > started + deadline_s:
                self.stop()
                raise SystemExit(f"{what} was not ready within {deadline_s} s")
            time.sleep(0.005)
        return time.monotonic() - started

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def log_file(name):
    path = BENCH / "out" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, open(path, "w")


class Server(Process):
    """`shn serve` (with its worker) on a dataset. The client address in X-Forwarded-For is
    believed from 127.0.0.1, as behind a proxy, so that the mixed load's members each sign
    in and join from an address of their own (log-ins and sign-ups are limited per address)."""

    def __init__(self, shn, dataset, flags=(), label=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The server's log goes to a file: a pipe nobody reads would fill and stall it.
        self.log_path, self.log = log_file(f"serve-{label or dataset.backend}.log")
        env = dataset.env(SHN_BIND=f"127.0.0.1:{self.port}", SHN_TRUSTED_PROXIES="127.0.0.1")
        started = time.monotonic()
        self.proc = subprocess.Popen([shn, "serve", *flags], env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.wait_ready(self.base + "/readyz", "shn serve")
        self.startup_s = time.monotonic() - started


class Ceiling(Process):
    """The bare ceiling (bench/ceiling): a thread with its 50 newest replies and their
    authors, in one statement and one template, from the same dataset, beside `shn serve`."""

    def __init__(self, binary, dataset):
        if not Path(binary).exists():
            raise SystemExit(f"{binary} is missing: `cargo build --release -p bench-ceiling` builds it "
                             "(bench/run does)")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path, self.log = log_file(f"ceiling-{dataset.backend}.log")
        self.proc = subprocess.Popen([binary, "--database-url", dataset.url, "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        # An unknown thread answers 404 once it serves.
        self.wait_ready(f"{self.base}/threads/00000000-0000-0000-0000-000000000000", "bench-ceiling", any_status=True)


def log_in(base, email, password):
    """Signs in through the login form; returns the Cookie header a browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if not csrf:
        raise SystemExit("no CSRF token on /login")
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf": csrf.group(1)}).encode()
    opener.open(base + "/login", data=form).read()
    # A signed-in member sees their account page; anyone else is sent to /login.
    account = opener.open(base + "/settings/account")
    if "/login" in account.geturl():
        raise SystemExit("could not sign in as the demo member")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


RARE_TEXT = "zebrafish"


def scenarios(t):
    d = t["discussions"]
    return [
        ("/healthz", "/healthz", False),
        ("home feed", "/", True),
        ("group page", f"/groups/{d['group_id']}", True),
        ("thread, 50 replies", f"/threads/{d['thread_with_50_replies']}", True),
        (f"hot thread ({d['hot_thread_replies']} replies), last page",
         f"/threads/{d['hot_thread']}?cursor={d['hot_thread_last_page_cursor']}", True),
        (f"directory by condition ({t['condition_name']})", f"/members?condition={t['condition_id']}", True),
        (f"search \"{t['search_term']}\"", f"/search?q={urllib.parse.quote(t['search_term'])}", True),
        # Text no name or story holds: before the trigram index (m0011), the worst case.
        (f"member search \"{RARE_TEXT}\" (no match)", f"/members?q={RARE_TEXT}", True),
        ("event list", "/events", True),
        ("my points history", "/rewards/history", True),
    ]


def fetch_page(base, path, cookie):
    """The page's body, after checking that it answers 200."""
    req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        if r.status != 200 or not body:
            raise SystemExit(f"{path} answered {r.status}")
        return body


def check_page(base, path, cookie):
    return len(fetch_page(base, path, cookie))


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(url, cookie, seconds, connections, threads):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": to_ms(pct["50"]),
        "p99": to_ms(pct["99"]),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0),
    }


def prepare_datasets(args, backends):
    """Builds the missing datasets, all backends at once (each generator is mostly one
    core's work, so two overlap well on two cores), before anything is measured. Returns
    the build time per backend (None where a dataset was reused)."""
    datasets = {b: Dataset(b, args.scale, args.pg_admin) for b in backends}
    started = time.monotonic()
    running = {}
    for b, ds in datasets.items():
        if args.rebuild or not ds.exists():
            log(f"==> {b}: building the scale {args.scale:g} dataset (log: {ds.dir / 'build.log'})")
            running[b] = ds.start_build(args.shn, args.scale)
        else:
            log(f"==> {b}: reusing the scale {args.scale:g} dataset in {ds.dir}")
    built = dict.fromkeys(backends)
    while running:
        for b, proc in list(running.items()):
            if proc.poll() is None:
                continue
            del running[b]
            datasets[b].build_log.close()
            if proc.returncode != 0:
                for other in running.values():
                    other.kill()
                tail = (datasets[b].dir / "build.log").read_text()[-2000:]
                raise SystemExit(f"building the {b} dataset failed:\n{tail}")
            built[b] = time.monotonic() - started
            log(f"    {b} dataset built in {built[b]:.0f} s")
        time.sleep(0.2)
    return built


BARE = "bare thread page (ceiling)"


def check_bare(body):
    """The ceiling serves the thread with its 50 newest replies, or the comparison is void."""
    replies = body.count(b'<li class="card"')
    if replies != 50:
        raise SystemExit(f"the bare ceiling's thread page shows {replies} replies, not 50")


def measure(args, name, server, path, cookie, check=None):
    """One page: checked, warmed up, then driven with wrk; with its size and the serving
    process's memory after it."""
    body = fetch_page(server.base, path, cookie)
    if check:
        check(body)
    wrk(server.base + path, cookie, args.warmup, args.connections, args.threads)
    r = wrk(server.base + path, cookie, args.duration, args.connections, args.threads)
    r["rss"], r["peak"] = server.memory_mb()
    r.update(name=name, path=path, bytes=len(body))
    log(f"    {name:<48} {r['rps']:>9.0f} req/s  p50 {r['p50']:>7.2f} ms  p99 {r['p99']:>7.2f} ms  "
        f"errors {r['errors']}  {r['bytes'] / 1024:>6.1f} KB  RSS {r['rss']:.0f} MB")
    return r


def run_pages(args, ds):
    """Serves the dataset with `shn serve`, and the bare ceiling beside it, and measures the
    ceiling then each page. The first row is the ceiling's (its RSS is its own process's)."""
    t = ds.targets()
    server = Server(args.shn, ds)
    ceiling = None
    try:
        log(f"    ready in {server.startup_s * 1000:.0f} ms")
        ceiling = Ceiling(args.ceiling, ds)
        thread = t["discussions"]["thread_with_50_replies"]
        rows = [measure(args, BARE, ceiling, f"/threads/{thread}", None, check_bare)]
        cookie = log_in(server.base, t["member_email"], t["password"])
        for name, path, signed_in in scenarios(t):
            rows.append(measure(args, name, server, path, cookie if signed_in else None))
        return {"startup_s": server.startup_s, "rows": rows, "peak_mb": server.memory_mb()[1]}
    finally:
        server.stop()
        if ceiling:
            ceiling.stop()


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // (1024 * 1024)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}; commit {commit}"


def mark(ok):
    return "✓" if ok else "✗ over budget"


def command(args):
    """The command line that gave the report, as bench/run takes it."""
    flags = [a for a in sys.argv[1:]]
    for f in ("--shn", "--build-seconds", "--ceiling"):
        while f in flags:
            i = flags.index(f)
            del flags[i:i + 2]
    return " ".join(["bench/run", *flags])


def header(args, title, how):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [f"# {title}", "", f"- Date: {now}", f"- Machine: {machine()}", f"- Command: `{command(args)}` ({how}; "
            "load generator and servers share the machine)", ""]


def page_table(rows):
    """The pages' table: each page's req/s as a share of the bare ceiling's (rows[0]) and
    of /healthz's (rows[1]), latency, errors and weight."""
    bare, healthz = rows[0]["rps"], rows[1]["rps"]
    lines = [
        "| scenario | req/s | of bare page | of /healthz | p50 ms | p99 ms | p99 < 25 ms | errors | KB | RSS MB |",
        "|---|---:|---:|---:|---:|---:|:---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['rps']:.0f} | {100 * r['rps'] / bare:.1f} % | {100 * r['rps'] / healthz:.1f} % | "
            f"{r['p50']:.2f} | {r['p99']:.2f} | {mark(r['p99'] < P99_BUDGET_MS)} | {r['errors']} | "
            f"{r['bytes'] / 1024:.1f} | {r['rss']:.0f} |")
    lines += ["", "KB: the page's HTML as served without compression (wrk asks for none). RSS: the serving "
              "process's after the page; for the bare page, the ceiling's own process."]
    return lines


def report(args, results):
    how = (f"scale {args.scale:g}; wrk, {args.threads} threads, {args.connections} connections, {args.warmup} s "
           f"warm-up then {args.duration} s per page")
    if any("mixed" in r for r in results):
        how += f"; mixed load {args.mixed_duration} s as {args.sessions} members"
    lines = header(args, f"Benchmark report ({'quick' if args.quick else 'full'})", how)
    for res in results:
        d = res["dataset"]
        when = "in this run" if res["built_s"] is not None else "by an earlier run, reused"
        lines += [
            f"## {res['backend']}",
            "",
            f"- Dataset: scale {d['scale']:g}, built {when} in {d['seconds']:.0f} s "
            f"({', '.join(f'{n} {s:.0f} s' for n, s in d['stages'])})",
        ]
        if "rows" in res:
            lines += [
                f"- Start-up to ready: {res['startup_s'] * 1000:.0f} ms {mark(res['startup_s'] < STARTUP_BUDGET_S)}",
                f"- Peak RSS of `shn serve` over the pages: {res['peak_mb']:.0f} MB "
                f"{mark(res['peak_mb'] < RSS_BUDGET_MB)}",
                "",
                *page_table(res["rows"]),
            ]
        if "mixed" in res:
            import mixed
            lines += ["", *mixed.report_lines(res["mixed"])]
        lines.append("")
    return "\n".join(lines)


def short(name):
    """A page's name without what depends on the dataset (sizes, condition names)."""
    return re.sub(r" \([^)]*\)", "", name)


def run_sizes(args, backends):
    """The pages at each scale: every dataset is built (or found) first, then each is
    measured in turn. Returns the report."""
    scales = [float(s) for s in args.sizes.split(",") if s.strip()]
    for scale in scales:
        args.scale = scale
        prepare_datasets(args, backends)
    measured = {b: [] for b in backends}
    for scale in scales:
        for b in backends:
            log(f"==> {b}, scale {scale:g}: pages")
            measured[b].append(run_pages(args, Dataset(b, scale, args.pg_admin)))
    how = (f"scales {', '.join(f'{s:g}' for s in scales)}; wrk, {args.threads} threads, {args.connections} "
           f"connections, {args.warmup} s warm-up then {args.duration} s per page")
    lines = header(args, "Cost against size", how)
    lines += ["A hot page's time should not grow with the dataset: the last column is its p99 at the largest "
              "scale over its p99 at the smallest.", ""]
    for b in backends:
        runs = measured[b]
        cols = "".join(f" req/s @{s:g} | p99 ms @{s:g} |" for s in scales)
        lines += [f"## {b}", "", f"| page |{cols} p99 ×, largest / smallest |",
                  "|---|" + "---:|---:|" * len(scales) + "---:|"]
        for i, first in enumerate(runs[0]["rows"]):
            cells = ""
            for run in runs:
                r = run["rows"][i]
                errors = f" ({r['errors']} errors)" if r["errors"] else ""
                cells += f" {r['rps']:.0f}{errors} | {r['p99']:.2f} |"
            growth = runs[-1]["rows"][i]["p99"] / max(first["p99"], 0.001)
            lines.append(f"| {short(first['name'])} |{cells} ×{growth:.2f} |")
        lines.append("")
    failed = any(r["errors"] for run in measured.values() for res in run for r in res["rows"])
    return "\n".join(lines), failed


def write_report(args, text, started, build_note=""):
    text += f"\nWhole command: {time.monotonic() - started:.0f} s{build_note}.\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    log("\n" + text)
    log(f"Report written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (bench/run installs it)")
    started = time.monotonic()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.sizes:
        text, failed = run_sizes(args, backends)
        write_report(args, text, started)
        return 1 if failed else 0
    if args.soak:
        import mixed
        text, failed = mixed.run_soak(args, backends)
        write_report(args, text, started)
        return 1 if failed else 0
    built = prepare_datasets(args, backends)
    measuring = time.monotonic()
    results = []
    for b in backends:
        ds = Dataset(b, args.scale, args.pg_admin)
        res = {"backend": b, "built_s": built[b], "dataset": ds.targets()}
        if not args.no_pages:
            log(f"==> {b}: pages")
            res.update(run_pages(args, ds))
        if args.mixed:
            import mixed
            res["mixed"] = mixed.run_mixed(args, ds)
        results.append(res)
    build = args.build_seconds or 0
    started -= build
    write_report(args, report(args, results), started,
                 f" (release build {build:.0f} s, datasets {measuring - started - build:.0f} s, "
                 f"measuring {time.monotonic() - measuring:.0f} s)")
    failed = [r for res in results for r in res.get("rows", []) if r["errors"]]
    failed += [res for res in results if "mixed" in res and not res["mixed"]["ok"]]
    return 1 if failed else 0


if __name__ == "__main__":
    # mixed.py imports this module as `bench`: the same module, not a second copy.
    sys.modules.setdefault("bench", sys.modules[__name__])
    sys.exit(main())
