// Flow: leave approved over booked appointments. The administrator sees them (and that reception handles them);
// reception finds them in the Schedule screen's "Leave and closures" panel, moves one to another clinician's free
// time and cancels another with notice; the schedule shows both. Axe checks the panel and the cancel dialog.
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

/** Tomorrow in the clinic's zone (the test scenario's clinic is in Paris). */
function tomorrow() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(Date.now() + 24 * 3600 * 1000);
}

async function columnOf(page, name) {
  const heads = page.locator(".time-grid-head");
  await heads.first().waitFor();
  const index = (await heads.allTextContents()).findIndex((t) => t.startsWith(name));
  assert.ok(index >= 0, `a column for ${name}`);
  return page.locator(".time-grid-column").nth(index);
}

function appointment(scope, text) {
  return scope.getByTestId("appointment").filter({ hasText: text });
}

async function bookTomorrow(page, time, who, search, patient) {
  await page.getByRole("button", { name: new RegExp(`^Book ${time} with ${who},`) }).click();
  const dialog = page.getByRole("dialog", { name: "Book an appointment" });
  await dialog.getByRole("combobox", { name: "Patient" }).pressSequentially(search);
  await dialog.getByRole("option", { name: new RegExp(patient) }).waitFor();
  await dialog.getByRole("combobox", { name: "Patient" }).press("Enter");
  await dialog.getByTestId("picked-patient").filter({ hasText: patient }).waitFor();
  await dialog.getByRole("button", { name: "Book", exact: true }).click();
  await page.getByText(new RegExp(`^Booked: ${patient}`)).waitFor();
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
}

test("leave over booked appointments: reception moves one to another clinician and cancels another with notice", async () => {
  const page = await app.open();
  const day = tomorrow();

  // Reception books two of Jean Moreau's appointments tomorrow.
  await signIn(page, RECEPTION);
  await page.getByRole("heading", { name: "Schedule", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Next day" }).click();
  await bookTomorrow(page, "09:00", "Jean Moreau", "garc", "García, María José");
  await bookTomorrow(page, "11:00", "Jean Moreau", "okaf", "Okafor, Chinedu");
  await signOut(page);

  // The administrator records and approves his leave: both are listed; administrators may not book, so a hint says who can.
  await signIn(page, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Scheduling setup" }).click();
  const admin = page.getByRole("region", { name: "Closures and leave" });
  await admin.getByLabel("Clinician").selectOption({ label: "Jean Moreau" });
  await field(admin, "From").fill(`${day}T08:00`);
  await field(admin, "To").fill(`${day}T18:00`);
  await field(admin, "Reason").fill("Conference");
  await admin.getByRole("button", { name: "Request leave" }).click();
  const row = admin.getByRole("row").filter({ hasText: "Conference" });
  await row.getByRole("button", { name: "Approve" }).click();
  await row.getByText("Approved").waitFor();
  await admin.getByText("2 appointments to move or cancel").waitFor();
  const listed = admin.getByTestId("affected");
  await listed.getByText(/García, María José · Consultation/).waitFor();
  await listed.getByText(/Okafor, Chinedu · Consultation/).waitFor();
  assert.equal(await admin.getByRole("button", { name: "Find another time" }).count(), 0, "administrators may not book");
  await admin.getByText("Reception can move or cancel these appointments from the Schedule screen").waitFor();
  await signOut(page);

  // Reception: the Schedule screen's panel lists the leave and what it covers.
  await signIn(page, RECEPTION);
  await page.getByRole("tab", { name: "Leave and closures" }).click();
  const panel = page.getByTestId("leave-panel");
  await panel.getByRole("region", { name: /^Jean Moreau · / }).waitFor();
  await panel.getByText("2 appointments to move or cancel").waitFor();
  const garcia = panel.getByRole("listitem", { name: /García, María José/ });
  const okafor = panel.getByRole("listitem", { name: /Okafor, Chinedu/ });

  // Another time: the alternatives name their clinician; one with Awa Keita is chosen.
  await garcia.getByRole("button", { name: "Find another time" }).click();
  const times = garcia.getByRole("list", { name: "Other times for García, María José" });
  const withKeita = times.getByRole("button", { name: /with Awa Keita$/ }).first();
  await withKeita.waitFor();
  const label = await withKeita.getAttribute("aria-label");
  const time = /(\d\d:\d\d) with Awa Keita$/.exec(label)?.[1];
  assert.ok(time, `a time in "${label}"`);
  await checkA11y(page, "leave and closures panel with alternatives");
  await screenshot(page, "38-schedule-leave-alternatives");
  await withKeita.click();
  await page.getByText(new RegExp(`^Moved: García, María José, .*${time}`)).waitFor();
  await panel.getByText("1 appointment to move or cancel").waitFor();
  assert.equal(await garcia.count(), 0, "the moved appointment left the list");

  // Cancel with notice: the reason is prefilled, editable and required.
  await okafor.getByRole("button", { name: "Cancel with notice" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel the appointment of Okafor, Chinedu" });
  const reason = field(dialog, "Reason given to the patient");
  assert.equal(await reason.inputValue(), "The clinician is on leave");
  await checkA11y(page, "cancel with notice");
  await reason.fill("");
  await dialog.getByRole("button", { name: "Cancel the appointment" }).click();
  await dialog.getByText("Say why the appointment is cancelled.").waitFor();
  assert.equal(await reason.getAttribute("aria-invalid"), "true");
  await reason.fill("The clinician is on leave; we will call you to book again");
  await dialog.getByRole("button", { name: "Cancel the appointment" }).click();
  await page.getByText("Cancelled: Okafor, Chinedu").waitFor();
  await page.getByText("No approved leave or closure covers a booked appointment.").waitFor();

  // The schedule: García is in Awa Keita's column at the new time; Okafor's appointment is cancelled with the notice.
  await page.getByRole("button", { name: "Next day" }).click();
  const keita = await columnOf(page, "Awa Keita");
  await appointment(keita, "García, María José").waitFor();
  assert.match((await appointment(keita, "García, María José").textContent()).trim(), new RegExp(`^${time}–`));
  const moreau = await columnOf(page, "Jean Moreau");
  assert.equal(await appointment(moreau, "García").count(), 0);
  await appointment(moreau, "Okafor, Chinedu").click();
  const details = page.getByRole("dialog", { name: "Appointment: Okafor, Chinedu" });
  await details.getByTestId("appointment-status").filter({ hasText: "Cancelled" }).waitFor();
  await details.getByText("The clinician is on leave; we will call you to book again").waitFor();
  assertNoProblems(page);
});
