// The staff console, by keyboard only (issue 20): the demo admin signs in and, through
// the console's forms, creates a private group with a screening question, a webinar in
// another time zone, and a conference with its awards ceremony session. Each form first
// gets bad input and must show the errors beside the fields, with a summary at the top,
// keeping what was typed. Only keyboard events drive the pages (Tab, typing, arrows,
// Space, Enter); axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, assertAccessible, closeWatched, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });

/** Presses Tab until the focused element matches `selector` (at most 200 times). */
async function tabTo(page, selector) {
  for (let i = 0; i < 200; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()}`);
}

/** Tabs to a field and types into it, replacing what it held. */
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text);
}

/** Tabs into a group of radio buttons and moves with the arrow keys to `value`. */
async function choose(page, name, value) {
  await tabTo(page, `input[type=radio][name="${name}"]`);
  for (let i = 0; i < 10; i++) {
    const at = await page.evaluate(() => document.activeElement.value);
    if (at === value) {
      await page.keyboard.press("Space");
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`no ${name} radio button with the value ${value}`);
}

/** Tabs to the element matching `selector` whose text is `text` and presses Enter; waits for the next page. */
async function activate(page, selector, text) {
  for (let i = 0; i < 300; i++) {
    const here = await page.evaluate(
      ([s, t]) => (document.activeElement?.matches(s) ?? false) && document.activeElement.textContent.trim() === t,
      [selector, text],
    );
    if (here) {
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      return;
    }
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached the ${selector} "${text}" on ${page.url()}`);
}

/** The form came back with errors: the summary links each bad field, whose message is beside it. */
async function showsErrors(page, fields, label) {
  await page.waitForSelector(".error-summary");
  for (const f of fields) {
    assert.ok(await page.$(`.error-summary a[href="#f-${f}"]`), `the summary links ${f}`);
    assert.ok(await page.$(`#f-${f}-error`), `the message is beside ${f}`);
  }
  await assertAccessible(page, label);
}

async function value(page, selector) {
  return page.$eval(selector, (el) => el.value);
}

test("staff run groups, events and the conference from the console by keyboard", async () => {
  const watched = await watchedPage(env.browser);
  const { page } = watched;
  await env.visit(page, "/login", "log-in");
  await typeInto(page, "#f-email", "admin@demo.example.org");
  await typeInto(page, "#f-password", DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await env.visit(page, "/admin", "the console");
  await activate(page, "main a", "Groups");
  await assertAccessible(page, "the groups in the console");
  await activate(page, "main a", "Create a group");
  await assertAccessible(page, "the new group form");

  // A private group with a screening question, first without a name.
  await choose(page, "visibility", "private");
  await typeInto(page, "#f-screening", "What brings you to the group?");
  await activate(page, "main button", "Save the group");
  await showsErrors(page, ["name"], "the group form with its mistake");
  assert.equal(await value(page, "#f-screening"), "What brings you to the group?", "the question is kept");
  assert.equal(await page.$eval("#f-visibility-private", (el) => el.checked), true, "the kind is kept");
  await typeInto(page, "#f-name", "Carers of people with lupus");
  await activate(page, "main button", "Save the group");
  await page.waitForSelector("h1:has-text('Group: Carers of people with lupus')");
  await assertAccessible(page, "the group's console page");
  assert.equal(await value(page, "#f-screening"), "What brings you to the group?");

  // A webinar in New York's time, first with a time that is not one and seats that are not a number.
  await env.visit(page, "/admin", "the console again");
  await activate(page, "main a", "Events");
  await assertAccessible(page, "the events in the console");
  await activate(page, "main a", "Schedule an event");
  await assertAccessible(page, "the new event form");
  await typeInto(page, "#f-title", "Lupus and the heat of summer");
  await typeInto(page, "#f-time_zone", "America/New_York");
  await typeInto(page, "#f-starts_at", "soon");
  await typeInto(page, "#f-ends_at", "2027-07-01T13:00");
  await typeInto(page, "#f-capacity", "lots");
  await typeInto(page, "#f-speakers", "host | Dr Rosa Park | Rheumatologist");
  await activate(page, "main button", "Save the event");
  await showsErrors(page, ["capacity"], "the event form with its mistakes");
  assert.equal(await value(page, "#f-title"), "Lupus and the heat of summer", "the title is kept");
  assert.equal(await value(page, "#f-capacity"), "lots", "the bad number is kept to be corrected");
  await typeInto(page, "#f-capacity", "80");
  await activate(page, "main button", "Save the event");
  await showsErrors(page, ["starts_at"], "the event form with its time mistake");
  assert.equal(await value(page, "#f-starts_at"), "soon");
  assert.equal(await value(page, "#f-time_zone"), "America/New_York");
  await typeInto(page, "#f-starts_at", "2027-07-01T12:00");
  await activate(page, "main button", "Save the event");
  await page.waitForSelector("h1:has-text('Event: Lupus and the heat of summer')");
  await assertAccessible(page, "the event's console page");
  assert.equal(await value(page, "#f-starts_at"), "2027-07-01T12:00:00", "kept in the event's own time");
  await env.visit(page, "/admin/events", "the events with the new webinar");
  assert.ok(
    await page.$("td:has-text('Thursday 1 July 2027, 12:00 EDT (America/New_York)')"),
    "stored as noon in New York's summer time",
  );

  // A conference, first with its days the wrong way round, then its ceremony session.
  await env.visit(page, "/admin", "the console once more");
  await activate(page, "main a", "Conferences");
  await assertAccessible(page, "the conferences in the console");
  await activate(page, "main a", "Create a conference");
  await assertAccessible(page, "the new conference form");
  await typeInto(page, "#f-name", "Connexion 2027");
  await typeInto(page, "#f-year", "2027");
  await typeInto(page, "#f-starts_on", "2027-09-21");
  await typeInto(page, "#f-ends_on", "2027-09-20");
  await typeInto(page, "#f-tracks", "Research\nAdvocacy");
  await typeInto(page, "#f-ticket_types", "In person | 250\nOnline");
  await activate(page, "main button", "Create the conference");
  await showsErrors(page, ["ends_on"], "the conference form with its mistake");
  assert.equal(await value(page, "#f-tracks"), "Research\nAdvocacy", "the tracks are kept");
  await typeInto(page, "#f-starts_on", "2027-09-20");
  await typeInto(page, "#f-ends_on", "2027-09-21");
  await activate(page, "main button", "Create the conference");
  await page.waitForSelector("h1:has-text('Connexion 2027')");
  await assertAccessible(page, "the conference's console page");
  await activate(page, "main a", "Add the awards ceremony session");
  await assertAccessible(page, "the ceremony session form");
  assert.equal(await page.$eval("#f-awards_ceremony", (el) => el.checked), true);
  await typeInto(page, "#f-title", "The Social Health Awards");
  await typeInto(page, "#f-starts_at", "2027-09-21T18:00");
  await typeInto(page, "#f-ends_at", "2027-09-21T17:00");
  await activate(page, "main button", "Save the event");
  await showsErrors(page, ["ends_at"], "the session form with its mistake");
  assert.equal(await page.$eval("#f-awards_ceremony", (el) => el.checked), true, "still the ceremony");
  await typeInto(page, "#f-ends_at", "2027-09-21T19:30");
  await typeInto(page, "#f-track", "Advocacy");
  await activate(page, "main button", "Save the event");
  await page.waitForSelector("h1:has-text('Connexion 2027')");
  await page.waitForSelector("li:has-text('The Social Health Awards')");
  assert.ok(await page.$("li:has-text('the awards ceremony')"), "the ceremony is marked on the agenda");
  await assertAccessible(page, "the conference with its ceremony");
  await closeWatched(watched, "staff");
});
