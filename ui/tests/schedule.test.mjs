// Flow: the schedule. Book by clicking an empty slot, move by drag (with the overbooking confirmation), check in and
// see the waiting room, a no-show, a waitlist offer after a cancellation, the billing clerk cannot book, axe checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RECEPTION, assertNoProblems, checkA11y, field, screenshot, signIn, startApp } from "./harness.mjs";

const BILLING = { username: "billing", password: "Billing-Desk-1", name: "Lena Okafor" };

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

/** Reception lands on the schedule; the day view shows one column per clinician. */
async function openSchedule(page, user = RECEPTION) {
  await signIn(page, user);
  await page.getByRole("heading", { name: "Schedule", level: 1 }).waitFor();
  await page.getByTestId("column-" + (await clinicianId(page, "Awa Keita"))).waitFor();
}

async function clinicianId(page, name) {
  const heads = page.locator(".time-grid-head");
  await heads.first().waitFor();
  const index = (await heads.allTextContents()).findIndex((t) => t.startsWith(name));
  assert.ok(index >= 0, `a column for ${name}`);
  const testId = await page.locator(".time-grid-column").nth(index).getAttribute("data-testid");
  return testId.replace("column-", "");
}

function slot(page, time, who) {
  return page.getByRole("button", { name: new RegExp(`^Book ${time} with ${who},`) });
}

/** An appointment's accessible name (its text). */
async function name(locator) {
  return (await locator.textContent()).replace(/\s+/g, " ").trim();
}

function appointment(page, text) {
  return page.getByTestId("appointment").filter({ hasText: text });
}

async function bookTomorrow(page, time, search, patient) {
  await page.getByRole("button", { name: "Next day" }).click();
  await slot(page, time, "Awa Keita").click();
  const dialog = page.getByRole("dialog", { name: "Book an appointment" });
  await dialog.waitFor();
  await dialog.getByRole("combobox", { name: "Patient" }).pressSequentially(search);
  await dialog.getByRole("option", { name: new RegExp(patient) }).waitFor();
  await dialog.getByRole("combobox", { name: "Patient" }).press("Enter");
  await dialog.getByTestId("picked-patient").filter({ hasText: patient }).waitFor();
  return dialog;
}

test("book from the calendar: click an empty slot, pick the patient, special needs, book; the appointment is drawn", async () => {
  const page = await app.open();
  await openSchedule(page);
  await page.getByTestId("now-line").first().waitFor();
  await checkA11y(page, "schedule (day view)");
  await screenshot(page, "30-schedule-day");

  const dialog = await bookTomorrow(page, "09:00", "garc", "García, María José");
  assert.equal(await field(page, "Start").inputValue(), (await field(page, "Start").inputValue()).slice(0, 10) + "T09:00");
  await field(page, "Interpreter language").fill("es");
  await field(page, "Accessibility").fill("Wheelchair");
  await checkA11y(page, "booking dialog");
  await screenshot(page, "31-schedule-book");
  await dialog.getByRole("button", { name: "Book", exact: true }).click();
  await page.getByText(/^Booked: García, María José/).waitFor();
  const booked = appointment(page, "García, María José");
  await booked.waitFor();
  assert.equal(await name(booked), "09:00–09:15 García, María José Consultation Booked Interpreter: ES", "time, patient, type, status marker and interpreter");

  // 30 minutes from 08:45 runs into it: core's rule (clinician busy) is shown under the start field, nothing is booked.
  await slot(page, "08:45", "Awa Keita").click();
  await field(page, "Length (minutes)").fill("30");
  await dialog.getByRole("combobox", { name: "Patient" }).pressSequentially("okaf");
  await dialog.getByRole("option", { name: /Okafor, Chinedu/ }).click();
  await dialog.getByRole("button", { name: "Book", exact: true }).click();
  await page.locator("#field-start-error").filter({ hasText: "Awa Keita already has an appointment from 09:00 to 09:15" }).waitFor();
  assert.equal(await page.locator("#field-start").getAttribute("aria-invalid"), "true");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await appointment(page, "Okafor").count(), 0);
  assertNoProblems(page);
});

test("move by drag; onto a busy time the clinic's overbooking rule asks for confirmation first", async () => {
  const page = await app.open({ mock: { overbooking: true } });
  await openSchedule(page);
  const dialog = await bookTomorrow(page, "12:00", "garc", "García, María José");
  await dialog.getByRole("button", { name: "Book", exact: true }).click();
  await appointment(page, "García").waitFor();

  // The seeded 10:00 appointment (Nguyen) dragged to 11:00: moved at once.
  const nguyen = appointment(page, "Nguyen, Thi Lan");
  assert.match(await name(nguyen), /^10:00–10:15/);
  await nguyen.dragTo(slot(page, "11:00", "Awa Keita"));
  await page.getByText(/^Moved: Nguyen, Thi Lan/).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=appointment]")].some((e) => e.textContent?.startsWith("11:00–11:15 Nguyen")));
  // The time it left is offered to the waitlist; reception passes on it here.
  const offers = page.getByRole("dialog", { name: "Waiting patients who fit the freed time" });
  await offers.getByRole("listitem", { name: "Smith, John" }).waitFor();
  await offers.getByRole("button", { name: "Close" }).click();

  // Onto García's 12:00: core answers NeedsConfirmation; nothing moves until confirmed.
  // `force`: the target slot is under García's appointment, which lets drops through only once a drag has begun.
  await appointment(page, "Nguyen, Thi Lan").dragTo(slot(page, "12:00", "Awa Keita"), { force: true });
  const confirm = page.getByRole("dialog", { name: "Move the appointment" });
  await confirm.getByTestId("clashes").filter({ hasText: "Awa Keita already has an appointment from 12:00 to 12:15" }).waitFor();
  assert.match(await name(appointment(page, "Nguyen")), /^11:00/, "nothing moved yet");
  await checkA11y(page, "overbooking confirmation");
  await screenshot(page, "32-schedule-overbook");
  await confirm.getByRole("button", { name: "Move anyway (overbook)" }).click();
  await page.getByText(/^Moved: Nguyen, Thi Lan, .*12:00/).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=appointment]")].some((e) => e.textContent?.startsWith("12:00–12:15 Nguyen")));
  assert.match(await appointment(page, "Nguyen").getAttribute("class"), /appointment-overbooked/);
  assertNoProblems(page);
});

test("check in: the patient appears in the waiting room with a waiting time that grows", async () => {
  const page = await app.open();
  await openSchedule(page);
  await appointment(page, "García, María José").click();
  const details = page.getByRole("dialog", { name: "Appointment: García, María José" });
  await details.getByTestId("appointment-status").filter({ hasText: "Booked" }).waitFor();
  await checkA11y(page, "appointment details");
  await details.getByRole("button", { name: "Check in" }).click();
  await page.getByText("García, María José checked in").waitFor();
  await details.getByTestId("appointment-status").filter({ hasText: "Arrived" }).waitFor();
  assert.equal(await details.getByRole("button", { name: "Check in" }).count(), 0, "statuses only move forward");
  await details.getByRole("button", { name: "Close" }).click();

  const waiting = page.getByTestId("waiting-room");
  await waiting.getByText("García, María José").waitFor();
  await waiting.getByText("waiting 0 minutes").waitFor();
  await page.evaluate(() => window.__clinicMock.advanceMinutes(7));
  await page.getByRole("tab", { name: "Waitlist" }).click();
  await page.getByRole("tab", { name: "Waiting room" }).click();
  await waiting.getByText("waiting 7 minutes").waitFor();
  await checkA11y(page, "waiting room");
  await screenshot(page, "33-schedule-waiting-room");
  assertNoProblems(page);
});

test("no-show: once the start has passed the appointment is marked, and can no longer be checked in", async () => {
  const page = await app.open();
  await openSchedule(page);
  await page.evaluate(() => window.__clinicMock.advanceMinutes(1));
  await appointment(page, "Okafor, Chinedu").click();
  const details = page.getByRole("dialog", { name: "Appointment: Okafor, Chinedu" });
  await details.getByRole("button", { name: "No-show" }).click();
  await page.getByText("Marked as no-show").waitFor();
  await details.getByTestId("appointment-status").filter({ hasText: "No-show" }).waitFor();
  assert.equal(await details.getByRole("button", { name: "Check in" }).count(), 0);
  await details.getByRole("button", { name: "Close" }).click();
  assert.match(await name(appointment(page, "Okafor")), /No-show/);
  assertNoProblems(page);
});

test("cancelling with a reason offers the freed time to the waitlist in order; reception books the offer", async () => {
  const page = await app.open();
  await openSchedule(page);
  await page.getByRole("button", { name: "Next day" }).click();
  await appointment(page, "Nguyen, Thi Lan").click();
  const details = page.getByRole("dialog", { name: "Appointment: Nguyen, Thi Lan" });
  await details.getByRole("button", { name: "Cancel appointment" }).click();
  await details.getByRole("button", { name: "Cancel the appointment" }).click();
  await page.locator("#field-reason-error").filter({ hasText: "Say why the appointment is cancelled." }).waitFor();
  await field(page, "Reason for cancelling").fill("Patient called: travelling");
  await details.getByRole("button", { name: "Cancel the appointment" }).click();

  const offers = page.getByRole("dialog", { name: "Waiting patients who fit the freed time" });
  const offer = offers.getByRole("listitem", { name: "Smith, John" });
  await offer.waitFor();
  await checkA11y(page, "waitlist offers");
  await screenshot(page, "34-schedule-waitlist-offer");
  await offer.getByRole("button", { name: "Book" }).click();
  await page.getByText(/^Booked: Smith, John/).waitFor();
  const smith = appointment(page, "Smith, John");
  await smith.waitFor();
  assert.match(await name(smith), /^10:00–10:15 Smith, John/);
  assert.match(await name(appointment(page, "Nguyen")), /Cancelled$/);
  await page.getByRole("tab", { name: "Waitlist" }).click();
  await page.getByText("Nobody is on the waitlist.").waitFor();
  assertNoProblems(page);
});

test("the billing clerk sees no schedule and cannot book from a patient's page", async () => {
  const page = await app.open();
  await signIn(page, BILLING);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("button", { name: "Patients" }).waitFor();
  assert.equal(await nav.getByRole("button", { name: "Schedule" }).count(), 0);
  await page.getByRole("combobox", { name: "Find a patient" }).fill("garcia");
  await page.getByRole("option", { name: /García/ }).click();
  await page.getByTestId("patient-name").filter({ hasText: "García" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Book an appointment" }).count(), 0);
  assertNoProblems(page);
});

test("a patient's page lists their appointments and books for them from the schedule", async () => {
  const page = await app.open();
  await openSchedule(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Patients" }).click();
  await page.getByRole("combobox", { name: "Find a patient" }).fill("nguyen");
  await page.getByRole("option", { name: /Nguyen/ }).click();
  const card = page.getByRole("list", { name: "Upcoming" });
  await card.getByText("Consultation").waitFor();
  await page.getByRole("button", { name: "Book an appointment" }).click();
  await page.getByText("Booking for Nguyen, Thi Lan: choose a free slot.").waitFor();
  await page.getByRole("tab", { name: "Find a free slot" }).click();
  // By specialty: only the general practitioner's slots.
  await page.getByLabel("Specialty").selectOption("General practice");
  await page.getByRole("button", { name: "Find free slots" }).click();
  const found = page.getByRole("list", { name: "Free slots" });
  await found.getByRole("button").first().waitFor();
  const who = await found.locator("li").allTextContents();
  assert.ok(who.length > 0 && who.every((line) => line.includes("Awa Keita")), `only Awa Keita: ${who.join(" | ")}`);
  await found.getByRole("button").first().click();
  const dialog = page.getByRole("dialog", { name: "Book an appointment" });
  await dialog.getByTestId("picked-patient").filter({ hasText: "Nguyen, Thi Lan" }).waitFor();
  await checkA11y(page, "schedule with free slots");
  assertNoProblems(page);
});

test("a doctor is told when their patient checks in, once, with the patient's name", async () => {
  const page = await app.open();
  const DOCTOR = { username: "doctor", password: "Doctor-Rounds-1", name: "Awa Keita" };
  await openSchedule(page, DOCTOR);
  await appointment(page, "García, María José").click();
  const details = page.getByRole("dialog", { name: "Appointment: García, María José" });
  await details.getByRole("button", { name: "Check in" }).click();
  await details.getByTestId("appointment-status").filter({ hasText: "Arrived" }).waitFor();
  await details.getByRole("button", { name: "Close" }).click();
  const told = page.getByRole("status").filter({ hasText: "García, María José has arrived" });
  await told.waitFor({ timeout: 15_000 });
  assert.match(await told.textContent(), /Your \d\d:\d\d appointment · Consultation/);
  await screenshot(page, "37-schedule-arrival");
  // Told once: the next look finds nothing new.
  await page.waitForTimeout(11_000);
  assert.equal(await page.getByText("García, María José has arrived").count(), 0, "the message faded and did not come back");
  assertNoProblems(page);
});
