// Support at the right moment, end to end: a newly diagnosed member marks the moment,
// sees resources and people for it on the home page and the been-there page, and asks
// for support; a volunteer who has been through it (the demo admin) sees the request
// and accepts; both land in the same conversation. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const NOTE = "I was diagnosed last week and I do not know where to start.";

async function logOut(page) {
  await page.click("header button:has-text('Log out')");
}

/** The member marks the moment, sees what fits it, and asks; returns nothing. */
async function memberMarksAndAsks(page) {
  await env.logIn(page, "member@demo.example.org", { label: "log-in" });
  await env.visit(page, "/moments", "the member's moments");
  await page.check("#f-now-new_diagnosis-0");
  await page.click("button:has-text('Save my moments')");
  await page.waitForSelector("text=Your moments are saved.");
  await assertAccessible(page, "the saved moments");
  await env.visit(page, "/", "the home page at a moment");
  await page.waitForSelector("h2:has-text('For your moment: A new diagnosis')");
  const home = await page.textContent("main");
  assert.match(home, /has been there/, "people who have been there are on the home page");
  await page.click("main a:has-text('Everyone who has been there')");
  await page.waitForSelector("h2:has-text('Been through: A new diagnosis')");
  await assertAccessible(page, "the been-there page");
  assert.match(await page.textContent("main"), /Demo Admin/, "the volunteer is listed");
  await page.click("main a:has-text('Ask for support with this moment')");
  await page.waitForSelector("h2:has-text('Ask for support')");
  await assertAccessible(page, "the support page");
  await page.fill("#f-note", "   ");
  await page.click("button:has-text('Ask for support')");
  await page.waitForSelector(".error-summary");
  await assertAccessible(page, "the support form with its mistake");
  await page.fill("#f-note", NOTE);
  await page.click("button:has-text('Ask for support')");
  await page.waitForSelector("text=Your request is on its way");
  await assertAccessible(page, "the request on its way");
  await logOut(page);
}

/** The volunteer accepts from the support page; returns the conversation's path. */
async function volunteerAccepts(page) {
  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, "/support", "the volunteer's support page");
  assert.match(await page.textContent("main"), new RegExp(NOTE));
  await page.click("button:has-text('Accept and write to them')");
  await page.waitForURL(/\/messages\//);
  await assertAccessible(page, "the conversation, for the volunteer");
  const path = new URL(page.url()).pathname;
  await env.visit(page, "/admin/moments", "the staff's moment tags");
  await logOut(page);
  return path;
}

test("a newly diagnosed member asks for support and a volunteer who has been there answers", async () => {
  const watched = await watchedPage(env.browser);
  const { page } = watched;
  await memberMarksAndAsks(page);
  const conversation = await volunteerAccepts(page);

  await env.logIn(page, "member@demo.example.org");
  await env.visit(page, "/support", "the member's requests, accepted");
  await page.click("main a:has-text('open the conversation')");
  await page.waitForURL(/\/messages\//);
  assert.equal(new URL(page.url()).pathname, conversation, "both are in the same conversation");
  assert.match(await page.textContent("main"), /I have been through this moment too/);
  await assertAccessible(page, "the conversation, for the member");
  await page.goBack();
  await page.click("main a:has-text('details')");
  await page.waitForSelector("legend:has-text('Did it help?')");
  await assertAccessible(page, "the request's check-in");
  await closeWatched(watched, "the moments journey");
});
