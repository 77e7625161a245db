// Rewards and the staff desks: a member redeems points, staff fulfil the request;
// axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

test("a member redeems points and staff fulfil the request from their desk", async () => {
  const watched = await watchedPage(env.browser);
  const { page } = watched;
  await env.visit(page, "/rewards", "rewards (anonymous)");

  await env.logIn(page, "member@demo.example.org");
  await env.visit(page, "/rewards", "rewards catalogue");
  const before = Number(await page.textContent(".balance strong"));
  assert.ok(before >= 60, `the demo member can afford the cheapest reward (has ${before})`);
  await page.click("button:has-text('Redeem Thank-you card pack')");
  await page.waitForSelector("text=Your request is in.");
  await assertAccessible(page, "my redemptions");
  assert.ok((await page.locator(".card:has-text('Thank-you card pack') >> text=pending").count()) > 0);
  await env.visit(page, "/rewards/history", "my points");
  assert.ok((await page.textContent("main")).includes("Redeemed: Thank-you card pack"));
  await env.visit(page, "/rewards/earn", "how to earn");
  await env.visit(page, "/rewards/leaderboard", "leaderboard");
  await page.click("header button:has-text('Log out')");

  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, "/admin/rewards", "staff rewards desk");
  const card = page.locator(".card", { hasText: "Thank-you card pack" }).first();
  await card.locator("input[name=note]").first().fill("Posted first class");
  await card.locator("button:has-text('Fulfil')").click();
  await page.waitForSelector("h1:has-text('Rewards (staff)')");
  await env.visit(page, "/admin/members", "staff accounts");

  await closeWatched(watched);
});
