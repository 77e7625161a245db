// Rewards and the staff desks: a member redeems points, staff fulfil the request;
// axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

async function logIn(page, email) {
  await page.goto(`${env.server.base}/login`);
  await page.fill("#f-email", email);
  await page.fill("#f-password", "demo-health-leader");
  await page.click("main button:has-text('Log in')");
  await page.waitForSelector("h1:has-text('Welcome back')");
}

test("a member redeems points and staff fulfil the request from their desk", async () => {
  const { page, context, problems } = await watchedPage(env.browser);
  await page.goto(`${env.server.base}/rewards`);
  await assertAccessible(page, "rewards (anonymous)");

  await logIn(page, "member@demo.example.org");
  await page.goto(`${env.server.base}/rewards`);
  await assertAccessible(page, "rewards catalogue");
  const before = Number(await page.textContent(".balance strong"));
  assert.ok(before >= 60, `the demo member can afford the cheapest reward (has ${before})`);
  await page.click("button:has-text('Redeem Thank-you card pack')");
  await page.waitForSelector("text=Your request is in.");
  await assertAccessible(page, "my redemptions");
  assert.ok((await page.locator(".card:has-text('Thank-you card pack') >> text=pending").count()) > 0);
  await page.goto(`${env.server.base}/rewards/history`);
  await assertAccessible(page, "my points");
  assert.ok((await page.textContent("main")).includes("Redeemed: Thank-you card pack"));
  await page.goto(`${env.server.base}/rewards/earn`);
  await assertAccessible(page, "how to earn");
  await page.goto(`${env.server.base}/rewards/leaderboard`);
  await assertAccessible(page, "leaderboard");
  await page.click("header button:has-text('Log out')");

  await logIn(page, "admin@demo.example.org");
  await page.goto(`${env.server.base}/admin/rewards`);
  await assertAccessible(page, "staff rewards desk");
  const card = page.locator(".card", { hasText: "Thank-you card pack" }).first();
  await card.locator("input[name=note]").first().fill("Posted first class");
  await card.locator("button:has-text('Fulfil')").click();
  await page.waitForSelector("h1:has-text('Rewards (staff)')");
  await page.goto(`${env.server.base}/admin/members`);
  await assertAccessible(page, "staff accounts");

  assert.deepEqual(problems, [], "no script errors or CSP reports");
  await context.close();
});
