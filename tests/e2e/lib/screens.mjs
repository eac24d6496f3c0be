// What a person does on Clinic Desk's screens, through WebDriver: find controls by their visible label or
// text (as in ui/src/i18n/en.json), type, click, wait for the next screen.
import assert from "node:assert/strict";
import { waitInPage } from "./desktop.mjs";

/** The first administrator created by first-run setup (also the one that signs in afterwards). */
export const ADMIN = { username: "amina.admin", displayName: "Amina Diallo", password: "Correct-Horse-Battery-9" };
export const CLINIC = { name: "Riverside E2E Clinic", code: "E2E" };

/** Waits for the screen whose <h1> reads `title`. */
export async function waitForHeading(browser, title, timeoutMs = 15_000) {
  const seen = await waitInPage(
    browser,
    `the screen titled "${title}"`,
    (text) => {
      if ([...document.querySelectorAll("h1")].some((h) => h.offsetParent !== null && h.textContent.trim() === text)) return "shown";
      // A build without the UI embedded loads the development server, which is not running.
      if (location.protocol === "about:" && (document.body?.innerText ?? "").includes("Could not connect to localhost")) return "dev-build";
      return false;
    },
    [title],
    timeoutMs,
  );
  if (seen === "dev-build") {
    throw new Error("the app tried to load the development server: it was built without the UI embedded (build it with --features custom-protocol)");
  }
}

/** The input, select or textarea whose visible label is `label` (a required field's " *" ignored). */
export async function field(browser, label) {
  const id = await browser.execute((text) => {
    const norm = (s) => s.replace(/\s+/g, " ").replace(/ \*$/, "").trim();
    const matches = [...document.querySelectorAll("label")].filter((l) => norm(l.textContent) === text && l.htmlFor && l.offsetParent !== null);
    if (matches.length === 1) return matches[0].htmlFor;
    const shown = [...document.querySelectorAll("label")].filter((l) => l.offsetParent !== null).map((l) => norm(l.textContent));
    return { count: matches.length, shown };
  }, label);
  if (typeof id !== "string") throw new Error(`${id.count} visible fields are labelled "${label}"; visible labels: ${id.shown.join(" | ")}`);
  return browser.$(`[id="${id}"]`);
}

/** Types `text` into the field labelled `label` (key by key, as a person would). */
export async function type(browser, label, text) {
  const el = await field(browser, label);
  await el.click();
  await el.addValue(text);
  const value = await el.getValue();
  assert.equal(value, text, `the field "${label}" holds what was typed`);
}

/** The visible, enabled button whose text is `text`. */
export async function button(browser, text, { within } = {}) {
  const scope = within ? `${within}//` : "//";
  const candidates = await browser.$$(`${scope}button[normalize-space(.)=${xpathString(text)}]`);
  for (const b of candidates) {
    if (await b.isDisplayed()) return b;
  }
  const shown = await browser.execute(() => [...document.querySelectorAll("button")].filter((b) => b.offsetParent !== null).map((b) => b.textContent.trim()));
  throw new Error(`no visible button "${text}"; visible buttons: ${shown.join(" | ")}`);
}

export async function click(browser, text, options) {
  const b = await button(browser, text, options);
  await b.waitForEnabled({ timeout: 5000 });
  await b.click();
}

function xpathString(s) {
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return `concat(${s.split('"').map((p) => `"${p}"`).join(`, '"', `)})`;
}

/** First-run setup: the clinic's details and the first administrator. */
export async function fillSetup(browser, { clinic = CLINIC, admin = ADMIN } = {}) {
  await type(browser, "Clinic name", clinic.name);
  await type(browser, "Clinic code", clinic.code);
  await type(browser, "User name", admin.username);
  await type(browser, "Name", admin.displayName);
  await type(browser, "Password", admin.password);
  await type(browser, "Repeat the password", admin.password);
}

/** The recovery key as shown (11 groups of 5). */
export async function recoveryKeyGroups(browser) {
  return browser.execute(() => [...document.querySelectorAll(".key-group-text")].map((g) => g.textContent.trim()));
}

/** Ticks "I have written down…" and continues to the sign-in screen. */
export async function confirmRecoveryKey(browser) {
  const box = await field(browser, "I have written down or printed the recovery key");
  await box.click();
  assert.equal(await box.isSelected(), true, "the confirmation box is ticked");
  await click(browser, "Continue to sign in");
}

/** Waits until the sign-in form is there and ready. */
export async function waitForSignIn(browser, timeoutMs = 20_000) {
  await waitForHeading(browser, "Sign in", timeoutMs);
  await waitInPage(browser, "the sign-in form's user name field", () => {
    const el = document.getElementById("field-username");
    return el && !el.disabled && el.offsetParent !== null;
  });
}

export async function signIn(browser, admin = ADMIN) {
  await type(browser, "User name", admin.username);
  await type(browser, "Password", admin.password);
  await click(browser, "Sign in");
  await waitInPage(
    browser,
    `"${admin.displayName}" signed in`,
    (name) => document.querySelector('[data-testid="signed-in-name"]')?.textContent === name,
    [admin.displayName],
    15_000,
  );
}

/** Opens a screen from the main navigation. */
export async function navigate(browser, item) {
  await click(browser, item, { within: '//nav[@aria-label="Main"]' });
}

/** The patient search box (focused when the patients screen opens). */
export async function searchBox(browser) {
  const el = await browser.$("#patient-search");
  await el.waitForDisplayed({ timeout: 10_000 });
  return el;
}

/** Types `query` into the search box and waits for a result row containing `expected`; returns the rows' texts. */
export async function search(browser, query, expected) {
  const box = await searchBox(browser);
  await box.click();
  for (const ch of query) await box.addValue(ch);
  await waitInPage(
    browser,
    `a search result containing "${expected}" for "${query}"`,
    (text) => [...document.querySelectorAll('[role="listbox"] [role="option"]')].some((o) => o.textContent.includes(text)),
    [expected],
    15_000,
  );
  return browser.execute(() => [...document.querySelectorAll('[role="listbox"] [role="option"]')].map((o) => o.textContent.trim()));
}

/** Escape in the search box clears it (and the results). */
export async function clearSearch(browser) {
  const box = await searchBox(browser);
  await box.click();
  await box.addValue("\uE00C"); // WebDriver's Escape key
  await waitInPage(browser, "an empty search box", () => document.getElementById("patient-search")?.value === "");
}

/** Clicks the result row containing `text`, and waits for that patient's overview. */
export async function openResult(browser, text, heading) {
  const rows = await browser.$$('[role="listbox"] [role="option"]');
  let row = null;
  for (const r of rows) {
    if ((await r.getText()).includes(text)) {
      row = r;
      break;
    }
  }
  if (!row) throw new Error(`no result row contains "${text}"`);
  await row.click();
  await waitForPatient(browser, heading);
}

/** Waits for the overview of the patient whose heading is `heading` ("Family, Given"). */
export async function waitForPatient(browser, heading) {
  await waitInPage(
    browser,
    `the overview of "${heading}"`,
    (h) => document.querySelector('[data-testid="patient-name"]')?.textContent === h,
    [heading],
    15_000,
  );
}
