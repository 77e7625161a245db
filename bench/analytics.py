#!/usr/bin/env python3
"""Times the staff analytics (issue 20, "Scale") on the benchmark datasets.

Serves a dataset built by bench/bench.py (`shn demo --scale S`, reused from bench/data/),
signs in as the demo admin, and requests each analytics page one after another (no
concurrency: these are staff pages, asked for now and then), reporting p50, p99 and max
per page against the 200 ms budget:

    python3 bench/analytics.py --shn ~/.cache/shn/target/release/shn --backends sqlite

Builds the dataset first if it is missing (as bench/bench.py does). See bench/README.md.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

import bench

BUDGET_MS = 200.0


def parse_args():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--shn", required=True, help="the shn binary (release)")
    a.add_argument("--scale", type=float, default=1.0)
    a.add_argument("--backends", default="sqlite,postgres")
    a.add_argument("--requests", type=int, default=20, help="timed requests per page")
    a.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    a.add_argument("--rebuild", action="store_true")
    a.add_argument("--no-rollup", action="store_true",
                   help="count every figure live: no worker run first, and the server without its worker")
    a.add_argument("--pg-admin", default=os.environ.get("SHN_TEST_POSTGRES",
                                                        "postgres://postgres@127.0.0.1:5432/postgres"))
    a.add_argument("--out", help="Markdown report (default bench/out/analytics-<scale>.md)")
    args = a.parse_args()
    args.quick = False
    args.out = args.out or str(bench.BENCH / "out" / f"analytics-{args.scale:g}.md")
    return args


def token(base, email, password):
    body = json.dumps({"email": email, "password": password}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/token", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["token"]


def pages(today):
    year = f"from={today - datetime.timedelta(days=364)}&to={today}"
    return [
        ("page, default range (12 weeks)", "/admin/analytics", "cookie"),
        ("page, one year", f"/admin/analytics?{year}", "cookie"),
        ("CSV replies per week, one year", f"/admin/analytics/community-replies.csv?{year}", "cookie"),
        ("CSV points by rule, one year", f"/admin/analytics/rewards-issued-by-rule.csv?{year}", "cookie"),
        ("summary API, default range", "/api/v1/admin/analytics/summary", "bearer"),
        ("summary API, one year", f"/api/v1/admin/analytics/summary?{year}", "bearer"),
    ]


TIMED_OUT = []


def timed(url, headers):
    """The request's time in ms; a 408 (the server's own request timeout) is noted in
    TIMED_OUT and counts as the time it took."""
    req = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            if r.status != 200:
                raise SystemExit(f"{url} answered {r.status}")
    except urllib.error.HTTPError as e:
        if e.code != 408:
            raise
        TIMED_OUT.append(url)
    return (time.perf_counter() - started) * 1000


def p99(samples):
    s = sorted(samples)
    return s[min(len(s) - 1, round(0.99 * (len(s) - 1)))]


def run_backend(args, backend):
    ds = bench.Dataset(backend, args.scale, args.pg_admin)
    if not args.no_rollup:
        started = time.monotonic()
        subprocess.run([args.shn, "worker", "--once"], env=ds.env(), check=True)
        bench.log(f"    {backend}: `shn worker --once` (rollups) took {time.monotonic() - started:.1f} s")
    server = bench.Server(args.shn, ds, ["--no-worker"] if args.no_rollup else [])
    try:
        email, password = "admin@demo.example.org", ds.targets()["password"]
        auth = {"cookie": {"Cookie": bench.log_in(server.base, email, password)},
                "bearer": {"Authorization": f"Bearer {token(server.base, email, password)}"}}
        rows = []
        for name, path, how in pages(datetime.datetime.now(datetime.timezone.utc).date()):
            for _ in range(args.warmup):
                timed(server.base + path, auth[how])
            ms = [timed(server.base + path, auth[how]) for _ in range(args.requests)]
            row = {"name": name, "path": path, "p50": statistics.median(ms), "p99": p99(ms), "max": max(ms),
                   "timeouts": TIMED_OUT.count(server.base + path)}
            rows.append(row)
            bench.log(f"    {backend:<8} {name:<34} p50 {row['p50']:8.1f} ms  p99 {row['p99']:8.1f} ms  "
                      f"max {row['max']:8.1f} ms")
        return rows
    finally:
        server.stop()


def main():
    args = parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    bench.prepare_datasets(args, backends)
    lines = [f"# Analytics timings (scale {args.scale:g})", "",
             f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
             f"- Machine: {bench.machine()}",
             f"- {args.requests} sequential requests per page after {args.warmup} untimed; budget {BUDGET_MS:.0f} ms",
             f"- Rollups: {'none (every figure counted live)' if args.no_rollup else 'current (`shn worker --once` first)'}",
             ""]
    for b in backends:
        lines += [f"## {b}", "", "| page | p50 ms | p99 ms | max ms | < 200 ms |", "|---|---:|---:|---:|:---:|"]
        for r in run_backend(args, b):
            ok = "✓" if r["max"] < BUDGET_MS else "✗"
            if r["timeouts"]:
                ok += f" ({r['timeouts']} answered 408: the server's request timeout)"
            lines.append(f"| {r['name']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {ok} |")
        lines.append("")
    text = "\n".join(lines)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    bench.log("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
