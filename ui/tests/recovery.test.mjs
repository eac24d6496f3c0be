// Start-up problems: the recovery-key screen (wrong key, right key) and the quarantined database (restore).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertNoProblems, checkA11y, field, screenshot, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

test("the keychain's key is gone: the recovery key opens the database", async () => {
  const page = await app.open({ scenario: "needs_recovery_key" });
  await page.getByRole("heading", { name: "Enter the recovery key" }).waitFor();
  await checkA11y(page, "recovery key entry");
  await field(page, "Recovery key").fill("AAAAA-BBBBB");
  await page.getByRole("button", { name: "Open the clinic database" }).click();
  const error = page.locator("#field-recovery_key-error");
  await error.waitFor();
  assert.match(await error.textContent(), /The key was not accepted/);
  await screenshot(page, "16-recovery-entry");
  await field(page, "Recovery key").fill("k7qxm 3b9td pl2wa 8rz4n c6hje v5yuf q2mks t8dwx n4bzr j7lpa 6ghqe");
  await page.getByRole("button", { name: "Open the clinic database" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});

test("a damaged database: restore a backup", async () => {
  const page = await app.open({ scenario: "quarantined" });
  await page.getByRole("heading", { name: "The clinic database needs to be restored" }).waitFor();
  await checkA11y(page, "quarantined");
  await screenshot(page, "17-quarantined");
  await page.getByRole("button", { name: "Choose the backup file…" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});

test("a new computer: restore an existing clinic's backup instead of setting up", async () => {
  const page = await app.open({ scenario: "fresh" });
  await page.getByRole("heading", { name: "Set up Clinic Desk" }).waitFor();
  await page.getByRole("button", { name: "Restore from a backup instead" }).click();
  // Cancelling the file dialog changes nothing.
  await field(page, "Backup key").fill("CANCEL");
  await page.getByRole("button", { name: "Choose the backup file…" }).click();
  await page.waitForTimeout(200);
  await page.getByRole("heading", { name: "Set up Clinic Desk" }).waitFor();
  await checkA11y(page, "setup with restore");
  await field(page, "Backup key").fill("K7QXM-3B9TD-PL2WA-8RZ4N-C6HJE-V5YUF-Q2MKS-T8DWX-N4BZR-J7LPA-6GHQE");
  await page.getByRole("button", { name: "Choose the backup file…" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByTestId("clinic-name").textContent(), "Riverside Health Centre");
  assertNoProblems(page);
});
