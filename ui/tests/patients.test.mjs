// Flow: register a patient (field error under date of birth, fix, save), find them by search (arrows + Enter), the duplicate warning.
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

const nextYear = new Date().getFullYear() + 1;

test("register a patient: a future date of birth is refused under the field, then fixed and saved", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Register a patient" }).click();
  await page.getByRole("heading", { name: "Register a patient" }).waitFor();
  await checkA11y(page, "registration form");

  await field(page, "Given name").fill("Awa");
  await field(page, "Family name").fill("Traoré");
  await field(page, "Date of birth").fill(`03/02/${nextYear}`);
  await field(page, "Phone 1").fill("+223 70 12 34 56");
  await page.getByRole("button", { name: "Add an allergy" }).click();
  await field(page, "Allergy 1").fill("Sulfonamides");
  await page.getByRole("button", { name: "Add an identifier" }).click();
  await field(page, "Identifier 1").fill("ML-778899");
  await page.getByRole("button", { name: "Register patient" }).click();

  const error = page.locator("#field-date_of_birth-error");
  await error.waitFor();
  assert.match(await error.textContent(), /date of birth is in the future/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-date_of_birth", "the field at fault has the focus");
  const describedBy = await page.locator("#field-date_of_birth").getAttribute("aria-describedby");
  assert.ok(describedBy?.includes("field-date_of_birth-error"), "the error is tied to the field");
  assert.equal(await page.locator("#field-date_of_birth").getAttribute("aria-invalid"), "true");
  await checkA11y(page, "registration form with an error");
  await screenshot(page, "05-register-field-error");

  await field(page, "Date of birth").fill("3/2/1990");
  await page.getByRole("button", { name: "Register patient" }).click();
  await page.getByTestId("patient-name").filter({ hasText: "Traoré, Awa" }).waitFor();
  await page.getByText("Sulfonamides").waitFor();
  assert.match(await page.locator(".mrn-badge").textContent(), /^MAIN-D01-\d{6}$/);
  await checkA11y(page, "patient overview");
  await screenshot(page, "06-patient-overview");

  // Search finds them: part of the name, arrow down, Enter opens the overview.
  await page.getByRole("button", { name: "Back to patients" }).click();
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "patient-search", "the search box has the focus");
  await search.pressSequentially("trao", { delay: 30 });
  const option = page.getByRole("option", { name: /Traoré, Awa/ });
  await option.waitFor();
  await search.press("ArrowDown");
  await search.press("ArrowUp");
  assert.equal(await option.getAttribute("aria-selected"), "true");
  await checkA11y(page, "patient search results");
  await screenshot(page, "07-patient-search");
  await search.press("Enter");
  await page.getByTestId("patient-name").filter({ hasText: "Traoré, Awa" }).waitFor();
  assertNoProblems(page);
});

test("search: several results, arrow keys choose, Escape clears, phone and record number work, nothing found says so", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.pressSequentially("smi");
  const results = page.getByRole("listbox", { name: "Matching patients" });
  await results.getByRole("option").nth(1).waitFor();
  const names = await results.getByRole("option").locator(".result-name").allTextContents();
  assert.deepEqual(names, ["Smith, Joanna", "Smith, John"]);
  await search.press("ArrowDown");
  assert.equal(await page.getByRole("option", { name: /Smith, John/ }).getAttribute("aria-selected"), "true");
  assert.equal(await search.getAttribute("aria-activedescendant"), await page.getByRole("option", { name: /Smith, John/ }).getAttribute("id"));
  await search.press("Escape");
  assert.equal(await search.inputValue(), "");
  await page.getByText("Start typing to find a patient.").waitFor();

  await search.fill("06 98 76");
  await page.getByRole("option", { name: /Nguyen, Thi Lan/ }).waitFor();
  await search.fill("main-d01-000006");
  await page.getByRole("option", { name: /Müller, Jürgen/ }).waitFor();
  await search.fill("12/03/1980");
  await page.getByRole("option", { name: /García, María José/ }).waitFor();
  await search.fill("garcia");
  await page.getByRole("option", { name: /García, María José/ }).waitFor();
  await search.fill("zzyzx");
  await page.getByText("No patient matches “zzyzx”.", { exact: false }).waitFor();
  assertNoProblems(page);
});

test("search: a slow answer shows a spinner; stale answers never replace newer ones", async () => {
  const page = await app.open({ mock: { searchLatencyMs: 700 } });
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.fill("smith");
  await page.getByRole("status").filter({ hasText: "Searching…" }).waitFor();
  await page.getByRole("option", { name: /Smith, John/ }).waitFor();
  assert.equal(await page.getByText("Searching…").count(), 0);

  // A slow search for "m", then a fast one for "müller": only the newer answer shows.
  await page.evaluate(() => window.__clinicMock.setSearchLatency(900));
  await search.fill("m");
  await page.waitForTimeout(200);
  await page.evaluate(() => window.__clinicMock.setSearchLatency(0));
  await search.fill("müller");
  await page.getByRole("option", { name: /Müller, Jürgen/ }).waitFor();
  await page.waitForTimeout(1000);
  const names = await page.getByRole("listbox", { name: "Matching patients" }).getByRole("option").locator(".result-name").allTextContents();
  assert.deepEqual(names, ["Müller, Jürgen"]);
  assertNoProblems(page);
});

test("duplicates: a look-alike is shown while typing, and on saving; open it or register anyway", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Register a patient" }).click();
  await field(page, "Given name").fill("Maria Jose");
  await field(page, "Family name").fill("Garcia");
  await field(page, "Date of birth").fill("12/03/1980");
  const live = page.locator(".duplicate-banner");
  await live.waitFor();
  assert.match(await live.textContent(), /García, María José/);
  assert.match(await live.textContent(), /Same name and date of birth/);
  await checkA11y(page, "registration with a live duplicate warning");
  await screenshot(page, "08-duplicate-live");

  await page.getByRole("button", { name: "Register patient" }).click();
  const dialog = page.getByRole("dialog", { name: "Is this the same person?" });
  await dialog.waitFor();
  await checkA11y(page, "duplicate dialog");
  await screenshot(page, "09-duplicate-dialog");
  // "Open this record" goes to the existing record.
  await dialog.getByRole("button", { name: /Open this record: García, María José/ }).click();
  await page.getByTestId("patient-name").filter({ hasText: "García, María José" }).waitFor();
  await page.getByText("Penicillin").waitFor();

  // Again, this time a different person with the same details: register anyway.
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Register a patient" }).click();
  await field(page, "Given name").fill("María José");
  await field(page, "Family name").fill("García");
  await field(page, "Date of birth").fill("1980-03-12");
  await page.getByRole("button", { name: "Register patient" }).click();
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Register as a new patient anyway" }).click();
  await page.getByText("Patient registered").waitFor();
  const mrn = await page.locator(".mrn-badge").textContent();
  assert.notEqual(mrn, "MAIN-D01-000001");
  assertNoProblems(page);
});

test("dates are typed the clinic's way: not-a-date is refused under the field, the clinic's format shows in edits", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.fill("garcia");
  await page.getByRole("option", { name: /García, María José/ }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const dob = field(page, "Date of birth");
  assert.equal(await dob.inputValue(), "12/03/1980", "day/month/year, as the clinic is set up");
  assert.match(await page.locator("#field-date_of_birth-hint").textContent(), /DD\/MM\/YYYY/);

  await dob.fill("31/02/1980");
  await page.getByRole("button", { name: "Save changes" }).click();
  const error = page.locator("#field-date_of_birth-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "This is not a date. Type it as DD/MM/YYYY, for example 31/12/1980.");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "field-date_of_birth");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("definition").filter({ hasText: "12 Mar 1980" }).waitFor();

  // The clinic switches to month/day/year: the same record's date is shown and read that way.
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Settings" }).click();
  await field(page, "Date format").selectOption("MDY");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Patients" }).click();
  await page.getByRole("combobox", { name: "Find a patient" }).fill("garcia");
  await page.getByRole("option", { name: /García, María José/ }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  assert.equal(await field(page, "Date of birth").inputValue(), "03/12/1980");
  await field(page, "Date of birth").fill("13/03/1980");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.locator("#field-date_of_birth-error").filter({ hasText: "MM/DD/YYYY" }).waitFor();
  await field(page, "Date of birth").fill("3/14/1980");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByRole("definition").filter({ hasText: "14 Mar 1980" }).waitFor();
  assertNoProblems(page);
});

test("overview: edit, delete with a reason, merge a duplicate", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.fill("Joanna");
  await page.getByRole("option", { name: /Smith, Joanna/ }).click();
  await page.getByTestId("patient-name").filter({ hasText: "Smith, Joanna" }).waitFor();

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByRole("heading", { name: "Edit Smith, Joanna" }).waitFor();
  await field(page, "Phone 1").fill("12");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.locator("#field-phones-0-number-error").waitFor();
  await field(page, "Phone 1").fill("+44 7700 900999");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("+44 7700 900999 (Mobile)").waitFor();

  await page.getByRole("button", { name: "Merge a duplicate" }).click();
  const merge = page.getByRole("dialog", { name: "Merge a duplicate record into this one" });
  await merge.waitFor();
  await field(page, "Find the duplicate record").fill("John");
  await merge.getByLabel(/Smith, John/).check();
  await field(page, "Why are these the same person?").fill("Same person registered twice at reception.");
  await checkA11y(page, "merge dialog");
  await merge.getByRole("button", { name: "Merge records" }).click();
  await page.getByText("The records were merged").waitFor();

  await page.getByRole("button", { name: "Delete record" }).click();
  const del = page.getByRole("dialog", { name: /Delete the record of Smith, Joanna/ });
  await del.waitFor();
  await checkA11y(page, "delete dialog");
  await del.getByRole("button", { name: "Delete record" }).click();
  await page.locator("#field-reason-error").waitFor();
  await field(page, "Reason").fill("Test record entered by mistake.");
  await del.getByRole("button", { name: "Delete record" }).click();
  await page.getByText(/This record was deleted on/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Edit", exact: true }).count(), 0);
  assertNoProblems(page);
});

test("errors: each code gets a translated toast; an ended session goes back to sign-in", async () => {
  const page = await app.open();
  await signIn(page, ADMIN);
  const search = page.getByRole("combobox", { name: "Find a patient" });
  await search.fill("Okafor");
  await page.getByRole("option", { name: /Okafor, Chinedu/ }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await field(page, "Given name").waitFor();
  await page.evaluate(() =>
    window.__clinicMock.failNext("update_patient", { code: "conflict", message: "Someone else changed this record after you opened it." }),
  );
  await page.getByRole("button", { name: "Save changes" }).click();
  const toast = page.getByRole("alert").filter({ hasText: "Someone else changed this" });
  await toast.waitFor();
  assert.match(await toast.textContent(), /after you opened it/);
  await checkA11y(page, "form with an error toast");
  await toast.getByRole("button", { name: "Dismiss" }).click();

  await page.evaluate(() => window.__clinicMock.failNext("update_patient", { code: "forbidden", message: "Your role may not edit patients." }));
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByRole("alert").filter({ hasText: "Not allowed for your role" }).waitFor();

  await page.getByRole("button", { name: "Cancel" }).click();
  await page.evaluate(() => window.__clinicMock.failNext("get_patient", { code: "unauthenticated", message: "Your session has ended. Sign in again." }));
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByRole("alert").filter({ hasText: "Your session has ended" }).waitFor();
  assertNoProblems(page);
});
