// Driving the real desktop app: tauri-driver (in front of WebKitWebDriver) per data folder, WebDriver
// sessions through WebdriverIO, the app's processes in /proc, screenshots and failure reports.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(E2E_DIR, "..", "..");
export const ARTIFACTS = join(E2E_DIR, "artifacts");

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function which(name) {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Starts tauri-driver (and through it WebKitWebDriver) with CLINIC_DESK_DATA_DIR set, so every app it
 * launches uses `dataDir` (and with `env` added to the app's environment). Returns { port, stop, logTail }.
 */
export async function startDriver({ dataDir, logFile, env = {} }) {
  const tauriDriver = process.env.TAURI_DRIVER || which("tauri-driver");
  if (!tauriDriver || !existsSync(tauriDriver)) throw new Error("tauri-driver is not installed (or not on PATH): cargo install tauri-driver --version 2.1.0 --locked");
  const nativeDriver = process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver";
  if (!existsSync(nativeDriver)) throw new Error(`${nativeDriver} is missing: apt-get install webkit2gtk-driver`);
  const port = await freePort();
  const nativePort = await freePort();
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, "a");
  const child = spawn(tauriDriver, ["--port", String(port), "--native-port", String(nativePort), "--native-driver", nativeDriver], {
    env: { ...process.env, ...env, CLINIC_DESK_DATA_DIR: dataDir },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = new Promise((r) => child.once("exit", r));
  // WebKitWebDriver first (asking tauri-driver before it is up only fills the log with errors), then tauri-driver.
  const deadline = Date.now() + 20_000;
  for (const [what, p] of [["WebKitWebDriver", nativePort], ["tauri-driver", port]]) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}:\n${tail(logFile)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${p}/status`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${what} did not answer on port ${p}:\n${tail(logFile)}`);
      await sleep(100);
    }
  }
  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
  return { port, stop, logTail: (lines) => tail(logFile, lines) };
}

/** The last lines of a text file ("" if it does not exist). */
export function tail(file, lines = 40) {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

/** Opens a WebDriver session: tauri-driver launches the app. Returns the WebdriverIO browser. */
export async function launchApp({ port, application }) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    connectionRetryCount: 0,
    connectionRetryTimeout: 60_000,
    capabilities: {
      "tauri:options": { application },
      // WebKitWebDriver speaks classic WebDriver only (no BiDi).
      "wdio:enforceWebDriverClassic": true,
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Processes

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

function allPids() {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
}

/** pid → { ppid, name, starttimeTicks } for every process we can read. */
function processTable() {
  const table = new Map();
  for (const pid of allPids()) {
    const stat = readProc(pid, "stat");
    if (!stat) continue;
    // The name is in parentheses and may contain spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    if (fields[0] === "Z") continue; // a zombie holds no memory
    table.set(pid, { ppid: Number(fields[1]), name, starttimeTicks: Number(fields[19]) });
  }
  return table;
}

/** The pids of the app (the binary `application`) running on `dataDir`. */
export function appPids({ application, dataDir }) {
  const wanted = `CLINIC_DESK_DATA_DIR=${dataDir}`;
  const pids = [];
  for (const pid of allPids()) {
    let exe;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      continue;
    }
    if (exe !== application) continue;
    const env = readProc(pid, "environ");
    if (env && env.split("\0").includes(wanted)) pids.push(pid);
  }
  return pids;
}

/** The app's processes and all their descendants (WebKitWebProcess, WebKitNetworkProcess…). */
export function appProcessTree(app) {
  const roots = appPids(app);
  const table = processTable();
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!tree.has(pid) && tree.has(p.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].filter((pid) => table.has(pid)).map((pid) => ({ pid, ...table.get(pid) }));
}

/** Waits until no process of the app is left; returns how long that took, or throws with what is left. */
export async function waitForAppExit(app, timeoutMs = 15_000) {
  const start = Date.now();
  for (;;) {
    const left = appProcessTree(app);
    if (left.length === 0) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      throw new Error(`the app did not exit within ${timeoutMs} ms; still running: ${left.map((p) => `${p.pid} ${p.name}`).join(", ")}`);
    }
    await sleep(100);
  }
}

/** Resident memory of one mapping group, in kB, from /proc/<pid>/smaps. */
function smapsRss(pid, pathPattern) {
  const smaps = readProc(pid, "smaps") ?? "";
  let total = 0;
  let matching = false;
  for (const line of smaps.split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) matching = pathPattern.test(line.split(/\s+/).slice(5).join(" "));
    else if (matching && line.startsWith("Rss:")) total += Number(line.split(/\s+/)[1]);
  }
  return total;
}

/** Mesa's software OpenGL (llvmpipe): what a display without a GPU driver, such as Xvfb, makes WebKitGTK map. */
export const SOFTWARE_GL = /libLLVM|\/dri\/|libgallium/;

/**
 * Memory (kB) of each process of the app: resident (VmRSS), proportional (PSS: shared pages divided among
 * the processes sharing them), private (USS: pages no other process maps), and the resident part that is
 * Mesa's software OpenGL stack.
 */
export function appMemory(app) {
  const dumpTo = process.env.CLINIC_BENCH_SMAPS_DIR;
  return appProcessTree(app).map((p) => {
    if (dumpTo) writeFileSync(join(dumpTo, `${Date.now()}-${p.name.replace(/\W/g, "")}.smaps`), readProc(p.pid, "smaps") ?? "");
    const status = readProc(p.pid, "status") ?? "";
    const rollup = readProc(p.pid, "smaps_rollup") ?? "";
    const kb = (text, key) => Number((text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m")) ?? [])[1] ?? 0);
    return {
      pid: p.pid,
      name: p.name,
      rssKb: kb(status, "VmRSS"),
      pssKb: kb(rollup, "Pss"),
      privateKb: kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty"),
      softwareGlKb: smapsRss(p.pid, SOFTWARE_GL),
    };
  });
}

/** Wall-clock start time (ms since the epoch) of a process, from /proc (resolution: one clock tick, 10 ms). */
export function processStartEpochMs(pid) {
  const stat = readProc(pid, "stat");
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  const hz = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const uptimeS = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const bootEpochMs = Date.now() - uptimeS * 1000;
  return bootEpochMs + (ticks / hz) * 1000;
}

// ---------------------------------------------------------------------------------------------------
// Screens

/** Waits until `fn` (run in the page with `args`) returns something truthy; returns it. */
export async function waitInPage(browser, what, fn, args = [], timeoutMs = 10_000) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      last = await browser.execute(fn, ...args);
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeoutMs) {
      const detail = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(50);
  }
}

/** Saves a screenshot to artifacts/<name>.png after the next two frames have been painted. */
export async function screenshot(browser, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await sleep(250); // an immediate WebDriver screenshot once showed a stale frame
  const file = join(ARTIFACTS, `${name}.png`);
  await browser.saveScreenshot(file);
  return file;
}

/**
 * Runs one step of a scenario. On failure it saves a screenshot and the page source to artifacts/, and
 * throws an error that names the step and shows the visible text of the screen.
 */
export function stepper(log = console.log) {
  let n = 0;
  let browser = null;
  const started = Date.now();
  return {
    use(b) {
      browser = b;
    },
    async step(name, fn) {
      n += 1;
      const label = `${String(n).padStart(2, "0")} ${name}`;
      const t0 = Date.now();
      try {
        const value = await fn();
        log(`  ok   ${label} (${Date.now() - t0} ms)`);
        return value;
      } catch (error) {
        log(`  FAIL ${label} (${Date.now() - t0} ms, ${((Date.now() - started) / 1000).toFixed(1)} s into the run)`);
        const report = await describeScreen(browser, `failure-${String(n).padStart(2, "0")}`);
        const wrapped = new Error(`step "${label}" failed: ${error.message}\n${report}`);
        wrapped.cause = error;
        throw wrapped;
      }
    },
  };
}

/** What is on the screen, for a failure report: visible text, focused element; saves screenshot + source. */
export async function describeScreen(browser, name) {
  if (!browser) return "(no app window was open)";
  const lines = [];
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${name}.png`);
    await browser.saveScreenshot(file);
    lines.push(`screenshot: ${file}`);
  } catch (e) {
    lines.push(`(no screenshot: ${e.message})`);
  }
  try {
    const source = await browser.getPageSource();
    const file = join(ARTIFACTS, `${name}.html`);
    writeFileSync(file, source);
    lines.push(`page source: ${file}`);
    const seen = await browser.execute(() => {
      const active = document.activeElement;
      return {
        url: location.href,
        focused: active ? `${active.tagName.toLowerCase()}${active.id ? `#${active.id}` : ""}` : "",
        text: (document.body?.innerText ?? "").replace(/\n{2,}/g, "\n").slice(0, 2500),
      };
    });
    lines.push(`url: ${seen.url}; focus: ${seen.focused}`, "visible text:", ...seen.text.split("\n").map((l) => `  | ${l}`));
  } catch (e) {
    lines.push(`(the page could not be read: ${e.message})`);
  }
  return lines.join("\n");
}
