// Articles, end to end: a member writes an article and sends it to the editors; an
// editor comments on a paragraph and asks for a change; the member sees the comment,
// revises and resubmits; the editor publishes it; it has its public page and appears in
// the Atom feed. axe-core runs on every page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, useServerAndBrowser, watchedPage } from "./harness.mjs";

const env = useServerAndBrowser({ before, after });
const TITLE = "Learning to pace myself with long COVID";

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

async function memberWritesAndSubmits(page) {
  await logIn(page, "member@demo.example.org");
  await page.goto(`${env.server.base}/articles`);
  await assertAccessible(page, "the published articles");
  await page.click("main a:has-text('Write an article')");
  await page.waitForSelector("h1:has-text('Write an article')");
  await assertAccessible(page, "the new article form");
  await page.fill("#f-body", "The first months were the hardest.");
  await page.click("main button:has-text('Save')");
  await page.waitForSelector("text=There is a problem");
  assert.equal(await page.inputValue("#f-body"), "The first months were the hardest.", "the text typed is kept");
  await assertAccessible(page, "the new article form with an error");
  await page.fill("#f-title", TITLE);
  await page.fill("#f-body", "The first months were the hardest.\n\nI learned to rest before I was tired.\n\nNow I plan each week around three good days.");
  await page.click("main button:has-text('Save')");
  await page.waitForSelector("text=Your article is saved.");
  await assertAccessible(page, "the article editor");
  await page.click("main button:has-text('Save and send to the editors')");
  await page.waitForSelector("text=Your article was sent to the editors.");
  await assertAccessible(page, "the editor after submitting");
  await page.goto(`${env.server.base}/articles/mine`);
  await assertAccessible(page, "my articles");
  assert.ok((await page.textContent("main")).includes("Submitted"));
  await logOut(page);
}

async function openReview(page) {
  await page.goto(`${env.server.base}/admin/articles`);
  await page.click(`main a:has-text('${TITLE}')`);
  await page.waitForSelector(`h1:has-text('Review: ${TITLE}')`);
}

async function editorRequestsAChange(page) {
  await logIn(page, "admin@demo.example.org");
  await page.goto(`${env.server.base}/admin/articles`);
  await assertAccessible(page, "the editorial queue");
  await openReview(page);
  await assertAccessible(page, "the review page");
  await page.selectOption("#f-paragraph", "2");
  await page.fill("#f-body", "Could you say what resting looks like for you?");
  await page.click("main button:has-text('Add the comment')");
  await page.waitForSelector("#p-2 .comment");
  await page.selectOption("#f-status", "changes_requested");
  await page.fill("#f-comment", "Lovely. One change, see paragraph 2.");
  await page.click("main button:has-text('Change the status')");
  await page.waitForSelector("text=Status: Changes requested");
  await assertAccessible(page, "the review page after asking for a change");
  await logOut(page);
}

async function memberRevisesAndResubmits(page) {
  await logIn(page, "member@demo.example.org");
  await page.goto(`${env.server.base}/articles/mine`);
  await page.locator("tr", { hasText: TITLE }).locator("a:has-text('Edit')").click();
  await page.waitForSelector("h2:has-text('From the editors')");
  const comments = await page.textContent("main");
  assert.ok(comments.includes("On paragraph 2") && comments.includes("what resting looks like"), "the inline comment");
  assert.ok(comments.includes("Lovely. One change"), "the note with the change request");
  await assertAccessible(page, "the editor with the editors' comments");
  await page.fill("#f-body", "The first months were the hardest.\n\nI learned to rest before I was tired: lying down in a dark room, phone in another.\n\nNow I plan each week around three good days.");
  await page.click("main button:has-text('Save and send to the editors')");
  await page.waitForSelector("text=Your article was sent to the editors.");
  await logOut(page);
}

async function editorPublishes(page) {
  await logIn(page, "admin@demo.example.org");
  await openReview(page);
  await page.selectOption("#f-status", "published");
  await page.click("main button:has-text('Change the status')");
  await page.waitForSelector("text=Status: Published");
  await page.click("main a:has-text('See the page')");
  await page.waitForSelector(`h1:has-text('${TITLE}')`);
  await assertAccessible(page, "the published article");
  assert.ok((await page.textContent("main")).includes("About the author"));
  const og = await page.getAttribute("meta[property='og:title']", "content");
  assert.equal(og, TITLE, "Open Graph title");
  const feed = await page.request.get(`${env.server.base}/articles/feed.atom`);
  assert.equal(feed.status(), 200);
  assert.ok((await feed.text()).includes(`<title>${TITLE}</title>`), "the article is in the feed");
  await page.goto(`${env.server.base}/articles`);
  assert.ok((await page.textContent("main")).includes(TITLE), "and in the list");
}

test("a member writes an article, an editor asks for a change, the member revises, it is published and in the feed", async () => {
  const { page, context, problems } = await watchedPage(env.browser);
  await memberWritesAndSubmits(page);
  await editorRequestsAChange(page);
  await memberRevisesAndResubmits(page);
  await editorPublishes(page);
  assert.deepEqual(problems, [], "no script errors or CSP reports");
  await context.close();
});
