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

/** Signs `user` in (the first administrator unless told) and waits for their name in the header. */
export async function signIn(browser, user = ADMIN) {
  await type(browser, "User name", user.username);
  await type(browser, "Password", user.password);
  await click(browser, "Sign in");
  await waitForSignedIn(browser, user);
}

/**
 * A first sign-in with the password an administrator gave: the app asks for the person's own password, which
 * `user.password` becomes.
 */
export async function signInFirstTime(browser, user, ownPassword) {
  await type(browser, "User name", user.username);
  await type(browser, "Password", user.password);
  await click(browser, "Sign in");
  await waitForHeading(browser, "Choose your password", 15_000);
  await type(browser, "Current (temporary) password", user.password);
  await type(browser, "New password", ownPassword);
  await type(browser, "Repeat the new password", ownPassword);
  await click(browser, "Save my password");
  user.password = ownPassword;
  await waitForSignedIn(browser, user);
}

async function waitForSignedIn(browser, user) {
  await waitInPage(
    browser,
    `"${user.displayName}" signed in`,
    (name) => document.querySelector('[data-testid="signed-in-name"]')?.textContent === name,
    [user.displayName],
    15_000,
  );
}

/** "Sign out" in the header, back to the sign-in form. */
export async function signOut(browser) {
  await click(browser, "Sign out");
  await waitForSignIn(browser);
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

/** Waits until the page's visible text contains `text` (a toast, a banner). */
export async function waitForText(browser, text, timeoutMs = 15_000) {
  await waitInPage(browser, `the text "${text}" on screen`, (t) => (document.body?.innerText ?? "").includes(t), [text], timeoutMs);
}

/** The button whose accessible name (aria-label) is `name`: for icon buttons such as "Next day" (‹ ›). */
export async function clickNamed(browser, name) {
  const b = await browser.$(`button[aria-label=${JSON.stringify(name)}]`);
  await b.waitForEnabled({ timeout: 5000 });
  await b.click();
}

/** The texts of a native <select>'s options and of the chosen one. */
function optionsOf(browser, select) {
  return browser.execute((s) => ({ all: [...s.options].map((o) => o.textContent), chosen: s.selectedOptions[0]?.textContent ?? null }), select);
}

/** Chooses, in the native <select> `select` (an element), the option whose text starts with `prefix`; returns its text. */
export async function chooseOption(browser, select, prefix) {
  const { all } = await optionsOf(browser, select);
  const matches = all.filter((t) => t.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`${matches.length} options start with "${prefix}"; the options are: ${all.join(" | ")}`);
  await select.selectByVisibleText(matches[0]);
  await waitInPage(browser, `the option "${matches[0]}" chosen`, (s, t) => s.selectedOptions[0]?.textContent === t, [select, matches[0]], 5000);
  return matches[0];
}

/** The open modal dialog titled `title` (XPath, for `within`); waits until it is shown. */
export async function waitForDialog(browser, title) {
  const xpath = `//dialog[@open][.//h2[normalize-space(.)=${xpathString(title)}]]`;
  await (await browser.$(xpath)).waitForDisplayed({ timeout: 10_000, timeoutMsg: `no open dialog titled "${title}"` });
  return xpath;
}

// ---------------------------------------------------------------------------------------------------
// Staff and scheduling setup (administrators)

/**
 * Staff → "Add a member of staff": `member` = { displayName, username, role (its label, e.g. "Doctor"), password
 * (what the dialog calls the temporary password) }. Waits for their row in the staff table.
 */
export async function createStaff(browser, member) {
  await navigate(browser, "Staff");
  await waitForHeading(browser, "Staff");
  await click(browser, "Add a member of staff");
  const dialog = await waitForDialog(browser, "Add a member of staff");
  await type(browser, "Name", member.displayName);
  await type(browser, "User name", member.username);
  await chooseOption(browser, await field(browser, "Role"), member.role);
  await type(browser, "Temporary password", member.password);
  await click(browser, "Add", { within: dialog });
  await waitInPage(
    browser,
    `the staff table's row for "${member.displayName}"`,
    (name) => !document.querySelector("dialog[open]") && [...document.querySelectorAll("tbody th[scope=row]")].some((th) => th.textContent === name),
    [member.displayName],
  );
}

/**
 * Scheduling setup → Clinicians' hours: gives `clinician` one working line per day of the week, Monday to Sunday,
 * with the times a new line starts with (09:00–17:00), and saves the weekly template. Returns the saved lines as
 * the screen shows them after reloading them ("weekday start–end kind").
 */
export async function setWeeklyHours(browser, clinician) {
  await navigate(browser, "Scheduling setup");
  await waitForHeading(browser, "Scheduling setup");
  const who = await browser.$("#field-hours_clinician");
  await who.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no clinician to choose under Clinicians' hours" });
  await chooseOption(browser, who, clinician);
  await waitForText(browser, "No working hours yet.");
  for (let day = 1; day <= 7; day += 1) {
    await click(browser, "Add a line");
    const weekday = await browser.$(`#field-periods-${day - 1}-weekday`);
    await weekday.waitForDisplayed({ timeout: 5000 });
    await weekday.selectByAttribute("value", String(day));
  }
  // Lines the screen would lose if the clinician's (empty) template arrived late: caught here, before saving.
  const lines = await weeklyLines(browser);
  assert.equal(lines.length, 7, `seven lines before saving: ${lines.join(" | ")}`);
  await click(browser, "Save template");
  await waitForText(browser, `Hours of ${clinician} saved`);
  return weeklyLines(browser);
}

/** The weekly template's lines as shown: "Monday 09:00–17:00 work". */
export async function weeklyLines(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll(".period-row")].map((row) => {
      const [day, kind] = [...row.querySelectorAll("select")];
      const [from, to] = [...row.querySelectorAll("input")];
      return `${day.selectedOptions[0]?.textContent} ${from.value}–${to.value} ${kind.value}`;
    }),
  );
}

/** The names of the appointment types listed under Scheduling setup → Appointment types. */
export async function appointmentTypeNames(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('section[aria-labelledby="types-title"] tbody th[scope=row]')].map((th) => th.textContent.replace(/·.*$/, "").trim()),
  );
}

// ---------------------------------------------------------------------------------------------------
// The schedule (reception)

/** Opens the Schedule from the main navigation and waits for the day view's columns. */
export async function openSchedule(browser) {
  await navigate(browser, "Schedule");
  await waitForHeading(browser, "Schedule");
  await waitInPage(browser, "the day view's clinician columns", () => document.querySelectorAll(".time-grid-head").length > 0, [], 15_000);
}

/** The accessible names of `clinician`'s slot buttons in the day view (they name the day: "Book 10:00 with …, Tue 4 Mar"). */
function slotNames(browser, clinician) {
  return browser.execute((who) => {
    const heads = [...document.querySelectorAll(".time-grid-head-name")].map((h) => h.textContent);
    const column = document.querySelectorAll(".time-grid-column")[heads.indexOf(who)];
    return column ? [...column.querySelectorAll("button.slot")].map((b) => b.getAttribute("aria-label")) : null;
  }, clinician);
}

/**
 * "Next day" in the day view: waits until the date above the grid and `clinician`'s column show the following
 * day. Returns the date as shown ("Tuesday 4 March 2026").
 */
export async function openNextDay(browser, clinician) {
  const before = await browser.execute(() => document.querySelector('[data-testid="schedule-date"]')?.textContent);
  const slotsBefore = await slotNames(browser, clinician);
  assert.ok(slotsBefore?.length, `the day view has a column for ${clinician}`);
  await clickNamed(browser, "Next day");
  await waitInPage(
    browser,
    `the day after ${before}, with ${clinician}'s column redrawn`,
    (was, firstSlot, who) => {
      const heads = [...document.querySelectorAll(".time-grid-head-name")].map((h) => h.textContent);
      const column = document.querySelectorAll(".time-grid-column")[heads.indexOf(who)];
      const slot = column?.querySelector("button.slot")?.getAttribute("aria-label");
      return document.querySelector('[data-testid="schedule-date"]')?.textContent !== was && slot && slot !== firstSlot;
    },
    [before, slotsBefore[0], clinician],
  );
  return browser.execute(() => document.querySelector('[data-testid="schedule-date"]')?.textContent);
}

/** The texts of the appointments drawn in `clinician`'s column ("10:00–10:30 Family, Given Consultation Booked"). */
export async function appointmentsOf(browser, clinician) {
  return browser.execute((who) => {
    const heads = [...document.querySelectorAll(".time-grid-head-name")].map((h) => h.textContent);
    const column = document.querySelectorAll(".time-grid-column")[heads.indexOf(who)];
    return column ? [...column.querySelectorAll('[data-testid="appointment"]')].map((a) => a.textContent.replace(/\s+/g, " ").trim()) : [];
  }, clinician);
}

/** Waits until `clinician`'s column shows an appointment whose text contains `text`; returns that column's appointments. */
export async function waitForAppointment(browser, clinician, text) {
  await waitInPage(
    browser,
    `an appointment "${text}" in ${clinician}'s column`,
    (who, t) => {
      const heads = [...document.querySelectorAll(".time-grid-head-name")].map((h) => h.textContent);
      const column = document.querySelectorAll(".time-grid-column")[heads.indexOf(who)];
      return [...(column?.querySelectorAll('[data-testid="appointment"]') ?? [])].some((a) => a.textContent.includes(t));
    },
    [clinician, text],
    15_000,
  );
  return appointmentsOf(browser, clinician);
}

/**
 * Books from the day view: clicks `clinician`'s empty slot at `time` (it must be within their working hours), finds
 * the patient in the booking dialog by typing `search` and picking the row `patient` ("Family, Given"), chooses the
 * appointment type `type`, runs `beforeBook` (say, a screenshot) and books. Waits for the dialog to close and the
 * appointment to be drawn in the clinician's column; returns that column's appointments.
 */
export async function bookSlot(browser, { clinician, time, search, patient, type: typeName }, { beforeBook = async () => {} } = {}) {
  const names = (await slotNames(browser, clinician)) ?? [];
  const name = names.find((n) => n.startsWith(`Book ${time} with ${clinician},`));
  assert.ok(name, `${clinician}'s column has a ${time} slot (slots: ${names[0]} … ${names.at(-1)})`);
  assert.ok(!name.includes("not working hours"), `the ${time} slot is within ${clinician}'s working hours: "${name}"`);
  await (await browser.$(`button.slot[aria-label=${JSON.stringify(name)}]`)).click();

  const dialog = await waitForDialog(browser, "Book an appointment");
  const picker = await browser.$("#field-patient_id");
  await picker.click();
  for (const ch of search) await picker.addValue(ch);
  const option = await browser.$(`${dialog}//*[@role="option"][contains(normalize-space(.), ${xpathString(patient)})]`);
  await option.waitForDisplayed({ timeout: 15_000, timeoutMsg: `no patient "${patient}" among the matches for "${search}"` });
  await option.click();
  await waitInPage(browser, `"${patient}" picked`, (p) => document.querySelector('[data-testid="picked-patient"]')?.textContent === p, [patient]);

  const chosenClinician = await browser.execute(() => document.querySelector("#field-clinician_id")?.selectedOptions[0]?.textContent);
  assert.equal(chosenClinician, clinician, "the dialog books with the clinician whose slot was clicked");
  const start = await (await browser.$("#field-start")).getValue();
  assert.match(start, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T${time}$`), "the dialog starts at the clicked slot");
  await chooseOption(browser, await browser.$("#field-type_id"), `${typeName} (`);
  await beforeBook();

  await click(browser, "Book", { within: dialog });
  await waitInPage(browser, "the booking dialog to close", () => !document.querySelector("dialog[open]"), [], 15_000);
  return waitForAppointment(browser, clinician, patient);
}
