// Flow: calendar subscription links. An administrator makes one for a doctor, copies it, replaces it and stops it; a
// doctor sees and makes only her own (from "My day"); reception sees no card; a desk not joined to a server is told
// to join first; axe checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, RECEPTION, assertNoProblems, checkA11y, field, screenshot, signIn, startApp } from "./harness.mjs";

const DOCTOR = { username: "doctor", password: "Doctor-Rounds-1", name: "Awa Keita" };
const FEED_URL = /^https:\/\/clinic\.example\.org\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/;

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

async function openSetup(page) {
  await signIn(page, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Scheduling setup" }).click();
  const card = page.getByRole("region", { name: "Calendar subscription" });
  await card.waitFor();
  return card;
}

/** The history's lines, whitespace squeezed. */
async function history(card) {
  const lines = await card.getByRole("list", { name: "Links made on this computer" }).getByRole("listitem").allTextContents();
  return lines.map((l) => l.replace(/\s+/g, " ").trim());
}

test("an administrator makes a doctor's link, copies it, makes a new one, stops it; the list follows", async () => {
  const page = await app.open();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.baseUrl });
  const card = await openSetup(page);
  await card.getByText("Events show 'Appointment' unless the clinic allows patient names in calendars").waitFor();
  await card.getByLabel("Clinician").selectOption({ label: "Awa Keita" });
  await card.getByText("Awa Keita has no link made on this computer.").waitFor();
  await card.getByText("No links made on this computer yet.").waitFor();

  await card.getByRole("button", { name: "Make a subscription link" }).click();
  await page.getByText("Subscription link made for Awa Keita").waitFor();
  const link = field(page, "Subscription link");
  await link.waitFor();
  const first = await link.inputValue();
  assert.match(first, FEED_URL, "an https address of the clinic server ending in .ics");
  assert.equal(await link.getAttribute("readonly"), "", "the link cannot be typed over");
  await card.getByText(/Google Calendar → Other calendars → From URL/).waitFor();
  assert.deepEqual((await history(card)).map((l) => l.replace(/Made .* by/, "Made … by")), ["Awa Keita Made … by Amina Diallo In use"]);

  await card.getByRole("button", { name: "Copy", exact: true }).click();
  await page.getByText("Link copied: paste it in the calendar application").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first, "the clipboard holds the link");
  await checkA11y(page, "scheduling setup (calendar subscription)");
  await screenshot(page, "38-calendar-feed-admin");

  // A new link warns first, then replaces the old one.
  await card.getByRole("button", { name: "Make a new link" }).click();
  const replace = page.getByRole("dialog", { name: "Make a new link?" });
  await replace.getByText("The current link of Awa Keita stops working").waitFor();
  await checkA11y(page, "make a new calendar link");
  await replace.getByRole("button", { name: "Make a new link" }).click();
  await replace.waitFor({ state: "hidden" });
  await card.getByText(/Stopped .* by Amina Diallo/).waitFor();
  const second = await link.inputValue();
  assert.match(second, FEED_URL);
  assert.notEqual(second, first, "the new link has a new secret");
  const lines = await history(card);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^Awa Keita Made .* by Amina Diallo In use$/, "the newest first, in use");
  assert.match(lines[1], /^Awa Keita Made .* by Amina Diallo Stopped .* by Amina Diallo$/, "the old one stopped");

  // Stopping asks first; a cancel changes nothing.
  await card.getByRole("button", { name: "Stop this link" }).click();
  const stop = page.getByRole("dialog", { name: "Stop this link?" });
  await stop.getByRole("button", { name: "Cancel" }).click();
  await stop.waitFor({ state: "hidden" });
  assert.equal(await link.inputValue(), second);
  await card.getByRole("button", { name: "Stop this link" }).click();
  await stop.getByText("Calendars subscribed to the link of Awa Keita stop updating").waitFor();
  await stop.getByRole("button", { name: "Stop this link" }).click();
  await page.getByText("Link of Awa Keita stopped").waitFor();
  await card.getByText("Awa Keita has no link made on this computer.").waitFor();
  assert.equal(await link.count(), 0, "no link is shown any more");
  const stopped = await history(card);
  assert.equal(stopped.length, 2);
  assert.ok(stopped.every((l) => /Stopped .* by Amina Diallo$/.test(l)), `every link stopped: ${stopped.join(" | ")}`);
  assert.equal(await card.getByText("In use").count(), 0);
  assertNoProblems(page);
});

test("a doctor sees and makes only her own link, from My day", async () => {
  const page = await app.open();
  // The administrator makes a link for the nurse first: the doctor must not see it.
  const card = await openSetup(page);
  await card.getByLabel("Clinician").selectOption({ label: "Jean Moreau" });
  await card.getByRole("button", { name: "Make a subscription link" }).click();
  await field(page, "Subscription link").waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();

  await signIn(page, DOCTOR);
  await page.getByRole("heading", { name: "Schedule", level: 1 }).waitFor();
  await page.getByRole("tab", { name: "My day", selected: true }).waitFor();
  const own = page.getByRole("region", { name: "Calendar subscription" });
  await own.getByText("You have no link made on this computer.").waitFor();
  await own.getByText("No links made on this computer yet.").waitFor();
  assert.equal(await own.getByLabel("Clinician").count(), 0, "no choice of clinician");
  assert.equal(await own.getByText("Jean Moreau").count(), 0, "the nurse's link is not listed");

  await own.getByRole("button", { name: "Make a subscription link" }).click();
  assert.match(await field(page, "Subscription link").inputValue(), FEED_URL);
  const lines = await history(own);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^Awa Keita Made .* by Awa Keita In use$/);
  await checkA11y(page, "my day (calendar subscription)");
  await screenshot(page, "39-calendar-feed-own");
  assertNoProblems(page);
});

test("reception sees no calendar subscription card", async () => {
  const page = await app.open();
  await signIn(page, RECEPTION);
  await page.getByRole("heading", { name: "Schedule", level: 1 }).waitFor();
  await page.getByRole("tab", { name: "Waiting room" }).waitFor();
  assert.equal(await page.getByRole("tab", { name: "My day" }).count(), 0);
  assert.equal(await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Scheduling setup" }).count(), 0);
  for (const tab of ["Waiting room", "Waitlist", "Find a free slot"]) {
    await page.getByRole("tab", { name: tab }).click();
    assert.equal(await page.getByRole("region", { name: "Calendar subscription" }).count(), 0, `not under ${tab}`);
  }
  assertNoProblems(page);
});

test("a computer not joined to a clinic server is told to join first, and nothing is made", async () => {
  const page = await app.open({ mock: { sync: "not_enrolled" } });
  const card = await openSetup(page);
  await card.getByLabel("Clinician").selectOption({ label: "Awa Keita" });
  await card.getByRole("button", { name: "Make a subscription link" }).click();
  await card.getByRole("alert").filter({ hasText: "This computer is not connected to a clinic server" }).waitFor();
  assert.match(await card.getByRole("alert").textContent(), /Join the clinic server first \(Sync screen\), then make the link\./);
  assert.equal(await field(page, "Subscription link").count(), 0);
  await card.getByText("No links made on this computer yet.").waitFor();
  await checkA11y(page, "calendar subscription refused (not joined)");
  assertNoProblems(page);
});
