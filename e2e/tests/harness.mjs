// Shared pieces of the browser journeys: a real `shn serve` on a free port with a fresh
// data folder, Debian's Chromium, and axe-core on every page.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
export const SHN_BIN = process.env.SHN_BIN || resolve(here, "../../target/debug/shn");

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Starts `shn serve --demo` on a fresh data folder; resolves when it is ready. */
export async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), "shn-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(SHN_BIN, ["serve", "--demo"], {
    env: { ...process.env, SHN_DATA_DIR: dataDir, SHN_BIND: `127.0.0.1:${port}`, SHN_BASE_URL: base, SHN_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((r) => child.once("exit", r));
  const giveUp = async (why) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${why}:\n${output}`);
  };
  // /readyz rather than /healthz: it also waits for the database and migrations.
  const deadline = Date.now() + 60_000;
  for (let ready = false; !ready; ) {
    if (child.exitCode !== null || child.signalCode !== null) await giveUp("shn exited early");
    if (Date.now() > deadline) await giveUp("shn was not ready within 60 s");
    try {
      ready = (await fetch(`${base}/readyz`)).ok;
    } catch {
      /* not listening yet */
    }
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const slow = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(slow);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The newest link on this site containing `path`, from the e-mails written to outbox/. */
export async function linkFromMail(dataDir, to, path) {
  const outbox = join(dataDir, "outbox");
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    let files = [];
    try {
      files = readdirSync(outbox).map((f) => join(outbox, f));
    } catch {
      /* no mail yet */
    }
    files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const f of files) {
      const raw = readFileSync(f, "utf8");
      if (!raw.includes(`To: ${to}`)) continue;
      const m = raw.match(new RegExp(`https?://[^\\s"<>]*${path.replace(/[?]/g, "\\?")}[^\\s"<>]*`));
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} with a ${path} link`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A page that fails the test on any script error or Content-Security-Policy report. */
export async function watchedPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) problems.push(`CSP: ${m.text()}`);
  });
  return { page, context, problems };
}

/** Runs axe-core on the current page and fails with a readable list of violations. */
export async function assertAccessible(page, label) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  const report = results.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`)
    .join("\n");
  assert.equal(results.violations.length, 0, `axe violations on ${label} (${page.url()}):\n${report}`);
}

/** The password of every demo login (`shn serve --demo` prints it). */
export const DEMO_PASSWORD = "demo-health-leader";

/**
 * Registers before/after hooks that start a server and a browser for a test file and
 * always clean up; returns an object whose `server` and `browser` are set once ready,
 * with the steps every journey takes on that server.
 */
export function useServerAndBrowser(hooks) {
  const env = {
    server: undefined,
    browser: undefined,

    /** Opens `path` on the server; with a `label`, runs axe-core on the page. */
    async visit(page, path, label) {
      await page.goto(`${env.server.base}${path}`);
      if (label) await assertAccessible(page, label);
    },

    /** Logs in through the form (checked by axe-core too when given a `label`). */
    async logIn(page, email, { password = DEMO_PASSWORD, welcome = "Welcome back", label } = {}) {
      await env.visit(page, "/login", label);
      await page.fill("#f-email", email);
      await page.fill("#f-password", password);
      await page.click("main button:has-text('Log in')");
      await page.waitForSelector(`h1:has-text('${welcome}')`);
    },

    /** Opens a group's page from the group list. */
    async openGroup(page, name) {
      await env.visit(page, "/groups");
      await page.click(`main a:has-text('${name}')`);
      await page.waitForSelector(`h1:has-text('${name}')`);
    },
  };
  hooks.before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  hooks.after(async () => {
    try {
      await env.browser?.close();
    } finally {
      await env.server?.stop();
    }
  });
  return env;
}

/** Starts a discussion from the group page the browser is on, and waits for its page. */
export async function startDiscussion(page, title, body) {
  await page.fill("#t-title", title);
  await page.fill("#t-body", body);
  await page.click("button:has-text('Post')");
  await page.waitForSelector(`h1:has-text('${title}')`);
}

/** Replies on the discussion page the browser is on; waits until `shown` is on it. */
export async function reply(page, body, shown) {
  await page.fill("#r-body", body);
  await page.click("button:has-text('Reply')");
  await page.waitForSelector(`text=${shown}`);
}

/** Fails on any script error or CSP report the watched page saw, then closes it. */
export async function closeWatched({ context, problems }, who = "") {
  assert.deepEqual(problems, [], `no script errors or CSP reports${who ? ` (${who})` : ""}`);
  await context.close();
}
