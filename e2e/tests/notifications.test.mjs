// The private Health Leaders group end to end: a member applies with screening answers,
// a moderator approves, the member posts, the moderator replies with an @mention, and
// the member sees the unread count rise live (server-sent events), without reloading.
// axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, reply, startDiscussion, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

test("apply, get approved, post, be mentioned, and see the notification arrive live", async () => {
  const member = await watchedPage(env.browser);
  const moderator = await watchedPage(env.browser);
  const a = member.page;
  const m = moderator.page;

  await env.logIn(a, "member@demo.example.org");
  const name = (await a.locator(".account a").first().textContent()).trim();
  await env.openGroup(a, "Health Leaders");
  await assertAccessible(a, "private group, asking to join");
  const answers = a.locator("textarea[name='answer']");
  for (let i = 0; i < (await answers.count()); i++) {
    await answers.nth(i).fill("I share my story to help others find care sooner.");
  }
  await a.click("button:has-text('Send my request')");
  await a.waitForSelector("text=Your request has been sent");
  await assertAccessible(a, "request sent");

  await env.logIn(m, "admin@demo.example.org");
  await env.openGroup(m, "Health Leaders");
  await m.waitForSelector(`#req-h`);
  await assertAccessible(m, "private group with requests (moderator)");
  await m.click(`button:has-text('Approve ${name}')`);
  await m.waitForSelector("text=Approved.");

  await env.openGroup(a, "Health Leaders");
  await startDiscussion(a, "Hello from a new Health Leader", "Glad to be here. What helped you start advocating?");
  const threadUrl = a.url();

  // Start from nothing unread, then wait on the thread page.
  await env.visit(a, "/notifications");
  if (await a.locator("button:has-text('Mark all as read')").count()) {
    await a.click("button:has-text('Mark all as read')");
  }
  await assertAccessible(a, "notifications");
  await a.goto(threadUrl);
  // The badge in the row of links a wide screen shows (phones get the same in the menu).
  const badge = a.locator("nav.wide-only [data-unread-count]");
  await a.waitForFunction(() => typeof EventSource !== "undefined");
  assert.equal(await badge.isHidden(), true, "nothing unread yet");

  await m.goto(threadUrl);
  await reply(m, `Welcome, @${name}! Start with what you know best.`, "Start with what you know best");
  await assertAccessible(m, "thread with the moderator's reply");

  // No reload on the member's side: the count arrives over server-sent events.
  await badge.waitFor({ state: "visible", timeout: 20000 });
  assert.equal((await badge.textContent()).trim(), "1");
  await a.waitForFunction(() => document.getElementById("unread-live").textContent.includes("1 unread notification"));
  await assertAccessible(a, "thread with the live unread count");

  await env.visit(a, "/notifications");
  await a.waitForSelector(`text=mentioned you in`);
  await assertAccessible(a, "notifications with the mention");
  await a.click("a:has-text('mentioned you in')");
  await a.waitForSelector("text=Start with what you know best");

  await env.visit(a, "/settings/notifications");
  await a.waitForSelector("h1:has-text('Notification e-mails')");
  await assertAccessible(a, "notification e-mail settings");

  await closeWatched(member, "member");
  await closeWatched(moderator, "moderator");
});
