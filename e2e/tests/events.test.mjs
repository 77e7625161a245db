// Events: a member finds a webinar, registers, downloads the calendar file, sees the
// join button in the window and finds the event among their own; axe on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

function localIn(minutes) {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 19);
}

test("a member registers for a webinar, gets its calendar file and the join button", async () => {
  // Staff schedule a webinar starting in ten minutes (through the API, as a script would).
  const token = await fetch(`${env.server.base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@demo.example.org", password: DEMO_PASSWORD }),
  }).then((r) => r.json());
  const created = await fetch(`${env.server.base}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token.token}` },
    body: JSON.stringify({
      kind: "webinar", title: "Advocacy in ten minutes", description: "A short **live** session.",
      starts_at: localIn(10), ends_at: localIn(70), time_zone: "UTC", capacity: 50,
      join_url: "https://meet.example.org/advocacy", audience: "members",
    }),
  });
  assert.equal(created.status, 201);
  const event = await created.json();

  const watched = await watchedPage(env.browser);
  const { page } = watched;
  await env.visit(page, "/events", "events (anonymous)");
  await env.logIn(page, "member@demo.example.org");

  await env.visit(page, "/events?kind=webinar", "events (member)");
  await page.click("a:has-text('Advocacy in ten minutes')");
  await page.waitForSelector("h1:has-text('Advocacy in ten minutes')");
  await assertAccessible(page, "event page");
  assert.equal(await page.locator("button:has-text('Join now')").count(), 0, "no join button before registering");
  await page.click("button:has-text('Register')");
  await page.waitForSelector("text=We have e-mailed you a calendar file.");
  await assertAccessible(page, "event page (registered)");
  assert.equal(await page.locator("button:has-text('Join now')").count(), 1, "the join button shows in the window");

  const ics = await page.request.get(`${env.server.base}/events/${event.id}.ics`);
  assert.equal(ics.status(), 200);
  assert.ok(ics.headers()["content-type"].startsWith("text/calendar"));
  const body = await ics.text();
  assert.ok(body.includes("BEGIN:VCALENDAR") && body.includes("SUMMARY:Advocacy in ten minutes"), body);

  await env.visit(page, "/events?mine=true", "my events");
  assert.ok((await page.locator(".card:has-text('Advocacy in ten minutes')").count()) > 0, "in my agenda");
  await env.visit(page, "/events/feed", "calendar feed");

  // Connexion: the agenda, a pick into my agenda, a speaker page.
  await env.visit(page, "/events");
  await page.click(".notice a");
  await page.waitForSelector("h2:has-text('Agenda')");
  await assertAccessible(page, "conference agenda");
  await page.locator("button:has-text('Add to my agenda')").first().click();
  await page.waitForSelector("text=Your agenda has been updated.");
  assert.ok((await page.locator("button:has-text('Remove from my agenda')").count()) === 1);
  await assertAccessible(page, "conference agenda (picked)");
  await page.locator(".agenda a[href^='/speakers/']").first().click();
  await page.waitForSelector("h2:has-text('Sessions')");
  await assertAccessible(page, "speaker page");

  await closeWatched(watched);
});
