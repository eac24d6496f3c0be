// Flow: first-run setup (with a field error) → recovery key shown once → sign-in (wrong password, throttling, success).
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

test("first-run setup, recovery key, then sign in", async () => {
  const page = await app.open({ scenario: "fresh" });
  await page.getByRole("heading", { name: "Set up Clinic Desk" }).waitFor();
  await checkA11y(page, "setup");

  await field(page, "Clinic name").fill("Hillside Clinic");
  await field(page, "Clinic code").fill("hill side!");
  await field(page, "User name").fill("amina");
  await field(page, "Name").fill("Amina Diallo");
  await field(page, "Password").fill("Correct-Horse-7");
  await field(page, "Repeat the password").fill("Correct-Horse-8");
  await page.getByRole("button", { name: "Create the clinic" }).click();
  // The UI's own check: the two passwords differ.
  await assert.doesNotReject(page.getByText("The two passwords are not the same").waitFor());
  await field(page, "Repeat the password").fill("Correct-Horse-7");
  await page.getByRole("button", { name: "Create the clinic" }).click();
  // Core's check, shown under the field it names, which gets the focus.
  const codeError = page.locator("#field-code-error");
  await codeError.waitFor();
  assert.match(await codeError.textContent(), /capital letters or digits/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-code");
  await screenshot(page, "01-setup-field-error");

  await field(page, "Clinic code").fill("HILL");
  await page.getByRole("button", { name: "Create the clinic" }).click();
  await page.getByRole("heading", { name: "Your recovery key" }).waitFor();
  const groups = await page.locator(".key-group-text").allTextContents();
  assert.equal(groups.length, 11);
  assert.ok(groups.every((g) => /^[A-Z0-9]{5}$/.test(g)));
  const continueButton = page.getByRole("button", { name: "Continue to sign in" });
  assert.equal(await continueButton.isDisabled(), true, "cannot continue before confirming");
  await checkA11y(page, "recovery key shown");
  await screenshot(page, "02-recovery-key");
  await page.getByLabel("I have written down or printed the recovery key").check();
  await continueButton.click();

  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByTestId("clinic-name").textContent(), "Hillside Clinic");
  await signIn(page, { username: "amina", password: "Correct-Horse-7" });
  assert.equal(await page.getByTestId("signed-in-name").textContent(), "Amina Diallo");
  assertNoProblems(page);
});

test("sign-in: wrong password, then too many attempts", async () => {
  const page = await app.open({ scenario: "ready" });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByTestId("clinic-name").textContent(), "Riverside Health Centre");
  await checkA11y(page, "sign-in");
  await screenshot(page, "03-sign-in");

  await field(page, "User name").fill(ADMIN.username);
  await field(page, "Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const problem = page.locator("#login-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /Sign-in failed.*user name or password is not right/);
  await checkA11y(page, "sign-in with an error");
  await screenshot(page, "04-sign-in-wrong-password");

  for (let i = 0; i < 5; i += 1) {
    await field(page, "Password").fill("still-wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign in" }).and(page.locator(":not([aria-busy])")).waitFor();
  }
  assert.match(await problem.textContent(), /Too many attempts.*Wait 30 seconds/);

  // An empty user name is a field error from core, under the field.
  await field(page, "User name").fill("");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#field-username-error").waitFor();
  assertNoProblems(page);
});

test("sign-in shows the administrator's screens; a receptionist sees fewer", async () => {
  const page = await app.open({ scenario: "ready" });
  await signIn(page, ADMIN);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const item of ["Patients", "Register a patient", "Staff", "Audit trail", "Settings", "Backup and restore", "Sync"]) {
    await assert.doesNotReject(nav.getByRole("button", { name: item }).waitFor(), item);
  }
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();

  await signIn(page, { username: "reception", password: "Reception-Desk-1" });
  const names = await nav.getByRole("button").allTextContents();
  assert.deepEqual(names, ["Schedule", "Patients", "Register a patient", "Sync"]);
  assertNoProblems(page);
});

test("first sign-in after a reset asks for a new password", async () => {
  const page = await app.open({ scenario: "ready" });
  await field(page, "User name").fill("newnurse");
  await field(page, "Password").fill("Temporary-Pass-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Choose your password" }).waitFor();
  await checkA11y(page, "change password");
  await field(page, "Current (temporary) password").fill("Temporary-Pass-1");
  await field(page, "New password").fill("short");
  await field(page, "Repeat the new password").fill("short");
  await page.getByRole("button", { name: "Save my password" }).click();
  await page.locator("#field-new_password-error").waitFor();
  await field(page, "New password").fill("Morning-Shift-42");
  await field(page, "Repeat the new password").fill("Morning-Shift-42");
  await page.getByRole("button", { name: "Save my password" }).click();
  await page.getByTestId("signed-in-name").waitFor();
  assertNoProblems(page);
});
