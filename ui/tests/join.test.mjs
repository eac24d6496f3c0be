// Flow: a second computer joins a clinic that already syncs (enrollment code instead of setup), shows its own
// recovery key, then its staff sign in with their usual accounts; an interrupted download waits and retries.
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

const joinSection = (page) => page.getByRole("region", { name: "Join a clinic that already uses a clinic server" });

test("join a clinic: a wrong code is refused under its field; then recovery key and sign-in with an existing account", async () => {
  const page = await app.open({ scenario: "fresh" });
  await page.getByRole("heading", { name: "Set up Clinic Desk" }).waitFor();
  await joinSection(page).getByRole("button", { name: "Join with an enrollment code" }).click();
  await field(page, "Server address").fill("https://clinic.example.org");
  await field(page, "Enrollment code").fill("WXYZ-0000-0000-0000");
  await field(page, "Name of this computer").fill("Reception 2");
  await page.getByRole("button", { name: "Join the clinic" }).click();
  await page.locator("#field-code-error").filter({ hasText: "not accepted" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-code");
  await checkA11y(page, "join form with an error");
  await screenshot(page, "22-join-field-error");

  await field(page, "Enrollment code").fill("ABCD-EFGH-JKLM-NPQR");
  await page.getByRole("button", { name: "Join the clinic" }).click();
  await page.getByRole("heading", { name: "Your recovery key" }).waitFor();
  await page.getByLabel("I have written down or printed the recovery key").check();
  await page.getByRole("button", { name: "Continue to sign in" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByTestId("clinic-name").textContent(), "Riverside Health Centre");
  await signIn(page, ADMIN);
  assert.equal(await page.getByTestId("signed-in-name").textContent(), ADMIN.name);
  assertNoProblems(page);
});

test("joining offline: the download waits with the reason shown, and Try again finishes it", async () => {
  const page = await app.open({ scenario: "fresh", mock: { joinOffline: true } });
  await joinSection(page).getByRole("button", { name: "Join with an enrollment code" }).click();
  await field(page, "Server address").fill("https://clinic.example.org");
  await field(page, "Enrollment code").fill("ABCD-EFGH-JKLM-NPQR");
  await field(page, "Name of this computer").fill("Reception 2");
  await page.getByRole("button", { name: "Join the clinic" }).click();
  await page.getByLabel("I have written down or printed the recovery key").check();
  await page.getByRole("button", { name: "Continue to sign in" }).click();
  await page.getByRole("heading", { name: "Downloading Riverside Health Centre" }).waitFor();
  await page.getByText("The clinic server can't be reached").first().waitFor();
  await checkA11y(page, "joining, offline");
  await screenshot(page, "23-joining-offline");
  await page.getByRole("button", { name: "Try again now" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assertNoProblems(page);
});
