"""The mixed load and the soak of bench/bench.py (--mixed, --soak): reads and writes at
once, as many different signed-in members, on a scratch copy of the dataset (so writes
never change what the pages are measured on). See bench/README.md and bench/mixed.lua.
"""

import concurrent.futures
import copy
import csv
import http.cookiejar
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

import bench

SCRIPT = bench.BENCH / "mixed.lua"
# The kinds of request mixed.lua sends, in its order: reads, then writes.
KINDS = ("thread", "group", "home", "reply", "react", "signup")
# Replies of the member's thread they react to (each with each kind, in turn).
POSTS_PER_MEMBER = 20
# Reads' p99 budget under the mixed load on SQLite (issue 19).
MIXED_READ_P99_MS = 40.0
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


# ---------- the dataset, read directly (bench.py's own look at what the server holds) ----------

def query(ds, sql):
    """Rows of `sql` on the dataset, as tuples of text (UUIDs as their usual text)."""
    if ds.backend == "sqlite":
        db = sqlite3.connect(f"file:{ds.dir / 'shn.db'}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute(sql).fetchall()
        finally:
            db.close()
        text = lambda v: str(uuid.UUID(bytes=v)) if isinstance(v, bytes) and len(v) == 16 else str(v)
        return [tuple(text(v) for v in row) for row in rows]
    out = bench.psql(ds.url, sql)
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def uuid_list(ds, ids):
    """An SQL list of UUID literals (SQLite stores UUIDs as 16-byte blobs)."""
    if ds.backend == "sqlite":
        return ", ".join(f"X'{uuid.UUID(i).hex}'" for i in ids)
    return ", ".join(f"'{i}'" for i in ids)


def counts(ds):
    """What the writes add to: replies, accounts, reactions."""
    sql = ("SELECT (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM members), "
           "(SELECT COUNT(*) FROM reactions)")
    replies, accounts, reactions = (int(v) for v in query(ds, sql)[0])
    return {"replies": replies, "accounts": accounts, "reactions": reactions}


def choose_members(ds, count):
    """`count` generated members, each with an open group they belong to, a thread of it
    with replies, and up to POSTS_PER_MEMBER of its newest replies. The oldest members by
    id (ids follow join dates), so none is a new member under posting limits."""
    rows = query(ds, f"""
        SELECT m.email, gm.group_id FROM members m
        JOIN group_members gm ON gm.member_id = m.id AND gm.status = 'active'
        JOIN groups g ON g.id = gm.group_id AND g.visibility = 'open' AND g.archived_at IS NULL
        WHERE m.email LIKE 'scale%' AND m.status = 'active' AND m.email_verified_at IS NOT NULL
        ORDER BY m.id LIMIT {count * 5}""")
    group_of = {}
    for email, group in rows:
        group_of.setdefault(email, group)
    if len(group_of) < count:
        raise SystemExit(f"the dataset has {len(group_of)} members in open groups, fewer than --sessions {count}")
    members = list(group_of.items())[:count]
    groups = sorted({g for _, g in members})
    threads = {}
    for tid, gid in query(ds, f"SELECT id, group_id FROM threads WHERE status = 'visible' AND reply_count > 0 "
                              f"AND group_id IN ({uuid_list(ds, groups)}) ORDER BY id"):
        threads.setdefault(gid, []).append(tid)
    rng = random.Random(19)
    chosen = [(email, group, rng.choice(threads[group])) for email, group in members if group in threads]
    if len(chosen) < count:
        raise SystemExit("some members' groups have no thread with replies")
    posts = {}
    for tid, pid in query(ds, f"""
            SELECT thread_id, id FROM (
                SELECT thread_id, id, ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY created_at DESC, id DESC) AS n
                FROM posts WHERE status = 'visible' AND thread_id IN ({uuid_list(ds, {t for _, _, t in chosen})})
            ) x WHERE n <= {POSTS_PER_MEMBER} ORDER BY thread_id, n"""):
        posts.setdefault(tid, []).append(pid)
    return [{"email": e, "group": g, "thread": t, "posts": posts[t]} for e, g, t in chosen]


# ---------- sessions: members signed in through the real log-in form ----------

def address(i):
    """Member number i's client address (log-ins are limited per address)."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def opener_for(xff):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if xff:
        opener.addheaders = [("X-Forwarded-For", xff)]
    return jar, opener


def sign_in(base, password, i, m):
    """Logs member `m` in as a browser would (the form, its CSRF token, from their own
    address), landing on their thread; returns their Cookie header and the CSRF token their
    forms carry (it is bound to the session)."""
    jar, opener = opener_for(address(i))
    token = CSRF.search(opener.open(base + "/login").read().decode()).group(1)
    thread = f"/threads/{m['thread']}"
    form = urllib.parse.urlencode({"email": m["email"], "password": password, "csrf": token, "next": thread})
    with opener.open(base + "/login", data=form.encode()) as r:
        page = r.read().decode()
        if not r.geturl().endswith(thread) or f'action="{thread}/replies"' not in page:
            raise SystemExit(f"{m['email']} could not sign in and reply in their thread (landed on {r.geturl()})")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, CSRF.search(page).group(1)


def visitor(base):
    """A signed-out visitor's CSRF cookie and token, for the sign-up form."""
    jar, opener = opener_for(None)
    token = CSRF.search(opener.open(base + "/signup").read().decode()).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def signed_in(base, cookie):
    req = urllib.request.Request(base + "/settings/account", headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=30) as r:
        return "/login" not in r.geturl()


def prepare_sessions(args, ds):
    """The members' sessions, kept beside the dataset (`sessions.tsv`, as mixed.lua reads
    it) and reused while they are valid (log-ins cost a password hash each: about a minute
    for a thousand). Returns the file's lines and the members, args.sessions of them."""
    path, meta_path = ds.dir / "sessions.tsv", ds.dir / "sessions.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and path.exists() else None
    server = bench.Server(args.shn, ds, label=f"{ds.backend}-login")
    try:
        if meta and len(meta["members"]) >= args.sessions:
            lines = path.read_text().splitlines()[1:]
            sample = random.Random().sample(lines, min(5, len(lines)))
            if all(signed_in(server.base, line.split("\t")[0]) for line in sample):
                bench.log(f"    reusing {args.sessions} sessions from {path}")
                return path.read_text().splitlines()[:args.sessions + 1], meta["members"][:args.sessions]
        members = choose_members(ds, args.sessions)
        bench.log(f"    signing in {len(members)} members through the log-in form …")
        started = time.monotonic()
        password = ds.targets()["password"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pairs = list(pool.map(lambda im: sign_in(server.base, password, im[0] + 1, im[1]), enumerate(members)))
        anon_cookie, anon_csrf = visitor(server.base)
        lines = [f"anon\t{anon_cookie}\t{anon_csrf}"]
        for i, (m, (cookie, csrf)) in enumerate(zip(members, pairs)):
            lines.append("\t".join([cookie, address(i + 1), csrf, m["thread"], m["group"], ",".join(m["posts"])]))
        path.write_text("\n".join(lines) + "\n")
        meta_path.write_text(json.dumps({"members": members}))
        bench.log(f"    signed in in {time.monotonic() - started:.0f} s")
        return lines, members
    finally:
        server.stop()


# ---------- the scratch copy the writes go to ----------

def scratch_copy(ds):
    """A copy of the dataset (files, and the PostgreSQL database from it as a template),
    made while nothing is connected to it; the writes go there."""
    s = copy.copy(ds)
    s.dir = ds.dir.with_name(ds.dir.name + "-scratch")
    s.pg_db = f"{ds.pg_db}_scratch" if ds.pg_db else None
    drop_scratch(s)
    started = time.monotonic()
    shutil.copytree(ds.dir, s.dir, ignore=shutil.ignore_patterns("build.log", "*-shm", "sessions.*"))
    if ds.pg_db:
        bench.psql(ds.admin, f"CREATE DATABASE {s.pg_db} TEMPLATE {ds.pg_db} STRATEGY FILE_COPY")
        s.url = bench.pg_url(ds.admin, s.pg_db)
    else:
        s.url = f"sqlite://{s.dir / 'shn.db'}?mode=rwc"
    bench.log(f"    scratch copy made in {time.monotonic() - started:.1f} s")
    return s


def drop_scratch(s):
    if s.pg_db and s.pg_db.endswith("_scratch"):
        bench.psql(s.admin, f"DROP DATABASE IF EXISTS {s.pg_db} WITH (FORCE)")
    if s.dir.exists():
        shutil.rmtree(s.dir)


# ---------- driving it ----------

def mixed_wrk(args, server, sessions, state, seconds, tag):
    """One wrk run of mixed.lua: wrk's totals and the script's reads and writes apart, and
    the server's RSS (VmRSS) read every second meanwhile (`rss`: their median, `rss_max`)."""
    n = args.connections
    cmd = ["wrk", f"-t{n}", f"-c{n}", f"-d{seconds}s", "--latency", "--timeout", "5s", "-s", str(SCRIPT),
           server.base, "--", str(sessions), str(state), str(n), tag]
    rss = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        while proc.poll() is None:
            rss.append(server.memory_mb()[0])
            time.sleep(1)
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed ({proc.returncode}): {err[-2000:]}")
    found = re.search(r"^MIXED (.*)$", out, re.M)
    if not found:
        raise SystemExit(f"mixed.lua printed no result:\n{out[-2000:]}")
    r = json.loads(found.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(map(int, sock.groups())) if sock else 0
    r["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    r["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    r["errors"] = sum(r["bad"].values()) + r["socket_errors"]
    r["done"] = {k: r["sent"][k] - r["bad"][k] for k in r["sent"]}
    r["rss"], r["rss_max"] = statistics.median(rss), max(rss)
    return r


def reactions_made(state):
    """Reactions each member made so far, by their line in the sessions file."""
    if not state.exists():
        return {}
    return {int(i): int(n) for i, n in (line.split() for line in state.read_text().splitlines() if line.strip())}


def expected_new_reactions(members, before, after):
    """Rows the reactions should have added: a member's k-th reaction is a new (reply,
    kind) pair until they have used every kind on every one of their replies."""
    total = 0
    for i, m in enumerate(members):
        cap = 3 * len(m["posts"])
        total += min(after.get(i, 0), cap) - min(before.get(i, 0), cap)
    return total


def verify(before, after_counts, done, in_flight, members, made_before, made_after):
    """The writes the server answered as done against what the database gained, as
    {what: (answered, stored)}, and whether they agree: exactly, but for the writes still
    in flight when wrk stopped, which the server may have done unanswered (a reaction done
    so is one its member makes again later, which then adds no row)."""
    kinds = {"replies": "reply", "accounts": "signup", "reactions": "react"}
    want = {"replies": done.get("reply", 0), "accounts": done.get("signup", 0),
            "reactions": expected_new_reactions(members, made_before, made_after)}
    got = {k: after_counts[k] - before[k] for k in want}
    agree = all(abs(got[k] - want[k]) <= in_flight.get(kinds[k], 0) for k in want)
    return {k: (want[k], got[k]) for k in want}, agree


def settled_counts(ds):
    """The counts once writes wrk left in flight have finished (or been dropped)."""
    time.sleep(1)
    return counts(ds)


class Scratch:
    """A server on a scratch copy of the dataset, signed-in members ready."""

    def __init__(self, args, ds, label):
        self.ds = ds
        lines, self.members = prepare_sessions(args, ds)
        self.copy = scratch_copy(ds)
        self.sessions = self.copy.dir / "sessions.tsv"
        self.sessions.write_text("\n".join(lines) + "\n")
        self.state = self.copy.dir / "reactions.state"
        self.server = bench.Server(args.shn, self.copy, label=label)
        self.tag = random.Random().randrange(0x1000, 0xF000)
        self.in_flight = {}

    def drive(self, args, seconds):
        """One wrk run of the mixed load on the copy. Keeps the count of writes left in
        flight by every run so far: the tolerance of the check against the database (a
        reaction left in flight and done by the server is made again by its member in a
        later run, and then adds no row)."""
        self.tag += 1
        r = mixed_wrk(args, self.server, self.sessions, self.state, seconds, f"{self.tag:x}")
        for k, n in r["in_flight"].items():
            self.in_flight[k] = self.in_flight.get(k, 0) + n
        return r

    def close(self):
        self.server.stop()
        drop_scratch(self.copy)


def run_mixed(args, ds):
    """The mixed load on one backend: warm-up, then args.mixed_duration seconds measured,
    with the writes counted in the database before and after."""
    bench.log(f"==> {ds.backend}: mixed load ({args.sessions} members, {args.connections} connections)")
    sc = Scratch(args, ds, f"{ds.backend}-mixed")
    try:
        sc.drive(args, max(args.warmup, 2))
        before, made_before = settled_counts(sc.copy), reactions_made(sc.state)
        r = sc.drive(args, args.mixed_duration)
        r["peak"] = sc.server.memory_mb()[1]
        r["writes_checked"], r["stored"] = verify(before, settled_counts(sc.copy), r["done"], sc.in_flight,
                                                  sc.members, made_before, reactions_made(sc.state))
        r.update(backend=ds.backend, sessions=len(sc.members), connections=args.connections,
                 seconds=args.mixed_duration, ok=r["stored"] and r["errors"] == 0)
        bench.log(f"    {r['rps']:.0f} req/s; reads p99 {r['reads']['p99']:.2f} ms, writes p99 "
                  f"{r['writes']['p99']:.2f} ms; errors {r['errors']}; writes (answered, stored): "
                  f"{r['writes_checked']}")
        return r
    finally:
        sc.close()


def report_lines(r):
    stored = "; ".join(f"{k} {want} answered, {got} stored" for k, (want, got) in r["writes_checked"].items())
    reads_budget = bench.mark(r["reads"]["p99"] < MIXED_READ_P99_MS) if r["backend"] == "sqlite" else ""
    sent = ", ".join(f"{k} {n}" for k, n in r["sent"].items())
    in_flight = ", ".join(f"{k} {n}" for k, n in r["in_flight"].items() if n) or "none"
    budget = [f"- Budget (issue 19): on SQLite, reads' p99 under {MIXED_READ_P99_MS:.0f} ms with the writes "
              "going on."] if r["backend"] == "sqlite" else []
    return [
        f"### Mixed load: {r['sessions']} members, {r['connections']} connections, {r['seconds']} s",
        "",
        "| requests | req/s | reads | reads p50 ms | reads p99 ms | writes | writes p50 ms | writes p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['requests']} | {r['rps']:.0f} | {r['reads']['n']} | {r['reads']['p50']:.2f} | "
        f"{r['reads']['p99']:.2f} {reads_budget} | {r['writes']['n']} | {r['writes']['p50']:.2f} | "
        f"{r['writes']['p99']:.2f} | {r['errors']} {'✓' if r['errors'] == 0 else '✗'} |",
        "",
        f"- Sent: {sent}; unanswered when wrk stopped: {in_flight}."
        + (f" First error: {r['first_error']}." if r["first_error"] else ""),
        f"- Writes answered as done against the database's counts before and after (equal but for those left "
        f"unanswered, here and in the warm-up): {stored} {'✓' if r['stored'] else '✗'}.",
        *budget,
        f"- `shn serve` RSS while loaded: median {r['rss']:.0f} MB, highest {r['rss_max']:.0f} MB (sampled every "
        f"second); peak (VmHWM) {r['peak']:.0f} MB {bench.mark(r['peak'] < bench.RSS_BUDGET_MB)}.",
    ]


# ---------- soak ----------

def slope(ys):
    """Least-squares slope of ys against 0, 1, 2, …"""
    n = len(ys)
    mx, my = (n - 1) / 2, statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in range(n))
    return sum((x - mx) * (y - my) for x, y in enumerate(ys)) / den if den else 0.0


def judge(rows, sample_s):
    """Whether RSS is flat after warm-up (its slope over the last ten minutes) and whether
    throughput trends down (its slope after warm-up, and its last third against its
    first). The first fifth of the samples (at least one) is warm-up."""
    per_min = 60 / sample_s
    warm = max(1, len(rows) // 5)
    after = rows[warm:]
    if len(after) < 4:
        return [f"- Too short to judge trends: {len(after)} sample(s) after {warm} of warm-up (4 needed)."], True
    window = after[-max(4, round(10 * per_min)):]
    rss = [r["rss_mb"] for r in window]
    rss_per_10 = slope(rss) * 10 * per_min
    flat = abs(rss_per_10) <= max(2.0, 0.02 * statistics.fmean(rss))
    tp = [r["requests_per_s"] for r in after]
    tp_per_10 = 100 * slope(tp) * 10 * per_min / statistics.fmean(tp)
    k = max(1, len(tp) // 3)
    first, last = statistics.fmean(tp[:k]), statistics.fmean(tp[-k:])
    down = tp_per_10 < -2 and last < 0.95 * first
    minutes = len(window) * sample_s / 60
    return [
        f"- RSS over the last {minutes:.0f} min: {rss_per_10:+.2f} MB per 10 min "
        f"({rss[0]:.0f} → {rss[-1]:.0f} MB): {'flat ✓' if flat else 'growing ✗' if rss_per_10 > 0 else 'falling'}.",
        f"- Throughput after warm-up: {tp_per_10:+.1f} % per 10 min; last third {last:.0f} req/s against first "
        f"third {first:.0f}: {'trends down ✗' if down else 'no downward trend ✓'}.",
    ], flat and not down


def refaulted_mb():
    """MB of file pages the whole machine has read back since boot after evicting them
    (`workingset_refault_file`), or None off Linux. Per soak sample on a quiet machine,
    how much of the server's database its reads found gone from the OS page cache (see
    bench/README.md on hosts that reclaim page cache proactively)."""
    try:
        with open("/proc/vmstat") as f:
            pages = next(int(line.split()[1]) for line in f if line.startswith("workingset_refault_file "))
    except (OSError, StopIteration):
        return None
    return pages * 4096 / 2**20


def soak_backend(args, ds):
    samples = max(1, round(args.soak * 60 / args.soak_sample))
    bench.log(f"==> {ds.backend}: soak, {samples} × {args.soak_sample} s of mixed load")
    sc = Scratch(args, ds, f"{ds.backend}-soak")
    csv_path = bench.BENCH / "out" / f"soak-{ds.backend}.csv"
    fields = ["minute", "requests_per_s", "reads_p99_ms", "writes_p99_ms", "reads", "writes", "errors", "rss_mb",
              "rss_max_mb", "peak_rss_mb", "refaulted_mb", *(f"{k}_mean_ms" for k in KINDS)]
    rows, started = [], time.monotonic()
    try:
        before, made_before, done = counts(sc.copy), reactions_made(sc.state), {}
        with open(csv_path, "w", newline="") as f:
            out = csv.DictWriter(f, fields)
            out.writeheader()
            for i in range(samples):
                refaulted = refaulted_mb()
                r = sc.drive(args, args.soak_sample)
                peak = sc.server.memory_mb()[1]
                if refaulted is not None:
                    refaulted = round(refaulted_mb() - refaulted, 1)
                for k, n in r["done"].items():
                    done[k] = done.get(k, 0) + n
                row = {"minute": round((time.monotonic() - started) / 60, 2), "requests_per_s": round(r["rps"]),
                       "reads_p99_ms": r["reads"]["p99"], "writes_p99_ms": r["writes"]["p99"],
                       "reads": r["reads"]["n"], "writes": r["writes"]["n"], "errors": r["errors"],
                       "rss_mb": round(r["rss"], 1), "rss_max_mb": round(r["rss_max"], 1),
                       "peak_rss_mb": round(peak, 1), "refaulted_mb": refaulted, "first_error": r["first_error"],
                       **{f"{k}_mean_ms": r["mean_ms"][k] for k in KINDS}}
                out.writerow({k: row[k] for k in fields})
                f.flush()
                rows.append(row)
                bench.log(f"    {i + 1}/{samples}: {r['rps']:.0f} req/s, reads p99 {r['reads']['p99']:.2f} ms, "
                          f"writes p99 {r['writes']['p99']:.2f} ms, errors {r['errors']}, RSS {r['rss']:.0f} MB")
        checked, stored = verify(before, settled_counts(sc.copy), done, sc.in_flight, sc.members, made_before,
                                 reactions_made(sc.state))
    finally:
        sc.close()
    verdict, steady = judge(rows, args.soak_sample)
    errors = sum(r["errors"] for r in rows)
    return {"backend": ds.backend, "rows": rows, "csv": csv_path, "checked": checked, "verdict": verdict,
            "ok": stored and steady and errors == 0, "errors": errors, "stored": stored}


def run_soak(args, backends):
    """--soak: the mixed load for args.soak minutes per backend, sampled; the report."""
    bench.prepare_datasets(args, backends)
    results = [soak_backend(args, bench.Dataset(b, args.scale, args.pg_admin)) for b in backends]
    how = (f"scale {args.scale:g}; mixed load as {args.sessions} members, wrk {args.connections} connections, "
           f"{args.soak:g} min per backend sampled every {args.soak_sample} s")
    lines = bench.header(args, "Soak", how)
    for s in results:
        stored = "; ".join(f"{k} {want}, {got}" for k, (want, got) in s["checked"].items())
        lines += [f"## {s['backend']}", "", f"- Samples: `{s['csv'].relative_to(bench.ROOT)}`.",
                  f"- Errors: {s['errors']} {'✓' if s['errors'] == 0 else '✗'}.",
                  f"- Writes (answered, stored in the database): {stored} {'✓' if s['stored'] else '✗'}.",
                  *s["verdict"], "",
                  "| minute | req/s | reads p99 ms | writes p99 ms | mean ms: thread · group · home · reply · "
                  "react · sign-up | errors | RSS MB, median | RSS MB, highest |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['minute']:.1f} | {r['requests_per_s']} | {r['reads_p99_ms']:.2f} | {r['writes_p99_ms']:.2f} | "
                  f"{' · '.join(format(r[f'{k}_mean_ms'], '.1f') for k in KINDS)} | "
                  f"{r['errors']}{' (first: ' + r['first_error'] + ')' if r['first_error'] else ''} | "
                  f"{r['rss_mb']:.0f} | {r['rss_max_mb']:.0f} |" for r in s["rows"]]
        lines += ["", f"Peak RSS (VmHWM) over the soak: {s['rows'][-1]['peak_rss_mb']:.0f} MB "
                  f"{bench.mark(s['rows'][-1]['peak_rss_mb'] < bench.RSS_BUDGET_MB)}."]
        lines.append("")
    return "\n".join(lines), not all(s["ok"] for s in results)
