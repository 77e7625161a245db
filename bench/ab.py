#!/usr/bin/env python3
"""Compares two `shn` binaries by what each request costs, on a busy machine.

Both binaries serve the same datasets (built by `bench/run --quick` or `bench/run`; the
schema must be the same), alternately: A, B, A, B ... For every hot page, wrk drives the
server for a few seconds and the CPU time of the server process and of its PostgreSQL
backends (read from /proc) is divided by the requests served. Requests per second move
by a third between runs of one binary when neighbours are busy; CPU per request moves
far less. Prints a Markdown table of medians and every round's figures.

    python3 bench/ab.py --before /tmp/shn-old --after /tmp/shn-new [--rounds 3] [--scale 0.02]
"""
import argparse
import collections
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def backend_pids(admin, db):
    out = bench.psql(admin, f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'")
    return [int(x) for x in out.split() if x]


def measure(args, shn, backend, into):
    ds = bench.Dataset(backend, args.scale, args.pg_admin)
    t = ds.targets()
    server = bench.Server(shn, ds)
    try:
        cookie = bench.log_in(server.base, t["member_email"], t["password"])
        for name, path, signed_in in bench.scenarios(t):
            c = cookie if signed_in else None
            bench.wrk(server.base + path, c, 1, args.connections, 2)
            pids = backend_pids(args.pg_admin, ds.pg_db) if ds.pg_db else []
            app0, db0 = cpu_seconds(server.proc.pid), sum(cpu_seconds(p) for p in pids)
            r = bench.wrk(server.base + path, c, args.seconds, args.connections, 2)
            app1, db1 = cpu_seconds(server.proc.pid), sum(cpu_seconds(p) for p in pids)
            n = max(r["requests"], 1)
            into[(backend, name)].append((r["rps"], (app1 - app0) / n * 1e6, (db1 - db0) / n * 1e6))
    finally:
        server.stop()


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--before", required=True, help="the first shn binary (release)")
    a.add_argument("--after", required=True, help="the second shn binary (release)")
    a.add_argument("--rounds", type=int, default=3)
    a.add_argument("--scale", type=float, default=0.02, help="the datasets' scale (built beforehand)")
    a.add_argument("--seconds", type=int, default=5, help="measured seconds per page")
    a.add_argument("--connections", type=int, default=16)
    a.add_argument("--backends", default="sqlite,postgres")
    a.add_argument("--pg-admin", default=os.environ.get("SHN_BENCH_POSTGRES",
                                                       "postgres://postgres@127.0.0.1:5432/postgres"))
    args = a.parse_args()
    runs = {"before": collections.defaultdict(list), "after": collections.defaultdict(list)}
    for i in range(args.rounds):
        for version in ("before", "after"):
            for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
                measure(args, getattr(args, version), backend, runs[version])
            bench.log(f"round {i + 1}: {version} measured")
    print("| backend | page | app µs/req before → after | PostgreSQL µs/req before → after | "
          "req/s before | req/s after |")
    print("|---|---|---|---|---|---|")
    for key, before in runs["before"].items():
        after = runs["after"][key]
        med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
        each = lambda rows: ", ".join(f"{r[0]:.0f}" for r in rows)  # noqa: E731
        print(f"| {key[0]} | {key[1]} | {med(before, 1):.0f} → {med(after, 1):.0f} | "
              f"{med(before, 2):.0f} → {med(after, 2):.0f} | {each(before)} | {each(after)} |")


if __name__ == "__main__":
    main()
