// Desktop-app benchmark (scripts/bench-app): the release app over 100,000 patients, driven through
// tauri-driver. Measures (a) launch to a usable sign-in form, (b) per-keystroke search latency in the
// page (IPC included) and whether the UI thread stays responsive, (c) memory of all the app's processes.
// Prints the figures and writes them into docs/benchmarks.md between the desktop-app markers.
// Run inside tests/e2e/desktop-session.sh (scripts/bench-app does it). No figure here is a pass/fail test.
import { spawnSync } from "node:child_process";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ARTIFACTS,
  REPO,
  appMemory,
  appPids,
  launchApp,
  processStartEpochMs,
  screenshot,
  startDriver,
  waitForAppExit,
  waitInPage,
} from "./lib/desktop.mjs";
import { instrument, resultsFor } from "./lib/bench-page.mjs";
import { machine, max, mb, ms, summarize, writeDocs } from "./lib/bench-report.mjs";
import { writePatientsCsv } from "./lib/patients-csv.mjs";
import { ADMIN, clearSearch, click, confirmRecoveryKey, fillSetup, searchBox, signIn, waitForHeading, waitForPatient, waitForSignIn } from "./lib/screens.mjs";

const PATIENTS = Number(process.env.CLINIC_BENCH_APP_PATIENTS ?? 100_000);
const LAUNCHES = Number(process.env.CLINIC_BENCH_APP_LAUNCHES ?? 7);
/** Typed one key at a time, each key waiting for its own results: the per-keystroke latency. */
const SLOW_QUERIES = ["lefebvre", "awa tra", "nguyen"];
/** Typed at a fast typist's pace (KEY_GAP_MS between keys): the UI thread while searches run. */
const FAST_QUERY = "garcia martinez";
const FAST_KEY_GAP_MS = 70;
/** Broad and specific searches, and records opened, before the memory is read. */
const BROWSE_QUERIES = ["a", "ma", "mar", "martin", "e", "lo", "ndiaye", "12/03/1984", "E2E-D01-050000", "06 10 03", "ois", "van der"];
const DEBOUNCE_MS = 120; // ui/src/screens/patients/PatientListScreen.tsx SEARCH_DEBOUNCE_MS

const sessionHome = process.env.CLINIC_SESSION_HOME;
if (!sessionHome) throw new Error("run this through scripts/bench-app (it provides the desktop session)");
const application = realpathSync(process.env.CLINIC_DESK_APP ?? join(REPO, "target", "release", "clinic-desk"));
const adminBin = realpathSync(process.env.CLINIC_ADMIN_BIN ?? join(REPO, "target", "release", "clinic-admin"));
const dataDir = join(sessionHome, "clinic-data");
const app = { application, dataDir };

const log = (...a) => console.log(...a);

// ---------------------------------------------------------------------------------------------------

async function seed(driver) {
  log(`== seeding: first-run setup through the app, then clinic-admin import-patients (${PATIENTS} rows)`);
  const browser = await launchApp({ port: driver.port, application });
  await waitForHeading(browser, "Set up Clinic Desk", 30_000);
  await fillSetup(browser);
  await click(browser, "Create the clinic");
  await waitForHeading(browser, "Your recovery key", 30_000);
  await confirmRecoveryKey(browser);
  await waitForSignIn(browser);
  await browser.deleteSession();
  await waitForAppExit(app);

  const csv = join(sessionHome, "patients.csv");
  const t0 = Date.now();
  await writePatientsCsv(csv, PATIENTS);
  log(`   CSV of ${PATIENTS} patients written in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const r = spawnSync(adminBin, ["--data-dir", dataDir, "import-patients", "--csv", csv], {
    env: { ...process.env, CLINIC_ADMIN_USER: ADMIN.username, CLINIC_ADMIN_PASSWORD: ADMIN.password },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const importMs = Date.now() - t1;
  if (r.status !== 0) throw new Error(`clinic-admin import-patients failed (${r.status}):\n${r.stdout.slice(0, 3000)}\n${r.stderr.slice(0, 3000)}`);
  log(`   ${r.stdout.trim()} (${(importMs / 1000).toFixed(1)} s)`);
  return { importMs, importOutput: r.stdout.trim() };
}

/** One launch: from the WebDriver request (the driver spawns the app) to the sign-in form painted. */
async function launchOnce(driver) {
  const t0 = Date.now();
  const browser = await launchApp({ port: driver.port, application });
  const pid = appPids(app)[0];
  const processStart = pid ? processStartEpochMs(pid) : NaN;
  const page = await waitInPage(
    browser,
    "the sign-in form's performance mark",
    () => {
      const mark = performance.getEntriesByName("clinic-desk:sign-in-shown")[0];
      if (!mark) return null;
      const status = performance.getEntriesByName("clinic-desk:app-status")[0];
      return { timeOrigin: performance.timeOrigin, shownAt: mark.startTime, appStatusMs: status ? status.duration : null };
    },
    [],
    60_000,
  );
  await waitForSignIn(browser);
  const seenByDriver = Date.now();
  const shownEpoch = page.timeOrigin + page.shownAt;
  return {
    browser,
    figures: {
      fromProcessStart: shownEpoch - processStart,
      fromRequest: shownEpoch - t0,
      processToPage: page.timeOrigin - processStart,
      inPage: page.shownAt,
      appStatus: page.appStatusMs,
      driverSaw: seenByDriver - t0,
    },
  };
}

async function quit(browser) {
  await browser.deleteSession();
  await waitForAppExit(app);
}

async function measureLaunches(driver) {
  log(`== (a) launch to a usable sign-in form: 1 warm-up + ${LAUNCHES} launches`);
  const runs = [];
  for (let i = 0; i <= LAUNCHES; i += 1) {
    const { browser, figures } = await launchOnce(driver);
    await quit(browser);
    if (i === 0) {
      log(`   warm-up: ${ms(figures.fromProcessStart)} (not counted)`);
      continue;
    }
    runs.push(figures);
    log(
      `   #${i}: ${ms(figures.fromProcessStart)} from process start (${ms(figures.processToPage)} to the page's start, ${ms(figures.inPage)} in the page, app_status ${ms(figures.appStatus)}); ${ms(figures.fromRequest)} from the WebDriver request`,
    );
    await sleep(300);
  }
  return { runs };
}

async function measureTyping(driver) {
  log("== (b) per-keystroke search latency");
  const { browser } = await launchOnce(driver);
  await signIn(browser);
  const box = await searchBox(browser);
  const ready = await browser.execute(instrument);
  if (ready !== "ok") throw new Error(`instrumenting the page failed: ${ready}`);
  const keystrokes = [];
  for (const query of SLOW_QUERIES) {
    await clearSearch(browser);
    await sleep(400);
    let typed = "";
    for (const ch of query) {
      typed += ch;
      await box.addValue(ch);
      const r = await resultsFor(browser, typed);
      if (r.timeout) throw new Error(`no results shown for "${typed}": ${JSON.stringify(r)}`);
      keystrokes.push(r);
      await sleep(250);
    }
    log(`   "${query}": ${keystrokes.slice(-query.length).map((k) => `${JSON.stringify(k.value)} ${Math.round(k.dom - k.key)}/${Math.round(k.dom - k.ipcStart)} ms (${k.rows} rows)`).join(", ")}`);
  }
  await screenshot(browser, "bench-search-results");

  // A fast typist: keys 70 ms apart, faster than the debounce, so only some keys start a search.
  await clearSearch(browser);
  await sleep(400);
  const fastStart = await browser.execute(() => {
    const b = window.__bench;
    b.echoes = [];
    b.inputs = [];
    b.keys = [];
    b.frameGaps = [];
    b.startFrames();
    return performance.now();
  });
  for (const ch of FAST_QUERY) {
    await box.addValue(ch);
    await sleep(FAST_KEY_GAP_MS);
  }
  const fastResult = await resultsFor(browser, FAST_QUERY);
  const fast = await browser.execute((from) => {
    const b = window.__bench;
    b.measuring = false;
    const echoes = b.inputs.map((i) => {
      const key = b.keys.filter((k) => k.t <= i.t).pop();
      const echo = b.echoes.find((e) => e.t >= i.t);
      return key && echo ? echo.t - key.t : null;
    });
    return {
      keys: b.keys.length,
      echoes: echoes.filter((x) => x !== null),
      frameGaps: b.frameGaps,
      searches: b.ipc.filter((x) => x.start >= from).length,
      longtaskSupported: b.longtaskSupported,
      longtasks: b.longtasks,
    };
  }, fastStart);
  log(`   fast typing "${FAST_QUERY}" (${FAST_KEY_GAP_MS} ms between keys): ${fast.searches} searches sent, results ${ms(fastResult.dom - fastResult.key)} after the last key`);
  await quit(browser);
  return { keystrokes, fast, fastResult };
}

/** Types `query` into the search box and waits (polling from outside, nothing added to the page) for its results. */
async function searchAndWait(browser, query, { perKey = false } = {}) {
  await clearSearch(browser);
  const box = await searchBox(browser);
  if (perKey) {
    let typed = "";
    for (const ch of query) {
      typed += ch;
      await box.addValue(ch);
      await waitForResults(browser, typed);
    }
  } else {
    await box.addValue(query);
  }
  return waitForResults(browser, query);
}

async function waitForResults(browser, query) {
  return waitInPage(
    browser,
    `the results for "${query}"`,
    (q) => {
      const list = document.querySelector('[role="listbox"]');
      if (document.getElementById("patient-search")?.value !== q || list?.getAttribute("aria-busy") !== "false") return null;
      return { rows: list.querySelectorAll('[role="option"]').length };
    },
    [query],
    15_000,
  );
}

/**
 * A fresh session, nothing added to the page: sign in, type the benchmark's queries, then broad and
 * specific searches, open records now and then; read the memory of all the app's processes.
 */
async function measureMemory(driver, label) {
  log(`== (c) memory after listing and searching${label ? ` (${label})` : ""}`);
  const { browser } = await launchOnce(driver);
  await sleep(1000);
  const atSignIn = appMemory(app);
  await signIn(browser);
  const peaks = [];
  const sample = () => {
    const m = appMemory(app);
    peaks.push(m.reduce((s, p) => s + p.rssKb, 0));
    return m;
  };
  for (const query of [...SLOW_QUERIES, FAST_QUERY]) await searchAndWait(browser, query, { perKey: true });
  sample();
  let opened = 0;
  for (const [i, query] of BROWSE_QUERIES.entries()) {
    const r = await searchAndWait(browser, query);
    sample();
    // Open a record now and then (a chart read), as a person at the desk would.
    if (i % 3 === 0 && r.rows > 0) {
      const first = await browser.$('[role="listbox"] [role="option"]');
      const name = (await first.$(".result-name").getText()).trim();
      await first.click();
      await waitForPatient(browser, name);
      opened += 1;
      await click(browser, "Back to patients");
      await waitForHeading(browser, "Patients");
      sample();
    }
  }
  await sleep(2000);
  const after = sample();
  await sleep(10_000);
  const settled = sample();
  if (!label) await screenshot(browser, "bench-after-searching");
  await quit(browser);
  const total = (list) => mb(list.reduce((s, p) => s + p.rssKb, 0));
  log(`   RSS summed: ${total(atSignIn)} at sign-in, ${total(after)} after searching, ${total(settled)} 10 s later`);
  return { atSignIn, after, settled, peakRssKb: max(peaks), searches: SLOW_QUERIES.length + 1 + BROWSE_QUERIES.length, opened };
}

async function main() {
  const m = machine();
  log(`desktop-app benchmark: ${m.date}, ${m.nproc} cores, load ${m.load}, app ${application}`);
  const driver = await startDriver({ dataDir, logFile: join(ARTIFACTS, "bench-tauri-driver.log") });
  try {
    const seeded = await seed(driver);
    const launches = await measureLaunches(driver);
    const typing = await measureTyping(driver);
    const memory = await measureMemory(driver);
    await driver.stop();
    const config = { PATIENTS, SLOW_QUERIES, FAST_QUERY, FAST_KEY_GAP_MS, BROWSE_QUERIES, DEBOUNCE_MS, build: process.env.CLINIC_BENCH_BUILD ?? application };
    const section = summarize({ m, seeded, launches, typing, memory }, config);
    log("");
    log(section);
    writeFileSync(join(ARTIFACTS, "bench-app.json"), JSON.stringify({ m, seeded, launches, typing, memory }, null, 2));
    if (process.env.CLINIC_BENCH_NO_DOCS === "1") log("\n(docs/benchmarks.md left alone: CLINIC_BENCH_NO_DOCS=1)");
    else {
      writeDocs(section);
      log("\nwritten to docs/benchmarks.md (desktop-app section)");
    }
  } finally {
    await driver.stop();
  }
}

main().catch((e) => {
  console.error(`bench-app failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});
