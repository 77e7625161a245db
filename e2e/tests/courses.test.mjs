// Courses, end to end: the demo member enrols in the cohort course, completes its
// lessons and passes the quiz, opens the certificate (a visitor verifies it too), shows
// the credential on their profile; staff open the course builder. axe-core runs on every
// page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const COURSE = "Speaking to decision-makers";

/** The member enrols from the catalogue and completes each lesson in turn. */
async function enrolAndTakeLessons(page) {
  await env.visit(page, "/courses", "the course catalogue");
  await page.click(`main a:has-text('${COURSE}')`);
  await page.waitForSelector(`h1:has-text('${COURSE}')`);
  await assertAccessible(page, "the course page before enrolling");
  await page.click("main button:has-text('Enrol in this course')");
  await page.waitForSelector("text=You are enrolled.");
  await assertAccessible(page, "the course page after enrolling");
  await page.click("main ol a >> nth=0");
  for (const lesson of ["Know your audience", "Three minutes, one ask"]) {
    await page.waitForSelector(`h1:has-text('${lesson}')`);
    await assertAccessible(page, `the lesson ${lesson}`);
    await page.click("main button:has-text('Mark complete')");
  }
  await page.waitForSelector("text=2 of 2 lessons done");
  await assertAccessible(page, "the course page with the lessons done");
}

/** The member passes the quiz and opens the certificate; its address. */
async function passQuizAndOpenCertificate(page, name) {
  await page.click("main a:has-text('Take the quiz')");
  await page.waitForSelector("h1:has-text('Quiz')");
  await assertAccessible(page, "the quiz");
  await page.check("main label:has-text('One')");
  await page.click("main button:has-text('Submit answers')");
  await page.waitForSelector("text=You passed");
  await assertAccessible(page, "the quiz result with explanations");
  await page.click("main a:has-text('Open your certificate')");
  await page.waitForSelector("h1:has-text('Certificate of completion')");
  await assertAccessible(page, "the certificate");
  const text = await page.textContent("main");
  assert.ok(text.includes(name) && text.includes(COURSE), `the certificate names the member and course: ${text}`);
  return page.url();
}

/** The member shows the credential and finds it on their profile. */
async function showOnProfile(page) {
  await env.visit(page, "/courses/credentials", "my certificates and credentials");
  const card = page.locator("li.card", { hasText: COURSE });
  await card.locator("button:has-text('Show it on my profile')").click();
  await page.waitForSelector("text=Shown on your profile.");
  await assertAccessible(page, "my credentials after choosing to show one");
  await page.click("main a:has-text('your profile')");
  await page.waitForSelector(`main a:has-text('${COURSE}')`);
  await assertAccessible(page, "the profile with the credential");
}

test("a member enrols, completes the lessons and the quiz, opens the certificate and shows the credential", async () => {
  const member = await watchedPage(env.browser);
  const { page } = member;
  await env.logIn(page, "member@demo.example.org");
  const name = (await page.textContent("header .account a")).trim();
  await enrolAndTakeLessons(page);
  const certificate = await passQuizAndOpenCertificate(page, name);
  await showOnProfile(page);
  await closeWatched(member, "member");

  const visitor = await watchedPage(env.browser);
  await visitor.page.goto(certificate);
  await assertAccessible(visitor.page, "the certificate to a visitor");
  assert.ok((await visitor.page.textContent("main")).includes(name), "a visitor verifies who completed it");
  const missing = await visitor.page.goto(`${env.server.base}/certificates/madeupcode`);
  assert.equal(missing.status(), 404);
  await closeWatched(visitor, "visitor");

  const staff = await watchedPage(env.browser);
  await env.logIn(staff.page, "admin@demo.example.org");
  await env.visit(staff.page, "/admin/courses", "the course builder's list");
  await staff.page.click(`main a:has-text('${COURSE}')`);
  await staff.page.waitForSelector(`h1:has-text('Edit: ${COURSE}')`);
  await assertAccessible(staff.page, "the course builder");
  await staff.page.click("main ol a >> nth=0");
  await staff.page.waitForSelector("h1:has-text('Edit lesson')");
  await assertAccessible(staff.page, "the lesson editor");
  await closeWatched(staff, "staff");
});
