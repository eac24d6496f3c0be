// Test harness: serves the ipc-mock build with Vite's preview, drives Debian's Chromium through playwright-core, runs axe, saves screenshots.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const UI = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RESULTS = join(UI, "test-results");
const MOCK_DIST = join(UI, "dist-ipc-mock");

export const ADMIN = { username: "admin", password: "Correct-Horse-7", name: "Amina Diallo" };
export const RECEPTION = { username: "reception", password: "Reception-Desk-1", name: "Marc Dupont" };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs = 20_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

/** Starts the preview server and the browser; returns helpers and a `close` to call in `after`. */
export async function startApp() {
  if (!existsSync(join(MOCK_DIST, "index.html"))) throw new Error("Build the test build first: npm run build:ipc-mock");
  // axe is served from the app's own origin, so the test build's CSP (script-src 'self') allows it.
  copyFileSync(join(UI, "node_modules", "axe-core", "axe.min.js"), join(MOCK_DIST, "axe.min.js"));
  mkdirSync(RESULTS, { recursive: true });
  const port = await freePort();
  const vite = spawn(
    process.execPath,
    [join(UI, "node_modules", "vite", "bin", "vite.js"), "preview", "--mode", "ipc-mock", "--outDir", "dist-ipc-mock", "--port", String(port), "--strictPort", "--host", "127.0.0.1"],
    { cwd: UI, stdio: ["ignore", "pipe", "pipe"] },
  );
  let viteOutput = "";
  vite.stdout.on("data", (d) => (viteOutput += d));
  vite.stderr.on("data", (d) => (viteOutput += d));
  const baseUrl = `http://127.0.0.1:${port}/`;
  let browser;
  try {
    await waitForHttp(baseUrl, vite);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  } catch (e) {
    vite.kill("SIGTERM");
    throw new Error(`${e.message}\n${viteOutput}`);
  }

  const pages = [];
  /** A fresh page (new context, so a new mock backend) with the given scenario and locale. */
  async function open({ scenario = "ready", locale = "en-GB", mock = {} } = {}) {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 820 }, reducedMotion: "reduce" });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.problems = [];
    page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") page.problems.push(`console error: ${m.text()}`);
    });
    await page.addInitScript((config) => {
      window.__CLINIC_MOCK__ = config;
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    }, { scenario, ...mock });
    await page.goto(baseUrl);
    pages.push(page);
    return page;
  }

  async function close() {
    await browser?.close().catch(() => undefined);
    if (vite.exitCode === null) {
      vite.kill("SIGTERM");
      await new Promise((r) => {
        const timer = setTimeout(() => {
          vite.kill("SIGKILL");
          r();
        }, 3000);
        vite.once("exit", () => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  return { open, close, baseUrl };
}

/** Runs axe-core on the page and fails on any serious or critical violation. */
export async function checkA11y(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.addScriptTag({ url: "axe.min.js" });
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `axe found serious/critical problems on the ${screen} screen:\n${JSON.stringify(bad, null, 2)}`);
}

/** Saves a screenshot to ui/test-results/<name>.png (after the next paint). */
export async function screenshot(page, name) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: false });
}

/** Fails if the page logged errors (including CSP violations) or threw. */
export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], "the page reported errors");
}

/** The control labelled exactly `text` (a required field's label ends with a visual " *"). */
export function field(page, text) {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return page.getByLabel(new RegExp(`^${escaped}( \\*)?$`));
}

export async function signIn(page, user = ADMIN) {
  await field(page, "User name").fill(user.username);
  await field(page, "Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-name").waitFor();
}

/** Text of the element that has the keyboard focus. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id ?? "", text: (el?.textContent ?? "").trim(), label: el?.getAttribute("aria-label") ?? "" };
  });
}
