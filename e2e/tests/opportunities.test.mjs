// Paid opportunities, end to end: a member finds a campaign they are eligible for and
// applies; staff shortlist and select them; the member hands in a post without the
// disclosure (flagged), fixes it (passes); staff approve and mark it paid; the payout is
// in the CSV. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const CAMPAIGN = "Asthma Awareness Week: share your routine";

async function logIn(page, email) {
  await page.goto(`${env.server.base}/login`);
  await page.fill("#f-email", email);
  await page.fill("#f-password", "demo-health-leader");
  await page.click("main button:has-text('Log in')");
  await page.waitForSelector("h1:has-text('Welcome back')");
}

async function logOut(page) {
  await page.click("header button:has-text('Log out')");
}

/** The member finds the campaign on their board and applies; returns their display name. */
async function memberApplies(page) {
  await logIn(page, "member@demo.example.org");
  const name = (await page.textContent("header .account a")).trim();
  await page.goto(`${env.server.base}/opportunities`);
  await assertAccessible(page, "the board, eligible for me");
  await page.click(`a:has-text('${CAMPAIGN}')`);
  await page.waitForSelector(`h1:has-text('${CAMPAIGN}')`);
  await assertAccessible(page, "the opportunity with its apply form");
  await page.fill("#answer-0", "I have lived with asthma for twenty years.");
  await page.fill("#answer-1", "On my blog and in my support group.");
  await page.click("main button:has-text('Apply')");
  await page.waitForSelector("text=Your application is in.");
  await assertAccessible(page, "the opportunity after applying");
  await page.goto(`${env.server.base}/opportunities?show=all`);
  await assertAccessible(page, "the board, all open with reasons");
  await page.goto(`${env.server.base}/opportunities?show=closed`);
  await assertAccessible(page, "the board, closed");
  await logOut(page);
  return name;
}

/** Staff open the campaign's screening page from their desk. */
async function openScreening(page) {
  await page.goto(`${env.server.base}/admin/opportunities`);
  await page.click(`a:has-text('${CAMPAIGN}')`);
  await page.waitForSelector(`h1:has-text('${CAMPAIGN}')`);
}

/** Moves `name`'s application with its own form. */
async function move(page, name, status) {
  const card = page.locator("section.card", { hasText: name });
  await card.locator("select[name=status]").selectOption(status);
  await card.locator("button:has-text('Move')").click();
  await page.waitForSelector(".notice");
}

async function staffShortlistAndSelect(page, name) {
  await logIn(page, "admin@demo.example.org");
  await page.goto(`${env.server.base}/admin/opportunities`);
  await assertAccessible(page, "the staff desk");
  await page.goto(`${env.server.base}/admin/opportunities/new`);
  await assertAccessible(page, "the form to post an opportunity");
  await openScreening(page);
  await assertAccessible(page, "the screening page");
  await page.locator("section.card", { hasText: name }).locator("input[name=applications]").check();
  await page.selectOption("#bulk-status", "shortlisted");
  await page.fill("#bulk-message", "Thank you, you are on our shortlist.");
  await page.click("button:has-text('Move the ticked applicants')");
  await page.waitForSelector("text=1 application(s) moved.");
  await assertAccessible(page, "the screening page after a bulk move");
  await move(page, name, "selected");
  assert.ok((await page.textContent(".notice")).includes("now selected"));
  await logOut(page);
}

async function memberHandsInAPost(page) {
  await logIn(page, "member@demo.example.org");
  await page.goto(`${env.server.base}/opportunities/mine`);
  await assertAccessible(page, "my applications");
  const card = page.locator("section.card", { hasText: CAMPAIGN });
  assert.ok((await card.textContent()).includes("Thank you, you are on our shortlist."), "the history shows the message");
  await card.locator("input[type=url]").fill("https://instagram.example.org/p/asthma-week");
  await card.locator("textarea").fill("My morning routine with asthma, and the inhaler that changed it.");
  await card.locator("button:has-text('Hand in')").click();
  await page.waitForSelector("text=the disclosure check failed");
  await assertAccessible(page, "my applications with a flagged post");
  const again = page.locator("section.card", { hasText: CAMPAIGN });
  await again.locator("input[type=url]").fill("https://instagram.example.org/p/asthma-week-2");
  await again.locator("textarea").fill("#ad My morning routine with asthma, and the inhaler that changed it.");
  await again.locator("button:has-text('Hand in')").click();
  await page.waitForSelector("text=its disclosure passed");
  await assertAccessible(page, "my applications with a passing post");
  await logOut(page);
}

async function staffApproveAndPay(page, name) {
  await logIn(page, "admin@demo.example.org");
  await openScreening(page);
  await move(page, name, "approved");
  const card = page.locator("section.card", { hasText: name });
  await card.locator("input[name=reference]").fill("BANK-2027-0042");
  await card.locator("button:has-text('Mark paid')").click();
  await page.waitForSelector("text=Marked paid");
  await assertAccessible(page, "the screening page after paying");
  await page.goto(`${env.server.base}/admin/opportunities/payouts`);
  await assertAccessible(page, "payouts and tax forms");
  assert.ok((await page.textContent("main")).includes("BANK-2027-0042"));
  const csv = await page.request.get(`${env.server.base}/admin/opportunities/payouts.csv`);
  assert.equal(csv.status(), 200);
  const line = (await csv.text()).split("\r\n").find((l) => l.includes("BANK-2027-0042"));
  assert.ok(line && line.includes(CAMPAIGN) && line.includes("paid"), `the payout is in the CSV: ${line}`);
}

test("a member applies, is selected, fixes a post's disclosure and is paid; the payout is in the CSV", async () => {
  const { page, context, problems } = await watchedPage(env.browser);
  const name = await memberApplies(page);
  await staffShortlistAndSelect(page, name);
  await memberHandsInAPost(page);
  await staffApproveAndPay(page, name);
  assert.deepEqual(problems, [], "no script errors or CSP reports");
  await context.close();
});
