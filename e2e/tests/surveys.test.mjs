// Insight surveys, end to end: staff build a survey with a quota and an incentive in the
// builder, preview and publish it; the member takes it on a phone-sized (375 px) screen,
// after the consent step, page by page, and earns the points; staff read the charts
// with their tables and the cross-tab; the partner's contact reads the results with
// small cells suppressed. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, assertAccessible, useServerAndBrowser } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const TITLE = "Living with asthma at work";
const DEMO_SURVEY = "Where do you find support?";

/** A page that fails the test on script errors or CSP reports, `width` pixels wide. */
async function watched(width) {
  const context = await env.browser.newContext(width ? { viewport: { width, height: 800 } } : {});
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) problems.push(`CSP: ${m.text()}`);
  });
  return { page, context, problems };
}

async function logOut(page) {
  await page.click("header button:has-text('Log out')");
}

/** Staff build the survey in the builder, with a mistake first; returns its id. */
async function staffBuildAndPublish(page) {
  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, "/admin/surveys", "the staff's surveys");
  await page.click("a:has-text('Build a survey')");
  await page.waitForSelector("h1:has-text('Build a survey')");
  await assertAccessible(page, "the survey builder");
  await page.fill("#f-q0-text", "Does asthma affect your work?");
  await page.fill("#f-q0-options", "Yes");
  await page.click("button:has-text('Save the draft')");
  await page.waitForSelector(".error-summary");
  await assertAccessible(page, "the builder with its mistakes beside the fields");
  await page.fill("#f-title", TITLE);
  await page.fill("#f-q0-options", "Yes\nNo");
  await page.check("#f-q0-required");
  await page.fill("#f-q0-section", "Work");
  await page.fill("#f-q1-text", "How well does your employer support you?");
  await page.selectOption("#f-q1-kind", "scale");
  await page.fill("#f-q1-section", "Support");
  await page.fill("#f-q2-text", "What would help?");
  await page.selectOption("#f-q2-kind", "text");
  await page.fill("#f-q2-section", "Support");
  await page.fill("#f-quota-caregiver", "50");
  await page.fill("#f-quota-patient", "100");
  await page.fill("#f-incentive", "80");
  await page.selectOption("#f-partner_id", { label: "BreatheWell Foundation" });
  await page.click("button:has-text('Save the draft')");
  await page.waitForSelector("h2:has-text('Preview')");
  await assertAccessible(page, "the draft with its preview");
  await page.click("button:has-text('Publish')");
  await page.waitForSelector("text=Published: members it is for can answer it now");
  await assertAccessible(page, "the published survey");
  const id = page.url().split("/admin/surveys/")[1].split(/[/?#]/)[0];
  await logOut(page);
  return id;
}

/** The member, on a 375 px screen, consents and answers page by page. */
async function memberTakesIt(page) {
  await env.logIn(page, "member@demo.example.org", { label: "log-in on a phone" });
  await env.visit(page, "/surveys", "the member's surveys");
  await page.click(`main a:has-text('${TITLE}')`);
  await page.waitForSelector("text=I agree to take part");
  await assertAccessible(page, "the consent step");
  await page.check("#f-agree");
  await page.click("button:has-text('Start the survey')");
  await page.waitForSelector("text=Page 1 of 2");
  await assertAccessible(page, "the survey's first page");
  await page.click("button:has-text('Next')");
  await page.waitForSelector(".error-summary");
  await assertAccessible(page, "the first page with the required answer missing");
  // By keyboard: focus the first option and choose it with the space bar.
  await page.focus("fieldset input[value=Yes]");
  await page.keyboard.press("Space");
  await page.click("button:has-text('Next')");
  await page.waitForSelector("text=Page 2 of 2");
  await assertAccessible(page, "the survey's second page");
  await page.check("fieldset.scale input[value='7']");
  await page.fill("main input[type=text][name^=a-]", "Flexible hours on bad days.");
  await page.click("button:has-text('Send my answers')");
  await page.waitForSelector("text=80 points are on their way");
  await assertAccessible(page, "the thank-you");
  // The worker credits the points from the outbox shortly after.
  const deadline = Date.now() + 20_000;
  let history = "";
  while (Date.now() < deadline && !history.includes(TITLE)) {
    await env.visit(page, "/rewards/history");
    history = await page.textContent("main");
    if (!history.includes(TITLE)) await page.waitForTimeout(500);
  }
  assert.ok(history.includes("Survey incentive") && history.includes(TITLE), "the incentive is in the history");
  await assertAccessible(page, "the points history with the incentive");
  await env.visit(page, "/surveys/consent", "research consent with its history");
  await logOut(page);
}

/** Staff read the results: charts with tables, a cross-tab, the partner's preview. */
async function staffReadResults(page, id) {
  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, `/admin/surveys/${id}/results`, "the new survey's results");
  assert.ok((await page.textContent("main")).includes("1 (100.0%)"), "the member's answer is counted");
  await env.visit(page, "/admin/surveys", undefined);
  await page.click(`tr:has-text('${DEMO_SURVEY}') a:has-text('Results')`);
  await page.waitForSelector("svg[role=img]");
  await assertAccessible(page, "the demo survey's charts");
  await page.selectOption("#f-by", "country");
  await page.click("button:has-text('Show')");
  await page.waitForSelector("table.crosstab");
  await assertAccessible(page, "a cross-tab by country");
  await page.click("a:has-text('See what a partner sees')");
  await page.waitForSelector("text=suppressed");
  await assertAccessible(page, "the partner's view, previewed by staff");
  await page.goto(`${env.server.base}/admin/surveys`);
  await page.click(`a:has-text('${TITLE}')`);
  await page.click("a:has-text('Review quotes')");
  await page.waitForSelector("text=Flexible hours on bad days.");
  await assertAccessible(page, "quotes to review");
  await page.click("button:has-text('Approve as a quote')");
  await page.waitForSelector("text=Approved: partners see it as a quote");
  await logOut(page);
}

/** Staff make the demo member BreatheWell's contact (through the API); they read its results. */
async function partnerReadsResults(page, id) {
  const token = async (email) => {
    const r = await page.request.post(`${env.server.base}/api/v1/auth/token`, { data: { email, password: DEMO_PASSWORD } });
    return (await r.json()).token;
  };
  const admin = { Authorization: `Bearer ${await token("admin@demo.example.org")}` };
  const member = { Authorization: `Bearer ${await token("member@demo.example.org")}` };
  const me = await (await page.request.get(`${env.server.base}/api/v1/me`, { headers: member })).json();
  const survey = await (await page.request.get(`${env.server.base}/api/v1/surveys/${id}`, { headers: admin })).json();
  const r = await page.request.post(`${env.server.base}/api/v1/admin/partners/${survey.partner_id}/contacts`, {
    headers: admin,
    data: { member_id: me.id },
  });
  assert.equal(r.status(), 204, "the member becomes BreatheWell's contact");
  await env.logIn(page, "member@demo.example.org");
  await env.visit(page, "/partner/surveys", "the partner's surveys");
  await page.click(`main a:has-text('${DEMO_SURVEY}')`);
  await page.waitForSelector("svg[role=img]");
  await assertAccessible(page, "the partner's results");
  const text = await page.textContent("main");
  assert.ok(text.includes("suppressed"), "small cells are suppressed");
  await page.selectOption("#f-by", "country");
  await page.click("button:has-text('Show')");
  await page.waitForSelector("table.crosstab");
  await assertAccessible(page, "the partner's cross-tab by country");
  const iceland = await page.textContent("table.crosstab tr:has(th:text-is('IS'))");
  assert.ok(!/\d+ \(/.test(iceland), `a country of a few shows no counts: ${iceland}`);
  await env.visit(page, `/partner/surveys/${id}`, "the new survey, for its partner");
  assert.ok((await page.textContent("main")).includes("Flexible hours on bad days."), "the approved quote");
}

test("staff build and publish a survey with a quota; a member takes it on a phone and earns points; staff and the partner read the results", async () => {
  const staff = await watched();
  const id = await staffBuildAndPublish(staff.page);
  const phone = await watched(375);
  await memberTakesIt(phone.page);
  await staffReadResults(staff.page, id);
  await partnerReadsResults(staff.page, id);
  assert.deepEqual([...staff.problems, ...phone.problems], [], "no script errors or CSP reports");
  await staff.context.close();
  await phone.context.close();
});
