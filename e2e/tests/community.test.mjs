// Community: a member joins an open group, starts a discussion and replies; the private
// Health Leaders group asks for screening answers. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

test("a member joins a group, starts a discussion and replies", async () => {
  const { page, context, problems } = await watchedPage(env.browser);
  await page.goto(`${env.server.base}/groups`);
  await assertAccessible(page, "groups (anonymous)");
  await page.click("a:has-text('Migraine')");
  await page.waitForSelector("h1:has-text('Migraine')");
  await assertAccessible(page, "open group teaser");

  await page.goto(`${env.server.base}/login`);
  await page.fill("#f-email", "member@demo.example.org");
  await page.fill("#f-password", "demo-health-leader");
  await page.click("main button:has-text('Log in')");
  await page.waitForSelector("h1:has-text('Welcome back')");

  await page.goto(`${env.server.base}/groups`);
  await page.click("a:has-text('Health Leaders')");
  await page.waitForSelector("h1:has-text('Health Leaders')");
  await assertAccessible(page, "private group (outside)");
  assert.equal(await page.locator(".card-title a").count(), 0, "no discussions shown to outsiders");

  await page.goto(`${env.server.base}/groups`);
  await page.click("a:has-text('Caregivers')");
  await page.waitForSelector("h1:has-text('Caregivers')");
  if (await page.locator("button:has-text('Join this group')").count()) {
    await page.click("button:has-text('Join this group')");
    await page.waitForSelector("text=You are now a member.");
  }
  await assertAccessible(page, "open group (member)");
  await page.fill("#t-title", "Respite ideas that worked for you?");
  await page.fill("#t-body", "Looking for **small** ideas to rest this month.");
  await page.click("button:has-text('Post')");
  await page.waitForSelector("h1:has-text('Respite ideas that worked for you?')");
  await assertAccessible(page, "thread");
  await page.fill("#r-body", "Adding my own first idea: a weekly walk.");
  await page.click("button:has-text('Reply')");
  await page.waitForSelector("text=Adding my own first idea");
  await assertAccessible(page, "thread with a reply");

  await page.goto(`${env.server.base}/search?q=respite`);
  await page.waitForSelector("h2:has-text('Discussions')");
  assert.ok((await page.locator(".card a:has-text('Respite ideas')").count()) > 0, "my discussion is found");
  await assertAccessible(page, "search");

  await page.goto(`${env.server.base}/messages`);
  await page.waitForSelector("h1:has-text('Messages')");
  await assertAccessible(page, "messages");

  await page.goto(`${env.server.base}/notifications`);
  await page.waitForSelector("h1:has-text('Notifications')");
  await assertAccessible(page, "notifications");

  assert.deepEqual(problems, [], "no script errors or CSP reports");
  await context.close();
});
