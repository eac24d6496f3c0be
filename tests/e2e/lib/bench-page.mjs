// What the desktop-app benchmark adds to the page (through WebDriver's execute): timestamps of the
// search box's keys and input events, of the search IPC (the fetch to ipc://localhost/search_patients),
// of the results list's aria-busy going false (the commit that shows the results for the current text)
// and of the frames after each; the gaps between animation frames while measuring.

export function instrument() {
  if (!document.getElementById("patient-search")) return "no search box";
  // Listeners on the document, so they survive the list screen being mounted again.
  const isBox = (el) => el && el.id === "patient-search";
  const b = {
    keys: [],
    inputs: [],
    echoes: [],
    ipc: [],
    done: [],
    measuring: false,
    frameGaps: [],
    lastFrame: performance.now(),
    longtasks: [],
    longtaskSupported: (PerformanceObserver.supportedEntryTypes || []).includes("longtask"),
  };
  window.__bench = b;
  document.addEventListener(
    "keydown",
    (e) => {
      if (isBox(e.target)) b.keys.push({ key: e.key, t: performance.now() });
    },
    true,
  );
  document.addEventListener(
    "input",
    (e) => {
      if (!isBox(e.target)) return;
      const value = e.target.value;
      b.inputs.push({ value, t: performance.now() });
      requestAnimationFrame((t) => b.echoes.push({ value, t }));
    },
    true,
  );
  const fetchBefore = window.fetch;
  window.fetch = function (resource, init) {
    const url = String(resource && resource.url ? resource.url : resource);
    const start = performance.now();
    const p = fetchBefore.apply(this, arguments);
    if (url.endsWith("/search_patients")) {
      let query = null;
      try {
        query = JSON.parse(init.body).query;
      } catch {
        // not JSON: leave the query unknown
      }
      p.then(
        () => b.ipc.push({ query, start, end: performance.now() }),
        () => undefined,
      );
    }
    return p;
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const list = r.target;
      if (list.getAttribute("role") !== "listbox" || list.getAttribute("aria-busy") !== "false") continue;
      const t = performance.now();
      const value = document.getElementById("patient-search")?.value ?? "";
      const rows = list.querySelectorAll('[role="option"]').length;
      requestAnimationFrame((frame) => b.done.push({ value, t, frame, rows }));
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["aria-busy"], subtree: true });
  // Frame gaps, only while measuring: a page that requests every frame renders (and allocates) more
  // than the app does on its own.
  const loop = (now) => {
    if (!b.measuring) return;
    b.frameGaps.push(now - b.lastFrame);
    b.lastFrame = now;
    requestAnimationFrame(loop);
  };
  b.startFrames = () => {
    b.measuring = true;
    b.lastFrame = performance.now();
    requestAnimationFrame(loop);
  };
  if (b.longtaskSupported) {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) b.longtasks.push(e.duration);
    }).observe({ type: "longtask" });
  }
  return "ok";
}

/** Waits in the page until the results for `value` are shown; returns that keystroke's timestamps. */
export async function resultsFor(browser, value, timeoutMs = 10_000) {
  return browser.executeAsync(
    (v, timeout, done) => {
      const b = window.__bench;
      const start = performance.now();
      const check = () => {
        const ipc = b.ipc.filter((x) => x.query === v).pop();
        const shown = ipc && b.done.filter((x) => x.value === v && x.t >= ipc.end).pop();
        if (shown) {
          const input = b.inputs.filter((x) => x.value === v).pop();
          const key = input && b.keys.filter((x) => x.t <= input.t).pop();
          const echo = input && b.echoes.find((x) => x.value === v && x.t >= input.t);
          done({ value: v, key: key?.t, input: input?.t, echo: echo?.t, ipcStart: ipc.start, ipcEnd: ipc.end, dom: shown.t, frame: shown.frame, rows: shown.rows });
        } else if (performance.now() - start > timeout) {
          done({ value: v, timeout: true, ipc: b.ipc.slice(-3), done: b.done.slice(-3) });
        } else setTimeout(check, 5);
      };
      check();
    },
    value,
    timeoutMs,
  );
}

