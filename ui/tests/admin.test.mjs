// Administrators' screens: staff management, the audit trail (filter, verify, export), settings, backup and restore.
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

const go = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("button", { name }).click();

test("staff: list, add (with a field error), change a role, deactivate, reset a password", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await go(page, "Staff");
  await page.getByRole("heading", { name: "Staff" }).waitFor();
  await page.getByRole("rowheader", { name: "Marc Dupont" }).waitFor();
  await checkA11y(page, "staff");
  await screenshot(page, "12-staff");

  await page.getByRole("button", { name: "Add a member of staff" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a member of staff" });
  await field(page, "Name").fill("Grace Mwangi");
  await field(page, "User name").fill("grace");
  await dialog.getByLabel("Role").selectOption("doctor");
  await field(page, "Temporary password").fill("short");
  await field(page, "Temporary password").press("Enter");
  await page.locator("#field-password-error").waitFor();
  await checkA11y(page, "add staff dialog");
  await field(page, "Temporary password").fill("Welcome-Grace-2026");
  await dialog.getByRole("button", { name: "Add" }).click();
  await page.getByRole("rowheader", { name: "Grace Mwangi" }).waitFor();

  await page.getByLabel("Role of Marc Dupont").selectOption("nurse");
  await page.getByText("Marc Dupont is now Nurse").waitFor();
  await page.getByRole("button", { name: "Deactivate Marc Dupont" }).click();
  await page.getByRole("button", { name: "Reactivate Marc Dupont" }).waitFor();
  await page.getByRole("button", { name: "Reset password for Grace Mwangi" }).click();
  await field(page, "Temporary password").fill("Another-Start-99");
  await page.getByRole("button", { name: "Reset password", exact: true }).click();
  await page.getByText("The password of Grace Mwangi was reset").waitFor();
  assertNoProblems(page);
});

test("audit trail: entries, filter by action, verify the chain, export", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await go(page, "Audit trail");
  await page.getByRole("heading", { name: "Audit trail" }).waitFor();
  await page.getByRole("cell", { name: "Sign-in" }).first().waitFor();
  await page.getByLabel("Action").selectOption("clinic_setup");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByText("No entries match these filters.").waitFor();
  await page.getByLabel("Action").selectOption("login");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByRole("cell", { name: "Sign-in" }).first().waitFor();
  await page.getByRole("button", { name: "Verify the chain" }).click();
  await page.getByText("The audit trail is intact").waitFor();
  await page.getByRole("button", { name: "Export as CSV" }).click();
  await page.getByText(/entr(y|ies) exported/).waitFor();
  await checkA11y(page, "audit trail");
  await screenshot(page, "13-audit");
  assertNoProblems(page);
});

test("settings: a field error from core, then saved", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await go(page, "Settings");
  await page.getByRole("heading", { name: "Settings" }).waitFor();
  await field(page, "Clinic name").waitFor();
  assert.equal(await field(page, "Clinic code").getAttribute("readonly"), "");
  await checkA11y(page, "settings");
  await field(page, "Lock the screen after (minutes idle)").fill("0");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.locator("#field-idle_lock_minutes-error").waitFor();
  await field(page, "Lock the screen after (minutes idle)").fill("15");
  await field(page, "Clinic name").fill("Riverside Health Centre (North)");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
  await page.locator(".sidebar-clinic", { hasText: "Riverside Health Centre (North)" }).waitFor();
  await screenshot(page, "14-settings");
  assertNoProblems(page);
});

test("backup: with a new key shown once; recovery sheet; restore signs everyone out", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await go(page, "Backup and restore");
  await page.getByRole("heading", { name: "Backup and restore" }).waitFor();
  await checkA11y(page, "backup");
  await page.getByLabel("Encrypt this backup with a new key of its own").check();
  await page.getByRole("button", { name: "Make a backup…" }).click();
  await page.getByText("The backup was made and checked").waitFor();
  assert.equal(await page.locator(".key-group-text").count(), 11);
  await checkA11y(page, "backup done");
  await screenshot(page, "15-backup");
  await page.getByRole("button", { name: "Save the recovery sheet…" }).click();
  await page.getByText("Recovery sheet saved").waitFor();
  await page.getByRole("button", { name: "Choose the backup file…" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});
