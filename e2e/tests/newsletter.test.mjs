// The weekly newsletter: an editor opens this week's draft, edits the intro, previews it
// as a member, and schedules it; a member finds a past issue in the archive and changes
// what they receive. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

/** A date-time input's value three days from now (UTC). */
function inThreeDays() {
  return new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString().slice(0, 16);
}

test("an editor edits, previews and schedules the draft; a member reads the archive and changes preferences", async () => {
  const watched = await watchedPage(env.browser);
  const { page } = watched;

  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, "/admin/newsletter", "the newsletter desk");
  await page.locator("tr:has-text('draft') a").first().click();
  await page.waitForSelector("h1:has-text('The Health Leader, week')");
  await assertAccessible(page, "the draft");

  await page.fill("#f-intro", "Hello from the e2e editor. **Welcome** to this week's issue.");
  await page.click("button:has-text('Save the draft')");
  await page.waitForSelector("text=The draft is saved.");
  await assertAccessible(page, "the saved draft");

  await page.fill("#f-email", "member@demo.example.org");
  await page.click("button:has-text('Preview')");
  await page.waitForSelector("h1:has-text('Preview: week')");
  await assertAccessible(page, "the preview as a member");
  assert.ok((await page.textContent("main")).includes("Hello from the e2e editor."), "the new intro is in the preview");
  await page.click("a:has-text('Back to the issue')");
  await page.waitForSelector("h2:has-text('Schedule')");

  await page.fill("#f-send_at", "2020-01-01T08:00");
  await page.click("button:has-text('Schedule')");
  await page.waitForSelector("text=Choose a time in the future");
  await assertAccessible(page, "a refused schedule");
  await page.fill("#f-send_at", inThreeDays());
  await page.click("button:has-text('Schedule')");
  await page.waitForSelector("text=The issue is scheduled.");
  await assertAccessible(page, "the scheduled issue");
  await page.click("header button:has-text('Log out')");

  await env.logIn(page, "member@demo.example.org");
  await env.visit(page, "/newsletters", "the archive");
  await page.locator("main li a").first().click();
  await page.waitForSelector("h1:has-text('Past issue')");
  await assertAccessible(page, "a past issue");
  await page.click("a:has-text('Choose what you receive')");
  await page.waitForSelector("h1:has-text('Newsletter preferences')");
  await assertAccessible(page, "the preferences");
  await page.uncheck("#f-monthly_resources");
  await page.check("#f-topic-caregiving");
  await page.click("button:has-text('Save preferences')");
  await page.waitForSelector("text=Your preferences are saved");
  await assertAccessible(page, "the saved preferences");
  assert.equal(await page.isChecked("#f-topic-caregiving"), true);
  assert.equal(await page.isChecked("#f-monthly_resources"), false);

  await closeWatched(watched);
});
