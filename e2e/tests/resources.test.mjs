// Advocacy resources, end to end: a visitor finds the learning hub, this month's
// collection, the archive and the library with its filters, and opens a resource; staff
// add a resource (first with mistakes, shown beside each field), upload its file, and
// put it into this month's collection in the editor. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const month = new Date().toISOString().slice(0, 7);

async function visitorBrowses(page) {
  await env.visit(page, "/learn", "the learning hub");
  await page.click("main a:has-text('Resources for')");
  await page.waitForSelector("h1:has-text('Resources for')");
  await assertAccessible(page, "this month's collection");
  await env.visit(page, "/resources/collections", "the archive of months");
  await env.visit(page, "/resources", "the library");
  await page.selectOption("#f-topic", "storytelling");
  await page.click("main button:has-text('Show')");
  await page.waitForURL(/topic=storytelling/);
  await assertAccessible(page, "the library filtered by topic");
  await page.click("main .card-title a >> nth=0");
  await page.waitForSelector("article h1");
  await assertAccessible(page, "a resource");
  await env.visit(page, "/resources?topic=knitting", "the library with a bad filter");
  assert.ok((await page.textContent("main")).includes("There is no such topic"));
}

async function staffAddAResource(page) {
  await env.logIn(page, "admin@demo.example.org");
  await env.visit(page, "/admin/resources", "the staff library");
  await page.click("main a:has-text('Add a resource')");
  await page.waitForSelector("h1:has-text('Add a resource')");
  await assertAccessible(page, "the new resource form");
  await page.fill("#f-title", "Browser-made checklist");
  await page.selectOption("#f-status", "published");
  await page.click("main form[action='/admin/resources/new'] button:has-text('Save')");
  await page.waitForSelector(".error-summary");
  await assertAccessible(page, "the form with its mistakes");
  assert.equal(await page.inputValue("#f-title"), "Browser-made checklist", "what was typed is kept");
  await page.selectOption("#f-kind", "checklist");
  await page.selectOption("#f-status", "draft");
  await page.click("main form[action='/admin/resources/new'] button:has-text('Save')");
  await page.waitForSelector("h1:has-text('Edit a resource')");
  await page.setInputFiles("#f-file", { name: "checklist.txt", mimeType: "text/plain", buffer: Buffer.from("1. Breathe\n2. Speak\n") });
  await page.click("main button:has-text('Upload')");
  await page.waitForSelector("text=Current file");
  await assertAccessible(page, "the edit form with its file");
  await page.selectOption("#f-status", "published");
  await page.click("main form[action$='/edit'] button:has-text('Save')");
  await page.waitForSelector("text=Current file");
}

async function staffEditTheMonth(page) {
  await env.visit(page, "/admin/resources/collections", "the monthly collections");
  await page.click(`main a[href='/admin/resources/collections/${month}']`);
  await page.waitForSelector("h1:has-text('(staff)')");
  await assertAccessible(page, "the collection editor");
  const option = page.locator("#f-add option", { hasText: "Browser-made checklist" });
  await page.selectOption("#f-add", await option.getAttribute("value"));
  await page.click("main button:has-text('Save the month')");
  await page.waitForSelector("td:has-text('Browser-made checklist')");
  await assertAccessible(page, "the editor after adding");
  await env.visit(page, `/resources/collections/${month}`, "the month with the new resource");
  assert.ok((await page.textContent("main")).includes("Browser-made checklist"));
}

test("a visitor browses this month's resources and the library; staff add one with its file to the month", async () => {
  const { page, context, problems } = await watchedPage(env.browser);
  await visitorBrowses(page);
  await staffAddAResource(page);
  await staffEditTheMonth(page);
  assert.deepEqual(problems, [], "no script errors or CSP reports");
  await context.close();
});
