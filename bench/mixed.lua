-- The mixed load of bench/bench.py (--mixed, --soak; see bench/README.md): of every 100
-- requests, 90 read (30 thread pages, 30 group pages, 30 home feeds) and 10 write (4
-- replies, 4 reactions, 2 new accounts), each as the next of many signed-in members, in
-- an order shuffled once per wrk thread.
--
--   wrk -tN -cN --latency -s bench/mixed.lua URL -- SESSIONS STATE N TAG
--
-- One connection per wrk thread (-t and -c the same): a thread's requests and responses
-- then alternate, so this script times each request itself and files it as a read or a
-- write; wrk's own histogram mixes the two.
--
-- SESSIONS (written by bench.py): a first line `anon<TAB>cookie<TAB>csrf` (a signed-out
-- visitor's CSRF pair, for sign-ups), then one line per member: `cookie<TAB>address<TAB>
-- csrf<TAB>thread<TAB>group<TAB>post,post,…` — their session and CSRF cookies as one
-- Cookie header, the client address they log in from (X-Forwarded-For, believed from
-- 127.0.0.1 by the server bench.py starts), the CSRF token their forms carry, and a
-- thread of one of their groups with some of its replies to react to.
-- STATE: how many reactions each member has made so far (their next reaction is to a
-- reply and kind not yet reacted with), read at the start and rewritten at the end, so
-- bench.py can count the reactions a run must have stored. TAG: unique per run, for new
-- accounts' addresses.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long sec; long nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.sec) * 1000000 + tonumber(ts.nsec) / 1000
end

local MIX = { thread = 30, group = 30, home = 30, reply = 4, react = 4, signup = 2 }
local KINDS = { "thread", "group", "home", "reply", "react", "signup" }
local WRITES = { reply = true, react = true, signup = true }
local REACTIONS = { "support", "me_too", "thank_you" }
local FORM = "application/x-www-form-urlencoded"
local REPLY = "Thank+you+for+sharing+this.+It+helps+to+hear+from+someone+who+has+been+through+it."
-- Strong enough for the sign-up's password rule; the same for every new account.
local PASSWORD = "violet-harbour-tangent-58"

-- Latencies go into histograms of 1 % wide buckets (bucket b holds 1.01^b to 1.01^(b+1)
-- microseconds; 2 000 reach past 400 s), reads' then writes'. Each thread keeps its
-- counts in memory of its own (FFI), and done() reads them there by address: wrk's
-- thread:get() copies numbers and strings between its Lua states soundly, but a table
-- copy leaves the thread's Lua stack one short (a crash at the end of some runs).
local BUCKETS = 2000
local LOG_STEP = math.log(1.01)
local NKINDS = #KINDS
local KIND_INDEX = {}
for i, k in ipairs(KINDS) do KIND_INDEX[k] = i - 1 end

local function bucket(us)
  if us < 1 then return 0 end
  return math.min(BUCKETS - 1, math.floor(math.log(us) / LOG_STEP))
end

local function address(cdata)
  return tonumber(ffi.cast("uintptr_t", cdata))
end

local function split(s, sep)
  local out = {}
  for part in (s .. sep):gmatch("(.-)" .. sep) do
    out[#out + 1] = part
  end
  return out
end

-- The main state: the threads, for done().
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

-- Each thread's state from here to response(): its share of the members (every N-th).
function init(args)
  local sessions_path, nthreads
  sessions_path, state_path, nthreads, tag = args[1], args[2], tonumber(args[3]), args[4]
  local made = {}
  local state = io.open(state_path, "r")
  if state then
    for line in state:lines() do
      local i, n = line:match("^(%d+) (%d+)$")
      if i then made[tonumber(i)] = tonumber(n) end
    end
    state:close()
  end
  sessions, reacted = {}, {}
  local i = 0
  for line in io.lines(sessions_path) do
    local field = split(line, "\t")
    if field[1] == "anon" then
      anon = { cookie = field[2], csrf = field[3] }
    else
      if i % nthreads == tid then
        sessions[#sessions + 1] = { index = i, cookie = field[1], xff = field[2], csrf = field[3],
          thread = field[4], group = field[5], posts = split(field[6], ",") }
        reacted[i] = made[i] or 0
      end
      i = i + 1
    end
  end
  assert(#sessions > 0, "fewer sessions than wrk threads")
  deck = {}
  for _, k in ipairs(KINDS) do
    for _ = 1, MIX[k] do deck[#deck + 1] = k end
  end
  math.randomseed(tid * 7919 + 17)
  for j = #deck, 2, -1 do
    local r = math.random(j)
    deck[j], deck[r] = deck[r], deck[j]
  end
  slot, turn, signups, first_error = math.random(#deck) - 1, 0, 0, ""
  -- What done() reads: the histograms, sent and failed counts per kind, the longest
  -- read and write, and each member's line number with the reactions they have made.
  hist = ffi.new("uint32_t[?]", 2 * BUCKETS)
  tally = ffi.new("uint32_t[?]", 2 * NKINDS)
  longest = ffi.new("double[2]")
  -- Time spent answering each kind, in microseconds: with the tally, each kind's mean, so
  -- a soak can tell which page (or write) a change in throughput comes from.
  spent = ffi.new("double[?]", NKINDS)
  made_by = ffi.new("uint32_t[?]", 2 * #sessions)
  hist_at, tally_at, longest_at, spent_at, made_at, members = address(hist), address(tally), address(longest),
    address(spent), address(made_by), #sessions
  for j, s in ipairs(sessions) do
    made_by[2 * (j - 1)], made_by[2 * (j - 1) + 1] = s.index, reacted[s.index]
    s.slot = j - 1
  end
end

local function get(path, s)
  return wrk.format("GET", path, { ["Cookie"] = s.cookie, ["X-Forwarded-For"] = s.xff })
end

local function post(path, s, body)
  return wrk.format("POST", path, { ["Cookie"] = s.cookie, ["X-Forwarded-For"] = s.xff, ["Content-Type"] = FORM },
    "csrf=" .. s.csrf .. "&" .. body)
end

function request()
  slot = slot % #deck + 1
  turn = turn % #sessions + 1
  local kind, s = deck[slot], sessions[turn]
  local req
  if kind == "thread" then
    req = get("/threads/" .. s.thread, s)
  elseif kind == "group" then
    req = get("/groups/" .. s.group, s)
  elseif kind == "home" then
    req = get("/", s)
  elseif kind == "reply" then
    req = post("/threads/" .. s.thread .. "/replies", s, "body=" .. REPLY)
  elseif kind == "react" then
    -- Reaction k of this member: each of their replies in turn, then the next kind.
    local k, n = reacted[s.index], #s.posts
    local target, with = s.posts[k % n + 1], REACTIONS[math.floor(k / n) % #REACTIONS + 1]
    req = post("/threads/" .. s.thread .. "/react", s,
      "target_type=reply&target_id=" .. target .. "&react=" .. with .. ":1")
  else
    -- A visitor joining, from an address of their own (sign-ups are limited per address).
    signups = signups + 1
    local who = string.format("%s-%x-%x", tag, tid, signups)
    local body = "csrf=" .. anon.csrf .. "&email=joiner-" .. who .. "%40bench.example.org&display_name=Joiner+" .. who
      .. "&member_type=patient&password=" .. PASSWORD
    req = wrk.format("POST", "/signup", { ["Cookie"] = anon.cookie, ["Content-Type"] = FORM,
      ["X-Forwarded-For"] = string.format("fd00::%s:%x:%x", tag, tid, signups) }, body)
  end
  pending = { kind = kind, s = s, t0 = now_us() }
  -- A plain string beside it, for done() (see above on what wrk copies soundly).
  pending_kind = kind
  return req
end

function response(status, headers, body)
  local p = pending
  if not p then return end
  pending, pending_kind = nil, nil
  local us = now_us() - p.t0
  local k = p.kind
  local ki, w = KIND_INDEX[k], WRITES[k] and 1 or 0
  tally[ki] = tally[ki] + 1
  spent[ki] = spent[ki] + us
  local ok
  if k == "reply" or k == "react" then
    ok = status == 303
  elseif k == "signup" then
    ok = status == 200 and body:find("Check your e-mail", 1, true) ~= nil
  else
    ok = status == 200
  end
  if ok and k == "react" then
    reacted[p.s.index] = reacted[p.s.index] + 1
    made_by[2 * p.s.slot + 1] = reacted[p.s.index]
  elseif not ok then
    tally[NKINDS + ki] = tally[NKINDS + ki] + 1
    if first_error == "" then first_error = k .. " answered " .. status end
  end
  local b = w * BUCKETS + bucket(us)
  hist[b] = hist[b] + 1
  if us > longest[w] then longest[w] = us end
end

-- p50, p90, p99 (each the upper edge of its bucket, so at most 1 % high) and the
-- longest, in milliseconds, of histogram `h` from `from`.
local function stats(h, from, longest_us)
  local n = 0
  for j = 0, BUCKETS - 1 do n = n + h[from + j] end
  local function at(q)
    local want, seen = math.max(1, math.ceil(q * n)), 0
    for j = 0, BUCKETS - 1 do
      seen = seen + h[from + j]
      if seen >= want then return math.min(1.01 ^ (j + 1), longest_us) / 1000 end
    end
    return 0
  end
  if n == 0 then return '{"n": 0, "p50": 0, "p90": 0, "p99": 0, "max": 0}' end
  return string.format('{"n": %d, "p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}', n, at(0.5), at(0.9),
    at(0.99), longest_us / 1000)
end

local function counts(t, format)
  local parts = {}
  for _, k in ipairs(KINDS) do parts[#parts + 1] = string.format('"%s": ' .. (format or "%d"), k, t[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  -- in_flight: requests sent and not answered when wrk stopped (one a connection at most);
  -- the server may or may not have done them.
  local h, longest_us, sent, bad, in_flight, made, first = {}, { 0, 0 }, {}, {}, {}, {}, ""
  local spent_us, mean_ms = {}, {}
  for j = 0, 2 * BUCKETS - 1 do h[j] = 0 end
  for _, k in ipairs(KINDS) do sent[k], bad[k], in_flight[k], spent_us[k] = 0, 0, 0, 0 end
  for _, t in ipairs(threads) do
    local th = ffi.cast("uint32_t *", t:get("hist_at"))
    for j = 0, 2 * BUCKETS - 1 do h[j] = h[j] + th[j] end
    local tt = ffi.cast("uint32_t *", t:get("tally_at"))
    for i, k in ipairs(KINDS) do
      sent[k], bad[k] = sent[k] + tt[i - 1], bad[k] + tt[NKINDS + i - 1]
    end
    local ts = ffi.cast("double *", t:get("spent_at"))
    for i, k in ipairs(KINDS) do spent_us[k] = spent_us[k] + ts[i - 1] end
    local tl = ffi.cast("double *", t:get("longest_at"))
    longest_us[1], longest_us[2] = math.max(longest_us[1], tl[0]), math.max(longest_us[2], tl[1])
    local tm = ffi.cast("uint32_t *", t:get("made_at"))
    for j = 0, t:get("members") - 1 do made[tm[2 * j]] = tm[2 * j + 1] end
    local p = t:get("pending_kind")
    if p then in_flight[p] = in_flight[p] + 1 end
    if first == "" then first = t:get("first_error") end
  end
  for _, k in ipairs(KINDS) do mean_ms[k] = sent[k] > 0 and spent_us[k] / sent[k] / 1000 or 0 end
  local f = assert(io.open(threads[1]:get("state_path"), "w"))
  for i, n in pairs(made) do f:write(i, " ", n, "\n") end
  f:close()
  io.write(string.format('MIXED {"reads": %s, "writes": %s, "sent": %s, "bad": %s, "in_flight": %s, '
    .. '"mean_ms": %s, "first_error": "%s"}\n', stats(h, 0, longest_us[1]), stats(h, BUCKETS, longest_us[2]),
    counts(sent), counts(bad), counts(in_flight), counts(mean_ms, "%.3f"), first))
end
