// Flow: the idle lock (local timer and core's `locked` answer), unlocking with the password, the Lock button.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, assertNoProblems, checkA11y, field, screenshot, signIn, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

test("after the idle time the screen locks by itself; the password unlocks it where the person was", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.fill("garcia");
  await page.getByRole("option", { name: /García/ }).click();
  await page.getByTestId("patient-name").filter({ hasText: "García" }).waitFor();

  await page.evaluate(() => window.__clinicMock.advanceMinutes(11));
  await page.getByRole("heading", { name: "Screen locked" }).waitFor({ timeout: 4000 });
  // Nothing of the patient is visible behind the lock.
  assert.equal(await page.getByText("Penicillin").isVisible(), false);
  assert.ok((await page.evaluate(() => window.__clinicMock.calls)).includes("lock_session"), "core is told to lock");
  await checkA11y(page, "lock");
  await screenshot(page, "10-lock");

  // A typo: core answers `validation` on `password`; it is shown under the field, which keeps the focus.
  await field(page, "Password").fill("wrong-password");
  await page.getByRole("button", { name: "Unlock" }).click();
  const error = page.locator("#field-unlock_password-error");
  await error.waitFor();
  assert.match(await error.textContent(), /That password is not right/);
  assert.equal(await page.locator("#field-unlock_password").getAttribute("aria-invalid"), "true");
  assert.ok((await page.locator("#field-unlock_password").getAttribute("aria-describedby"))?.includes("field-unlock_password-error"), "the error is tied to the field");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-unlock_password");
  assert.equal(await page.getByRole("heading", { name: "Screen locked" }).count(), 1, "a typo does not sign out");
  await checkA11y(page, "lock with a wrong password");
  await screenshot(page, "10b-lock-wrong-password");
  await field(page, "Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Unlock" }).click();
  await page.getByTestId("patient-name").filter({ hasText: "García" }).waitFor();
  assert.equal(await page.getByText("Penicillin").isVisible(), true);
  assertNoProblems(page);
});

test("a call refused with `locked` shows the lock screen", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  // Core locks after 10 idle minutes; the UI is told so by the next call (here a search),
  // before its own timer notices.
  await page.evaluate(() => {
    window.__clinicMock.advanceMinutes(11);
    const input = document.getElementById("patient-search");
    input.focus();
  });
  await page.keyboard.type("smith");
  await page.getByRole("heading", { name: "Screen locked" }).waitFor({ timeout: 4000 });
  await field(page, "Password").fill(ADMIN.password);
  await page.keyboard.press("Enter");
  await page.getByRole("combobox", { name: "Find a patient" }).waitFor();
  assertNoProblems(page);
});

test("activity keeps the session open; the Lock button locks at once; sign out from the lock screen", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  for (let i = 0; i < 4; i += 1) {
    await page.evaluate(() => window.__clinicMock.advanceMinutes(4));
    await page.keyboard.press("Shift");
    await page.waitForTimeout(150);
  }
  assert.equal(await page.getByRole("heading", { name: "Screen locked" }).count(), 0, "16 active minutes do not lock");
  const touches = (await page.evaluate(() => window.__clinicMock.calls)).filter((c) => c === "touch_session").length;
  assert.ok(touches >= 3 && touches <= 4, `touch_session at most once per 30 s (saw ${touches})`);

  await page.getByRole("button", { name: "Lock" }).click();
  await page.getByRole("heading", { name: "Screen locked" }).waitFor();
  await page.getByRole("button", { name: "Sign out (another person)" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});

test("on the lock screen, a session that has ended goes back to sign-in with a message", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await page.getByRole("button", { name: "Lock" }).click();
  await page.getByRole("heading", { name: "Screen locked" }).waitFor();
  await page.evaluate(() => window.__clinicMock.failNext("unlock_session", { code: "unauthenticated", message: "Your session has ended. Sign in again." }));
  await field(page, "Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Unlock" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByRole("alert").filter({ hasText: "Your session has ended" }).waitFor();
  assertNoProblems(page);
});
