// The member journey: sign up → verify from the e-mail → log in → build a profile with
// members-only conditions → found in the directory by another member, not by an
// anonymous visitor. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, linkFromMail, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

test("a new member signs up, verifies, builds a private profile and is found only by members", async () => {
  const email = `journey-${Date.now()}@example.org`;
  const name = "Journey Tester";
  const password = "a long and sturdy passphrase";
  const watched = await watchedPage(env.browser);
  const { page } = watched;

  await env.visit(page, "/", "home (anonymous)");

  // Sign up, first with a mistake: errors are shown inline and input is kept.
  await env.visit(page, "/signup", "sign-up form");
  await page.fill("#f-email", email);
  await page.fill("#f-display_name", name);
  await page.check("#mt-patient");
  await page.fill("#f-password", "password");
  await page.click("button:has-text('Create my account')");
  await page.waitForSelector(".error-summary");
  assert.equal(await page.inputValue("#f-email"), email, "input kept after an error");
  await assertAccessible(page, "sign-up form with errors");
  await page.fill("#f-password", password);
  await page.click("button:has-text('Create my account')");
  await page.waitForSelector("h1:has-text('Check your e-mail')");
  await assertAccessible(page, "check your e-mail");

  // Verify from the e-mailed link.
  const link = await linkFromMail(env.server.dataDir, email, "/verify?token=");
  await page.goto(link);
  await assertAccessible(page, "verify");
  await page.click("button:has-text('Confirm my e-mail address')");
  await page.waitForSelector("h1:has-text('Your e-mail address is confirmed')");
  await assertAccessible(page, "verified");

  // Log in.
  await env.logIn(page, email, { password, welcome: `Welcome back, ${name}`, label: "log in" });
  await assertAccessible(page, "home (signed in)");

  // Build the profile with conditions visible to members only.
  await env.visit(page, "/settings/profile", "profile settings");
  await page.fill("#f-display_name", name);
  await page.fill("#f-pronouns", "they/them");
  await page.fill("#f-story", "I live with **migraine** and help others plan around bad days.");
  await page.check("label:has-text('Migraine') >> xpath=preceding-sibling::input");
  await page.fill("#f-country", "GB");
  await page.fill("#f-region", "Wales");
  await page.check("#vis-conditions-members");
  await page.check("#vis-location-public");
  await page.click("button:has-text('Save profile')");
  await page.waitForSelector("text=Your profile has been saved.");
  await assertAccessible(page, "profile saved");
  assert.ok(await page.isChecked("#vis-conditions-members"));
  const profileUrl = await page.getAttribute("a:has-text('See your profile as others see it')", "href");

  // Log out; as an anonymous visitor the members-only condition does not find them.
  await page.click("header button:has-text('Log out')");
  await page.waitForSelector("header a:has-text('Log in')");
  await env.visit(page, "/members");
  await page.selectOption("#condition", { label: "Migraine" });
  await page.click("button:has-text('Search')");
  await page.waitForSelector("h1:has-text('Find Health Leaders')");
  await assertAccessible(page, "directory (anonymous)");
  assert.ok((await page.locator(".card h3 a").count()) > 0, "visitors do find members who share Migraine publicly");
  assert.equal(await page.locator(`.card h3 a:has-text('${name}')`).count(), 0, "not found by an anonymous visitor");
  // They are hidden only from the condition search: by name a visitor still finds them.
  await env.visit(page, "/members");
  await page.fill("#q", "Journey");
  await page.click("button:has-text('Search')");
  await page.waitForSelector(`.card h3 a:has-text('${name}')`);
  await env.visit(page, profileUrl);
  await page.waitForSelector(`h1:has-text('${name}')`);
  assert.ok(!(await page.locator("main").innerText()).includes("Migraine"), "condition hidden on the public profile");
  await assertAccessible(page, "profile (anonymous)");

  // Another member finds them by condition and sees it on the profile.
  await env.logIn(page, "member@demo.example.org");
  await env.visit(page, "/members");
  await page.selectOption("#condition", { label: "Migraine" });
  await page.fill("#q", "Journey");
  await page.click("button:has-text('Search')");
  await page.waitForSelector(`.card h3 a:has-text('${name}')`);
  await assertAccessible(page, "directory (member)");
  await page.click(`.card h3 a:has-text('${name}')`);
  await page.waitForSelector(`h1:has-text('${name}')`);
  assert.ok((await page.locator(".tags li:has-text('Migraine')").count()) > 0, "members see the condition");
  await assertAccessible(page, "profile (member)");

  await closeWatched(watched);
});
