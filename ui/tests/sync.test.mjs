// Flow: sync status in the sidebar, connecting this computer (a wrong code refused under the field), sync now,
// resolving a review item and discarding a refused change (each needs words from a person), offline state.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, RECEPTION, assertNoProblems, checkA11y, field, screenshot, signIn, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const openSync = async (page) => {
  await page.getByTestId("sync-indicator").click();
  await page.getByRole("heading", { name: "Sync with the clinic server", level: 1 }).waitFor();
};

test("an administrator connects this computer: a wrong code is refused under its field, then it syncs", async () => {
  const page = await app.open({ mock: { sync: "not_enrolled" } });
  await signIn(page, ADMIN);
  await page.getByTestId("sync-indicator").filter({ hasText: "Not connected to a clinic server" }).waitFor();
  await openSync(page);
  await checkA11y(page, "sync (not connected)");

  await field(page, "Server address").fill("clinic.example.org");
  await field(page, "Enrollment code").fill("WXYZ-0000-0000-0000");
  await field(page, "Name of this computer").fill("Reception 1");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.locator("#field-server_url-error").filter({ hasText: "starting with https://" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-server_url");

  await field(page, "Server address").fill("https://clinic.example.org");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.locator("#field-code-error").filter({ hasText: "not accepted" }).waitFor();
  await checkA11y(page, "enrollment with an error");

  await field(page, "Enrollment code").fill("abcd-efgh-jklm-npqr");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByText("Connected to Riverside Health Centre").waitFor();
  await page.getByRole("heading", { name: "Connection" }).waitFor();
  await page.getByTestId("sync-indicator").filter({ hasText: /Synced/ }).waitFor();

  await page.getByRole("button", { name: "Sync now" }).click();
  await page.getByText("Sync finished").waitFor();
  await screenshot(page, "20-sync-connected");
  assertNoProblems(page);
});

test("items needing attention: badge, resolve a clash with a note, discard a refused change with a reason", async () => {
  const page = await app.open({ mock: { sync: "attention" } });
  await signIn(page, RECEPTION);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("button", { name: /Sync/ }).filter({ hasText: "2" }).waitFor();
  await page.getByTestId("sync-indicator").filter({ hasText: "2 items need attention" }).waitFor();
  await openSync(page);
  assert.equal(await page.getByRole("button", { name: "Connect again" }).count(), 0, "only administrators move this computer");

  const clash = page.getByRole("article", { name: "Two desks changed identity details differently" });
  await clash.getByRole("rowheader", { name: "Date of birth" }).waitFor();
  await checkA11y(page, "sync with items needing attention");
  await screenshot(page, "21-sync-attention");

  await clash.getByRole("button", { name: "Mark as resolved" }).click();
  await clash.locator(".field-error").filter({ hasText: "Say what was done" }).waitFor();
  await clash.getByLabel("What was done").fill("Kept 03/12/1980 from her ID card");
  await clash.getByRole("button", { name: "Mark as resolved" }).click();
  await page.getByText("Item resolved").waitFor();
  await page.getByText("Nothing needs attention.").waitFor();
  await page.getByLabel("Show resolved items").check();
  await page.getByText(/Resolved by Marc Dupont/).waitFor();

  const refused = page.getByRole("article", { name: /Edit of García, María José/ });
  await refused.getByText("too many digits").waitFor();
  await refused.getByRole("button", { name: "Discard this change" }).click();
  const dialog = page.getByRole("dialog", { name: "Discard a refused change?" });
  await dialog.getByRole("button", { name: "Discard this change" }).click();
  await dialog.locator(".field-error").filter({ hasText: "Say why" }).waitFor();
  await field(page, "Why it is discarded").fill("Number typed twice; the right one is on file");
  await dialog.getByRole("button", { name: "Discard this change" }).click();
  await page.getByText("Change discarded").waitFor();
  await page.getByText("The server accepted every change.").waitFor();
  await nav.getByRole("button", { name: "Sync", exact: true }).waitFor();
  assertNoProblems(page);
});

test("offline: the sidebar says work is saved here, and Sync now explains what happens", async () => {
  const page = await app.open({ mock: { sync: "offline" } });
  await signIn(page, ADMIN);
  await page.getByTestId("sync-indicator").filter({ hasText: "Offline — work is saved on this computer" }).waitFor();
  await page.getByTestId("sync-indicator").filter({ hasText: "3 changes waiting to be sent" }).waitFor();
  await openSync(page);
  await page.getByRole("status").filter({ hasText: "The clinic server can't be reached" }).first().waitFor();
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.locator(".toast").filter({ hasText: "will sync when the connection returns" }).waitFor();
  await checkA11y(page, "sync offline");
  assertNoProblems(page);
});
