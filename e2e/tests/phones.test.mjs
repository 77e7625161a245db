// Phones (issue 20): every page, the staff console included, fits a 320 px wide screen
// without sideways scrolling, which is also what a 1280 px window shows at 400 % zoom
// (WCAG 1.4.10, reflow) and more than a phone at 200 % needs. Signed in as the demo
// member and as the demo admin, each page is checked for its width and by axe-core.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, closeWatched, useServerAndBrowser } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const WIDTH = 320;

const VISITOR_PAGES = ["/", "/login", "/signup", "/privacy"];

const MEMBER_PAGES = [
  "/",
  "/members",
  "/groups",
  "/events",
  "/opportunities",
  "/learn",
  "/rewards",
  "/rewards/history",
  "/rewards/leaderboard",
  "/notifications",
  "/messages",
  "/settings/profile",
  "/settings/account",
  "/settings/data",
];

const STAFF_PAGES = [
  "/admin",
  "/admin/analytics",
  "/admin/audit",
  "/admin/members",
  "/admin/rewards",
  "/moderation",
  "/admin/courses",
  "/admin/resources",
  "/admin/surveys",
  "/admin/opportunities",
  "/admin/awards",
  "/admin/newsletter",
  "/admin/articles",
];

/** A page sized like a small phone, failing on script errors like the harness's. */
async function phone() {
  const context = await env.browser.newContext({ viewport: { width: WIDTH, height: 640 }, isMobile: true });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  return { page, context, problems };
}

/** What sticks out past the right edge, to name in the failure. */
async function overflowing(page) {
  return page.evaluate((width) => {
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 0.5 && r.width > 0) {
        const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().replace(/\s+/g, ".") : ""}`;
        out.push(`${name} (right edge ${Math.round(r.right)} px)`);
      }
    }
    return out.slice(0, 8);
  }, WIDTH);
}

async function checkPages(page, paths, who) {
  const wide = [];
  for (const path of paths) {
    const response = await page.goto(`${env.server.base}${path}`);
    assert.ok(response.status() < 400, `${who}: ${path} answers (${response.status()})`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > WIDTH) wide.push(`${path}: ${scrollWidth} px wide; ${(await overflowing(page)).join(", ")}`);
    await assertAccessible(page, `${path} on a phone (${who})`);
  }
  assert.deepEqual(wide, [], `${who}: pages wider than a ${WIDTH} px screen`);
}

test("every page fits a 320 px wide screen, for a visitor, a member and staff", async () => {
  const watched = await phone();
  const { page } = watched;
  await checkPages(page, VISITOR_PAGES, "visitor");

  await env.logIn(page, "member@demo.example.org");
  await checkPages(page, MEMBER_PAGES, "member");
  await page.goto(`${env.server.base}/groups`);
  const group = await page.locator("main a[href^='/groups/']").first().getAttribute("href");
  const event = await (async () => {
    await page.goto(`${env.server.base}/events`);
    return page.locator("main a[href^='/events/']").first().getAttribute("href");
  })();
  await checkPages(page, [group, event].filter(Boolean), "member");
  await page.context().clearCookies();

  await env.logIn(page, "admin@demo.example.org");
  await checkPages(page, STAFF_PAGES, "staff");
  await closeWatched(watched, "phone");
});

test("the navigation on a phone is one line until opened", async () => {
  const watched = await phone();
  const { page } = watched;
  await env.logIn(page, "member@demo.example.org");
  const header = await page.locator(".site-header").boundingBox();
  assert.ok(header.height < 640 / 3, `the header takes less than a third of the first screen (${header.height} px)`);
  await closeWatched(watched, "phone menu");
});
