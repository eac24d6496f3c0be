// Flow, keyboard only: sign in, find a patient, open, go back, register a patient, dialogs with Escape, skip link.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, assertNoProblems, focused, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

/** Presses Tab until the focused element's text or label matches, at most `max` times. */
async function tabTo(page, pattern, max = 40) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (pattern.test(f.text) || pattern.test(f.label) || pattern.test(f.id)) return f;
  }
  throw new Error(`Tab never reached ${pattern}`);
}

test("the main flow works with the keyboard alone", async () => {
  const page = await app.open();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal((await focused(page)).id, "field-username", "sign-in starts in the user name");
  await page.keyboard.type(ADMIN.username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Enter");
  await page.getByTestId("signed-in-name").waitFor();
  assert.equal((await focused(page)).id, "patient-search", "the patient search has the focus after sign-in");

  await page.keyboard.type("smith");
  await page.getByRole("option", { name: /Smith, John/ }).waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.getByTestId("patient-name").filter({ hasText: "Smith, John" }).waitFor();
  assert.equal((await focused(page)).tag, "h1", "the new screen's heading has the focus");

  await tabTo(page, /^Back to patients$/);
  await page.keyboard.press("Enter");
  await page.getByRole("combobox", { name: "Find a patient" }).waitFor();
  assert.equal((await focused(page)).id, "patient-search");
  await page.keyboard.press("Escape");

  // The sidebar, then the registration form: type, Tab, Enter submits.
  await page.keyboard.press("Shift+Tab");
  await tabTo(page, /^Register a patient$/);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Register a patient" }).waitFor();
  await tabTo(page, /field-given_name/);
  await page.keyboard.type("Kofi");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Mensah");
  await page.keyboard.press("Enter");
  await page.getByTestId("patient-name").filter({ hasText: "Mensah, Kofi" }).waitFor();

  // A dialog: opens with the focus inside, Escape closes it and gives the focus back.
  const del = await tabTo(page, /^Delete record$/);
  assert.equal(del.tag, "button");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog").waitFor();
  assert.equal((await focused(page)).id, "field-reason");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  assert.equal((await focused(page)).text, "Delete record");
  assertNoProblems(page);
});

test("the skip link jumps to the content and focus is always visible", async () => {
  const page = await app.open();
  await page.getByLabel(/User name/).fill(ADMIN.username);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.keyboard.press("Enter");
  await page.getByTestId("signed-in-name").waitFor();
  const first = await page.evaluate(() => document.querySelector("a, button, input, select, textarea")?.textContent);
  assert.equal(first, "Skip to content", "the skip link is the first thing Tab reaches");
  await page.locator(".skip-link").focus();
  // The focused skip link slides onto the screen.
  await page.waitForFunction(() => document.querySelector(".skip-link").getBoundingClientRect().top >= 0, null, { timeout: 2000 });
  await page.keyboard.press("Enter");
  assert.equal((await focused(page)).id, "main");

  const outline = await page.evaluate(() => {
    const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Lock");
    button.focus({ focusVisible: true });
    return getComputedStyle(button).outlineStyle;
  });
  assert.notEqual(outline, "none", "a focused button shows an outline");
  assertNoProblems(page);
});
