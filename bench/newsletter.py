#!/usr/bin/env python3
"""Newsletter throughput: sends one issue to every verified member of the scale dataset
(100 000 members at scale 1) through a local SMTP sink, and reports messages per second
and the sending process's peak RSS. See bench/README.md ("Newsletter throughput").

    bench/newsletter             build the release binary, then measure on both backends
    python3 bench/newsletter.py --shn PATH [--scale 1] [--backends sqlite] [--rate 0] [--kills 2]

The dataset is the load benchmark's (built by `shn demo --scale S` if missing, reused
otherwise). Each run drafts a new issue (a week no run used) through the API as the demo
admin, then times `shn newsletter send --issue ID`, which sends in its own process, as an
operator would, with SHN_SMTP_URL pointing at the sink. The sink is a small asyncio SMTP
server in this script that counts what it accepts per recipient, so the report also says
whether anyone received the issue twice.

With `--kills N` the sending process is killed with SIGKILL N times mid-send (evenly
through the list) and started again each time with the same command, which resumes the
send once the dead step's lease runs out; the report then compares what the sink
received with the verified, subscribed members counted straight from the database:
every one exactly once, no one else. The timings of such a run include the waits for the
leases, so they are not throughput figures.
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the load benchmark's datasets and server)

RATE_GOAL = 2000.0
OTHER = "(another message)"  # the sink's count of messages that are not the measured issue
RSS_GOAL_MB = 200.0
# The sender's database pool by backend: SQLite runs each connection's statements on a
# thread of its own, and on two cores more than four only cost memory (2026-12-01: 16
# connections held 378 MB at the same rate); PostgreSQL's statements wait on the network.
DB_CONNECTIONS = {"sqlite": 4, "postgres": 16}


class SinkProtocol(asyncio.Protocol):
    """One SMTP session: keeps a message only once its final dot arrives. A message's
    content is never split into lines, only searched for its end (one `find` a chunk),
    so the sink keeps up with thousands of messages a second."""

    END = b"\r\n.\r\n"

    def __init__(self, counts, subject):
        self.counts, self.buf, self.data, self.to = counts, b"", False, []
        self.subject, self.head = subject, b""

    def connection_made(self, transport):
        self.t = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, chunk):
        self.buf += chunk
        while self.buf:
            if self.data:
                end = self.buf.find(self.END)
                if len(self.head) < 4096:  # the headers, to tell this issue's messages from any other
                    self.head += self.buf[:4096]
                if end < 0:
                    self.buf = self.buf[-(len(self.END) - 1):]  # an end may straddle two chunks
                    return
                self.buf = self.buf[end + len(self.END):]
                self.data = False
                if self.subject in self.head:
                    self.counts.update(self.to)
                else:
                    self.counts.update(OTHER for _ in self.to)
                self.to, self.head = [], b""
                self.t.write(b"250 queued\r\n")
                continue
            i = self.buf.find(b"\r\n")
            if i < 0:
                return
            line, self.buf = self.buf[:i], self.buf[i + 2:]
            self.line(line)

    def line(self, line):
        upper = line.upper()
        if upper.startswith(b"EHLO") or upper.startswith(b"HELO"):
            self.t.write(b"250-sink\r\n250 OK\r\n")
        elif upper.startswith(b"RCPT TO:"):
            self.to.append(line[8:].strip().strip(b"<>").lower().decode())
            self.t.write(b"250 OK\r\n")
        elif upper.startswith(b"MAIL FROM:") or upper == b"RSET":
            self.to = []
            self.t.write(b"250 OK\r\n")
        elif upper == b"DATA":
            self.data = True
            self.buf = b"\r\n" + self.buf  # so an empty message's lone dot ends it too
            self.t.write(b"354 go ahead\r\n")
        elif upper == b"QUIT":
            self.t.write(b"221 bye\r\n")
            self.t.close()
        else:
            self.t.write(b"250 OK\r\n")


def start_sink(week):
    """Starts the sink on a free port in a thread; returns (port, counts). Messages that
    are not the issue of `week` (another send the same worker resumed) are counted under
    [OTHER], not under their recipients."""
    counts, port = Counter(), bench.free_port()
    loop = asyncio.new_event_loop()
    subject = f"Subject: Health Leader weekly: {week}".encode()

    async def serve():
        await loop.create_server(lambda: SinkProtocol(counts, subject), "127.0.0.1", port)

    loop.run_until_complete(serve())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return port, counts


def api(base, method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def draft_issue(shn, ds):
    """A new draft as the demo admin, through the API of a short-lived server."""
    server = bench.Server(shn, ds)
    try:
        token = api(server.base, "POST", "/api/v1/auth/token", body={
            "email": "admin@demo.example.org", "password": "demo-health-leader"})["token"]
        for _ in range(50):
            week = f"{random.randint(2030, 2099)}-W{random.randint(1, 52):02d}"
            try:
                issue = api(server.base, "POST", "/api/v1/admin/newsletters", token, {"week": week})
                break
            except urllib.error.HTTPError as e:
                if e.code != 409:
                    raise
        api(server.base, "PUT", f"/api/v1/admin/newsletters/{issue['id']}", token,
            {"intro": "The benchmark's issue: **every member's own edition**.",
             "featured": [{"title": "Resources", "href": "/learn"}]})
        return issue
    finally:
        server.stop()


def peak_rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+)", status, re.M)
    return int(m.group(1)) / 1024 if m else None


def send(args, ds, issue, smtp_port, counts):
    """Runs `shn newsletter send` to the end, killing it `args.kills` times mid-send."""
    env = ds.env(SHN_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", SHN_NEWSLETTER_RATE=str(args.rate),
                 SHN_NEWSLETTER_CONNECTIONS=str(args.connections),
                 SHN_DB_MAX_CONNECTIONS=str(args.db_connections or DB_CONNECTIONS[ds.backend]))
    if args.log:
        env["SHN_LOG"] = os.environ.get("SHN_BENCH_LOG", "warn,newsletter=info")
    log = open(args.log, "a") if args.log else subprocess.DEVNULL
    started, peak, kills = time.monotonic(), 0.0, 0
    expected = len(expected_recipients(ds)) if args.kills else 0
    while True:
        proc = subprocess.Popen([args.shn, "newsletter", "send", "--issue", issue["id"]], env=env,
                                stdout=subprocess.PIPE, stderr=log, text=True)
        kill_at = expected * (kills + 1) // (args.kills + 1) if kills < args.kills else None
        while proc.poll() is None:
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
            if kill_at is not None and sum(counts.values()) - counts[OTHER] >= kill_at:
                proc.kill()  # SIGKILL: no goodbye, in the middle of whatever it was doing
                proc.wait()
                bench.log(f"    killed the sender after {sum(counts.values()) - counts[OTHER]} of {expected} messages")
                break
            time.sleep(0.05 if kill_at is not None else 0.2)
        if proc.returncode == -9 and kill_at is not None:
            kills += 1
            continue
        break
    elapsed = time.monotonic() - started
    out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"shn newsletter send failed ({proc.returncode}):\n{out[-2000:]}")
    if kills < args.kills:
        raise SystemExit(f"the send finished before kill {kills + 1} of {args.kills}: nothing was proven")
    figures = json.loads(out[out.index("{"):])
    return figures, elapsed, peak


def expected_recipients(ds):
    """Who must receive the issue, counted straight from the database: active members with
    a verified address who did not turn the weekly issue off, minus suppressed addresses."""
    sql = ("SELECT lower(email) FROM members WHERE status = 'active' AND email_verified_at IS NOT NULL "
           "AND id NOT IN (SELECT member_id FROM newsletter_preferences WHERE weekly = FALSE) "
           "AND lower(email) NOT IN (SELECT lower(email) FROM newsletter_suppressions)")
    if ds.backend == "sqlite":
        import sqlite3
        with sqlite3.connect(str(ds.dir / "shn.db")) as c:
            return {row[0] for row in c.execute(sql)}
    out = subprocess.run(["psql", "-At", ds.url, "-c", sql], check=True, capture_output=True, text=True).stdout
    return set(out.split())


def run_backend(args, backend):
    ds = bench.Dataset(backend, args.scale, args.pg_admin)
    if not ds.exists():
        bench.prepare_datasets(argparse.Namespace(scale=args.scale, pg_admin=args.pg_admin, shn=args.shn,
                                                  rebuild=False), [backend])
    issue = draft_issue(args.shn, ds)
    port, counts = start_sink(issue["week"])
    bench.log(f"==> {backend}: sending issue {issue['week']} to the sink on port {port}")
    figures, elapsed, peak = send(args, ds, issue, port, counts)
    others = counts.pop(OTHER, 0)
    if others:
        bench.log(f"    the sink also received {others} messages of other sends the worker resumed (not counted)")
    twice = sum(1 for n in counts.values() if n > 1)
    total = figures["recipients"]
    row = {
        "backend": backend, "recipients": total, "received": sum(counts.values()), "twice": twice,
        "seconds": elapsed, "per_second": total / elapsed if elapsed else 0.0,
        "server_rate": figures["rate_per_second"], "peak_rss_mb": peak,
        "failed": figures["failed"], "unconfirmed": figures["unconfirmed"], "kills": args.kills,
    }
    if args.kills:
        expected = expected_recipients(ds)
        got = set(counts)
        row.update(expected=len(expected), missing=len(expected - got), strangers=len(got - expected))
    return row


def report(args, rows):
    title = (f"## Newsletter {'exactly once through ' + str(args.kills) + ' kills' if args.kills else 'throughput'}"
             f" — {time.strftime('%Y-%m-%d %H:%M')} (scale {args.scale:g}, {args.connections} connections, "
             f"rate limit {args.rate or 'none'})")
    lines = [title, "", f"Machine: {bench.machine()}", ""]
    if args.kills:
        lines += ["| backend | verified subscribed members (database) | received by the sink | missing "
                  "| received twice | not on the list | kills | unconfirmed |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['backend']} | {r['expected']} | {r['received']} | {r['missing']} | {r['twice']} "
                         f"| {r['strangers']} | {r['kills']} | {r['unconfirmed']} |")
        lines += ["", "Each kill is SIGKILL to `shn newsletter send` mid-send; the same command is started again "
                  "and resumes once the dead step's lease runs out."]
    else:
        lines += ["| backend | recipients | received by the sink | received twice | whole run | msgs/s (whole run) "
                  "| msgs/s (sending) | peak RSS | failed | unconfirmed |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(
                f"| {r['backend']} | {r['recipients']} | {r['received']} | {r['twice']} | {r['seconds']:.1f} s "
                f"| {r['per_second']:.0f} {bench.mark(r['per_second'] >= RATE_GOAL)} | {r['server_rate']:.0f} "
                f"| {r['peak_rss_mb']:.0f} MB {bench.mark(r['peak_rss_mb'] < RSS_GOAL_MB)} | {r['failed']} "
                f"| {r['unconfirmed']} |")
        lines += ["", f"Goals: at least {RATE_GOAL:.0f} messages per second, peak RSS under {RSS_GOAL_MB:.0f} MB. "
                  "The whole run includes start-up, listing the recipients and the last step; "
                  "\"sending\" is the server's own figure (finished messages over the time from the start of the "
                  "send to the last one). The sink runs in the benchmark's Python process on the same machine."]
    text = "\n".join(lines) + "\n"
    name = "newsletter-kills-report.md" if args.kills else "newsletter-report.md"
    out = bench.BENCH / "out" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)


def exactly_once(r):
    if "expected" in r:
        return r["twice"] == 0 and r["missing"] == 0 and r["strangers"] == 0
    return r["twice"] == 0 and r["received"] == r["recipients"]


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--shn", required=True, help="the shn binary (release)")
    a.add_argument("--scale", type=float, default=1.0)
    a.add_argument("--backends", default="sqlite,postgres")
    a.add_argument("--rate", type=int, default=0, help="SHN_NEWSLETTER_RATE (0: no limit)")
    a.add_argument("--connections", type=int, default=32, help="SHN_NEWSLETTER_CONNECTIONS")
    a.add_argument("--kills", type=int, default=0, help="SIGKILL the sender this many times mid-send")
    a.add_argument("--db-connections", type=int, help="SHN_DB_MAX_CONNECTIONS (default: 4 on SQLite, 16 on "
                   "PostgreSQL)")
    a.add_argument("--log", help="append the sender's log (each step's claimed, sent and where "
                   "the feeder's time went) to this file")
    a.add_argument("--pg-admin", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = a.parse_args()
    rows = [run_backend(args, b) for b in args.backends.split(",")]
    report(args, rows)
    return 0 if all(exactly_once(r) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
