// The Social Health Awards: a member nominates a peer, others endorse, staff accept the
// nomination and move the phase on (the finalists are drawn), a judge scores, staff
// lock, the ceremony time passes (for real: the ceremony event is moved to seconds
// from now before the lock, and the test waits) and the winner appears in the
// hall of fame and on their profile. axe-core on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const YEAR = new Date().getUTCFullYear() + 1;

function utcIn(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19);
}

async function api(method, path, token, body) {
  const r = await fetch(`${env.server.base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

async function tokenFor(email) {
  const r = await api("POST", "/api/v1/auth/token", null, { email, password: DEMO_PASSWORD });
  assert.equal(r.status, 200);
  return r.json.token;
}

test("a nomination runs to a winner shown from the ceremony on", async () => {
  // Staff set the year up as a script would: the ceremony (an event) and the programme.
  const admin = await tokenFor("admin@demo.example.org");
  const ceremony = await api("POST", "/api/v1/events", admin, {
    kind: "webinar", title: `Social Health Awards ${YEAR} ceremony`, description: "The winners.",
    starts_at: utcIn(3600), ends_at: utcIn(7200), time_zone: "UTC", capacity: null,
    join_url: "https://meet.example.org/awards", audience: "members",
  });
  assert.equal(ceremony.status, 201);
  const created = await api("POST", "/api/v1/admin/awards", admin, {
    year: YEAR, categories: [{ name: "Patient Leader" }], criteria: [{ name: "Impact", weight: 2 }, { name: "Reach", weight: 1 }],
    finalists_per_category: 1, ceremony_event_id: ceremony.json.id,
  });
  assert.equal(created.status, 201);
  const me = await api("GET", "/api/v1/me", await tokenFor("member@demo.example.org"));
  const staffMe = await api("GET", "/api/v1/me", admin);

  // The member finds a peer in the directory and nominates them.
  const member = await watchedPage(env.browser);
  const m = member.page;
  await env.logIn(m, "member@demo.example.org");
  await env.visit(m, "/members", "member directory");
  const hrefs = await m.locator("main a[href^='/members/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const peer = hrefs.map((h) => h.split("/")[2]).find((id) => /^[0-9a-f-]{36}$/.test(id) && id !== me.json.id && id !== staffMe.json.id);
  assert.ok(peer, "a peer to nominate");
  await env.visit(m, `/awards/${YEAR}`, "the year's page");
  await m.click("main a:has-text('Nominate someone')");
  await m.waitForSelector("h1:has-text('Nominate someone')");
  await env.visit(m, `/awards/${YEAR}/nominate?member=${peer}`, "nomination form");
  const peerName = await m.textContent("main form strong");
  await m.selectOption("#f-category_id", { label: "Patient Leader" });
  await m.click("button:has-text('Send the nomination')");
  await m.waitForSelector(".error-summary");
  await assertAccessible(m, "nomination form with an error");
  await m.fill("#f-statement", "Runs our support circle and never misses a week.");
  await m.click("button:has-text('Send the nomination')");
  await m.waitForSelector("h1:has-text('Thank you')");
  await assertAccessible(m, "nomination received");

  // Staff accept it in the screening queue and open the endorsements.
  const staff = await watchedPage(env.browser);
  const s = staff.page;
  await env.logIn(s, "admin@demo.example.org");
  await env.visit(s, "/admin", "staff console");
  await s.click("main a[href='/admin/awards']");
  await s.waitForSelector("h1:has-text('Awards (staff)')");
  await assertAccessible(s, "awards desk");
  await s.click(`main a[href='/admin/awards/${YEAR}']`);
  await s.waitForSelector(`h1:has-text('Social Health Awards ${YEAR} (staff)')`);
  await assertAccessible(s, "programme page (staff)");
  await s.check(`input[name=nominee_ids] >> nth=0`);
  await s.check("#d-accepted");
  await s.click("button:has-text('Record the decision')");
  await s.waitForSelector("text=1 nominee(s) accepted.");
  await assertAccessible(s, "programme page after screening");
  await s.selectOption("#f-phase", "endorsements");
  await s.click("button:has-text('Change phase')");
  await s.waitForSelector("p:has-text('Now: Endorsements open')");

  // Others endorse: the member and a staff member, each from the nominee's page.
  for (const [p, who] of [[m, "member"], [s, "staff"]]) {
    await env.visit(p, `/awards/${YEAR}`);
    await p.click(`main a:has-text('${peerName}')`);
    await p.waitForSelector(`h1:has-text('${peerName}')`);
    await p.click(`button:has-text('Endorse ${peerName}')`);
    await p.waitForSelector("text=your endorsement is counted");
    await assertAccessible(p, `nominee page endorsed (${who})`);
  }
  assert.ok((await s.textContent("main")).includes("2 endorsements"));

  // Judging opens: the finalist is drawn; the member is assigned as a judge and scores.
  await env.visit(s, `/admin/awards/${YEAR}`);
  await s.selectOption("#f-phase", "judging");
  await s.click("button:has-text('Change phase')");
  await s.waitForSelector("p:has-text('Now: Judging')");
  assert.ok((await s.textContent("main")).includes("accepted, finalist"), "the nominee is a finalist");
  await s.fill("#f-member_id", me.json.id);
  await s.check("input[name=category_ids] >> nth=0");
  await s.click("button:has-text('Assign')");
  await s.waitForSelector("text=assigned 1 finalist(s) to judge");
  await assertAccessible(s, "programme page after assigning a judge");

  await env.visit(m, "/judging", "judging");
  const fields = m.locator("main input[type=number]");
  await fields.nth(0).fill("12");
  await fields.nth(1).fill("7");
  await m.click(`button:has-text('Save scores for ${peerName}')`);
  await m.waitForSelector(".error-summary");
  await assertAccessible(m, "judging with an error");
  assert.equal(await fields.nth(1).inputValue(), "7", "what was typed is kept");
  await fields.nth(0).fill("9");
  await m.click(`button:has-text('Save scores for ${peerName}')`);
  await m.waitForSelector(`text=Your scores for ${peerName} are saved.`);
  await assertAccessible(m, "judging saved");

  // The ceremony is moved to a few seconds from now; staff lock the winners.
  const moved = await api("PATCH", `/api/v1/events/${ceremony.json.id}`, admin, {
    starts_at: utcIn(15), ends_at: utcIn(3600), time_zone: "UTC",
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  await env.visit(s, `/admin/awards/${YEAR}`);
  assert.ok((await s.textContent("main")).includes("/ 0.00"), "the standings show the normalised figure");
  await s.click("button:has-text('Lock the winners')");
  await s.waitForSelector("text=Winners locked (1)");
  await assertAccessible(s, "programme page locked");

  // Before the ceremony nobody else sees the winner; after it, everyone does.
  await env.visit(m, "/awards/hall-of-fame", "hall of fame (before)");
  assert.equal(await m.locator(`h2:has-text('${YEAR}')`).count(), 0, "no winner before the ceremony");
  await env.visit(m, `/members/${peer}`, "winner's profile (before)");
  assert.ok(!(await m.textContent("main")).includes(`Winner — Social Health Awards ${YEAR}`));
  const deadline = Date.now() + 45_000;
  for (;;) {
    await env.visit(m, "/awards/hall-of-fame");
    if ((await m.locator(`h2:has-text('${YEAR}')`).count()) > 0) break;
    assert.ok(Date.now() < deadline, "the winner appears once the ceremony starts");
    await new Promise((r) => setTimeout(r, 1000));
  }
  await assertAccessible(m, "hall of fame (after)");
  assert.ok((await m.textContent(`section:has(h2:has-text('${YEAR}'))`)).includes(peerName));
  await env.visit(m, `/members/${peer}`, "winner's profile (after)");
  assert.ok((await m.textContent("main")).includes(`Winner — Social Health Awards ${YEAR}`));

  await closeWatched(member, "member");
  await closeWatched(staff, "staff");
});
