// Community: a member joins an open group, starts a discussion and replies; the private
// Health Leaders group asks for screening answers. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  assertAccessible,
  closeWatched,
  reply,
  startDiscussion,
  useServerAndBrowser,
  watchedPage,
} from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

test("a member joins a group, starts a discussion and replies", async () => {
  const watched = await watchedPage(env.browser);
  const { page } = watched;
  await env.visit(page, "/groups", "groups (anonymous)");
  await page.click("a:has-text('Migraine')");
  await page.waitForSelector("h1:has-text('Migraine')");
  await assertAccessible(page, "open group teaser");

  await env.logIn(page, "member@demo.example.org");
  await env.openGroup(page, "Health Leaders");
  await assertAccessible(page, "private group (outside)");
  assert.equal(await page.locator(".card-title a").count(), 0, "no discussions shown to outsiders");

  await env.openGroup(page, "Caregivers");
  if (await page.locator("button:has-text('Join this group')").count()) {
    await page.click("button:has-text('Join this group')");
    await page.waitForSelector("text=You are now a member.");
  }
  await assertAccessible(page, "open group (member)");
  await startDiscussion(page, "Respite ideas that worked for you?", "Looking for **small** ideas to rest this month.");
  await assertAccessible(page, "thread");
  await reply(page, "Adding my own first idea: a weekly walk.", "Adding my own first idea");
  await assertAccessible(page, "thread with a reply");

  await env.visit(page, "/search?q=respite");
  await page.waitForSelector("h2:has-text('Discussions')");
  assert.ok((await page.locator(".card a:has-text('Respite ideas')").count()) > 0, "my discussion is found");
  await assertAccessible(page, "search");

  // Reporting someone else's post: a page of its own, with the mistake said by its field.
  await env.openGroup(page, "Migraine");
  await page.locator(".card-title a").first().click();
  await page.waitForSelector("h2#replies-h");
  await page.locator("a[href*='/report']").first().click();
  await page.waitForSelector("h1:has-text('Report')");
  await assertAccessible(page, "report a post");
  await page.fill("#f-note", "It reads like an advert.");
  await page.click("button:has-text('Send report')");
  await page.waitForSelector("#f-reason-error");
  assert.equal(await page.inputValue("#f-note"), "It reads like an advert.", "the note is kept");
  await assertAccessible(page, "report a post (refused)");
  await page.check("input[name=reason][value=spam]");
  await page.click("button:has-text('Send report')");
  await page.waitForSelector("text=The moderators will look at your report.");
  await assertAccessible(page, "report sent");

  for (const [path, heading] of [
    ["/messages", "Messages"],
    ["/notifications", "Notifications"],
  ]) {
    await env.visit(page, path);
    await page.waitForSelector(`h1:has-text('${heading}')`);
    await assertAccessible(page, heading.toLowerCase());
  }

  await closeWatched(watched);
});
