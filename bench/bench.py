#!/usr/bin/env python3
"""Drives `shn serve` with wrk, per backend, and writes a Markdown report.

Run through bench/run, which builds the release binary first. The dataset for each
backend is built once with `shn demo --scale S` and reused by later runs of the same
scale (pass --rebuild to build it again). See bench/README.md.
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
    a.add_argument("--out", help="report file (default bench/out/report-<mode>.md)")
    a.add_argument("--build-seconds", type=float, help="how long bench/run spent building the binary")
    args = a.parse_args()
    args.scale = args.scale or (0.02 if args.quick else 1.0)
    args.duration = args.duration or (3 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    args.out = Path(args.out) if args.out else BENCH / "out" / f"report-{'quick' if args.quick else 'full'}.md"
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


class Server:
    def __init__(self, shn, dataset, flags=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        # The server's log goes to a file: a pipe nobody reads would fill and stall it.
        self.log_path = BENCH / "out" / f"serve-{dataset.backend}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([shn, "serve", *flags], env=dataset.env(SHN_BIND=f"127.0.0.1:{self.port}"),
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = started + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"shn serve exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit("shn serve was not ready within 60 s")
            time.sleep(0.005)
        self.startup_s = time.monotonic() - started

    def memory_mb(self):
        """(current RSS, peak RSS) of the server process, in MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


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
        ("/healthz (ceiling)", "/healthz", False),
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


def check_page(base, path, cookie):
    req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        if r.status != 200 or not body:
            raise SystemExit(f"{path} answered {r.status}")
        return len(body)


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


def run_backend(args, backend, built_s):
    ds = Dataset(backend, args.scale, args.pg_admin)
    t = ds.targets()
    server = Server(args.shn, ds)
    try:
        log(f"    ready in {server.startup_s * 1000:.0f} ms")
        cookie = log_in(server.base, t["member_email"], t["password"])
        rows = []
        for name, path, signed_in in scenarios(t):
            c = cookie if signed_in else None
            size = check_page(server.base, path, c)
            wrk(server.base + path, c, args.warmup, args.connections, args.threads)
            r = wrk(server.base + path, c, args.duration, args.connections, args.threads)
            r["rss"], r["peak"] = server.memory_mb()
            r.update(name=name, path=path, bytes=size)
            rows.append(r)
            log(f"    {name:<48} {r['rps']:>9.0f} req/s  p50 {r['p50']:>7.2f} ms  p99 {r['p99']:>7.2f} ms  "
                f"errors {r['errors']}  RSS {r['rss']:.0f} MB")
        return {"backend": backend, "dataset": t, "built_s": built_s, "startup_s": server.startup_s, "rows": rows,
                "peak_mb": server.memory_mb()[1]}
    finally:
        server.stop()


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


def report(args, results):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Benchmark report ({'quick' if args.quick else 'full'})",
        "",
        f"- Date: {now}",
        f"- Machine: {machine()}",
        f"- Command: `bench/run {'--quick ' if args.quick else ''}`(scale {args.scale:g}; wrk, {args.threads} threads, "
        f"{args.connections} connections, {args.warmup} s warm-up then {args.duration} s per scenario; "
        "load generator and server share the machine)",
        "",
    ]
    for res in results:
        rows = res["rows"]
        ceiling = rows[0]["rps"]
        d = res["dataset"]
        when = "in this run" if res["built_s"] is not None else "by an earlier run, reused"
        lines += [
            f"## {res['backend']}",
            "",
            f"- Dataset: scale {d['scale']:g}, built {when} in {d['seconds']:.0f} s "
            f"({', '.join(f'{n} {s:.0f} s' for n, s in d['stages'])})",
            f"- Start-up to ready: {res['startup_s'] * 1000:.0f} ms {mark(res['startup_s'] < STARTUP_BUDGET_S)}",
            f"- Peak RSS of `shn serve` over the run: {res['peak_mb']:.0f} MB {mark(res['peak_mb'] < RSS_BUDGET_MB)}",
            "",
            "| scenario | req/s | of ceiling | p50 ms | p99 ms | p99 < 25 ms | errors | RSS MB |",
            "|---|---:|---:|---:|---:|:---:|---:|---:|",
        ]
        for r in rows:
            share = "100 %" if r is rows[0] else f"{100 * r['rps'] / ceiling:.1f} %"
            lines.append(
                f"| {r['name']} | {r['rps']:.0f} | {share} | {r['p50']:.2f} | {r['p99']:.2f} | "
                f"{mark(r['p99'] < P99_BUDGET_MS)} | {r['errors']} | {r['rss']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (bench/run installs it)")
    started = time.monotonic()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    built = prepare_datasets(args, backends)
    measuring = time.monotonic()
    results = [run_backend(args, b, built[b]) for b in backends]
    text = report(args, results)
    build = args.build_seconds or 0
    text += (f"\nWhole command: {build + time.monotonic() - started:.0f} s (release build {build:.0f} s, "
             f"datasets {measuring - started:.0f} s, measuring {time.monotonic() - measuring:.0f} s).\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    log("\n" + text)
    log(f"Report written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    missed = [r for res in results for r in res["rows"] if r["errors"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
