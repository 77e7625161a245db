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

/**
 * Registers before/after hooks that start a server and a browser for a test file and
 * always clean up; returns an object whose `server` and `browser` are set once ready.
 */
export function useServerAndBrowser(hooks) {
  const env = { server: undefined, browser: undefined };
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
