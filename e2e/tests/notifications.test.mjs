// The private Health Leaders group end to end: a member applies with screening answers,
// a moderator approves, the member posts, the moderator replies with an @mention, and
// the member sees the unread count rise live (server-sent events), without reloading.
// axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

async function login(page, email) {
  await page.goto(`${env.server.base}/login`);
  await page.fill("#f-email", email);
  await page.fill("#f-password", "demo-health-leader");
  await page.click("main button:has-text('Log in')");
  await page.waitForSelector("h1:has-text('Welcome back')");
}

async function openGroup(page, name) {
  await page.goto(`${env.server.base}/groups`);
  await page.click(`main a:has-text('${name}')`);
  await page.waitForSelector(`h1:has-text('${name}')`);
}

test("apply, get approved, post, be mentioned, and see the notification arrive live", async () => {
  const member = await watchedPage(env.browser);
  const moderator = await watchedPage(env.browser);
  const a = member.page;
  const m = moderator.page;

  await login(a, "member@demo.example.org");
  const name = (await a.locator(".account a").first().textContent()).trim();
  await openGroup(a, "Health Leaders");
  await assertAccessible(a, "private group, asking to join");
  const answers = a.locator("textarea[name='answer']");
  for (let i = 0; i < (await answers.count()); i++) {
    await answers.nth(i).fill("I share my story to help others find care sooner.");
  }
  await a.click("button:has-text('Send my request')");
  await a.waitForSelector("text=Your request has been sent");
  await assertAccessible(a, "request sent");

  await login(m, "admin@demo.example.org");
  await openGroup(m, "Health Leaders");
  await m.waitForSelector(`#req-h`);
  await assertAccessible(m, "private group with requests (moderator)");
  await m.click(`button:has-text('Approve ${name}')`);
  await m.waitForSelector("text=Approved.");

  await openGroup(a, "Health Leaders");
  await a.fill("#t-title", "Hello from a new Health Leader");
  await a.fill("#t-body", "Glad to be here. What helped you start advocating?");
  await a.click("button:has-text('Post')");
  await a.waitForSelector("h1:has-text('Hello from a new Health Leader')");
  const threadUrl = a.url();

  // Start from nothing unread, then wait on the thread page.
  await a.goto(`${env.server.base}/notifications`);
  if (await a.locator("button:has-text('Mark all as read')").count()) {
    await a.click("button:has-text('Mark all as read')");
  }
  await assertAccessible(a, "notifications");
  await a.goto(threadUrl);
  const badge = a.locator("[data-unread-count]");
  await a.waitForFunction(() => typeof EventSource !== "undefined");
  assert.equal(await badge.isHidden(), true, "nothing unread yet");

  await m.goto(threadUrl);
  await m.fill("#r-body", `Welcome, @${name}! Start with what you know best.`);
  await m.click("button:has-text('Reply')");
  await m.waitForSelector("text=Start with what you know best");
  await assertAccessible(m, "thread with the moderator's reply");

  // No reload on the member's side: the count arrives over server-sent events.
  await badge.waitFor({ state: "visible", timeout: 20000 });
  assert.equal((await badge.textContent()).trim(), "1");
  await a.waitForFunction(() => document.getElementById("unread-live").textContent.includes("1 unread notification"));
  await assertAccessible(a, "thread with the live unread count");

  await a.goto(`${env.server.base}/notifications`);
  await a.waitForSelector(`text=mentioned you in`);
  await assertAccessible(a, "notifications with the mention");
  await a.click("a:has-text('mentioned you in')");
  await a.waitForSelector("text=Start with what you know best");

  await a.goto(`${env.server.base}/settings/notifications`);
  await a.waitForSelector("h1:has-text('Notification e-mails')");
  await assertAccessible(a, "notification e-mail settings");

  assert.deepEqual(member.problems, [], "no script errors or CSP reports (member)");
  assert.deepEqual(moderator.problems, [], "no script errors or CSP reports (moderator)");
  await member.context.close();
  await moderator.context.close();
});
