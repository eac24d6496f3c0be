// End-to-end test of the real desktop app (release-like build with the UI embedded), as one continuous
// scenario: first-run setup → recovery key → sign in → register a patient → find them → add a doctor and a
// receptionist → the doctor's weekly hours → the receptionist books the patient with the doctor tomorrow at
// 10:00 → quit → relaunch on the same data folder and keychain → sign in → the appointment is in tomorrow's day
// view → find the patient again → the database on disk is encrypted.
// Run through scripts/e2e (it builds the app and provides Xvfb, D-Bus and an unlocked keyring).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, REPO, appProcessTree, launchApp, screenshot, startDriver, stepper, waitForAppExit } from "./lib/desktop.mjs";
import {
  CLINIC,
  appointmentTypeNames,
  appointmentsOf,
  bookSlot,
  clearSearch,
  click,
  confirmRecoveryKey,
  createStaff,
  fillSetup,
  navigate,
  openNextDay,
  openResult,
  openSchedule,
  recoveryKeyGroups,
  search,
  setWeeklyHours,
  signIn,
  signInFirstTime,
  signOut,
  type,
  waitForAppointment,
  waitForHeading,
  waitForPatient,
  waitForSignIn,
} from "./lib/screens.mjs";

// A patient no seed data has: the name and the phone's digits are what the disk check looks for.
const PATIENT = { given: "Ysolde", family: "Marchetti-Vranckx", phone: "+33 6 47 19 82 53" };
const HEADING = `${PATIENT.family}, ${PATIENT.given}`;
const NEEDLES = ["Ysolde", "Marchetti", "Vranckx", "33647198253", "647198253", "6 47 19 82 53"];
// The doctor the appointment is with, and the receptionist who books it (administrators may not book).
const DOCTOR = { displayName: "Dr Oluwaseun Abara", username: "o.abara", role: "Doctor", password: "Ward-Round-Tuesday-41" };
const RECEPTIONIST = { displayName: "Rosa Lindqvist", username: "r.lindqvist", role: "Receptionist", password: "Front-Desk-Morning-58" };
/** The appointment as the day view draws it: time–end, patient, type, status (the length is the type's). */
const APPOINTMENT = new RegExp(`^10:00–\\d{2}:\\d{2} ${HEADING} Consultation Booked$`);

const sessionHome = process.env.CLINIC_SESSION_HOME;
const application = process.env.CLINIC_DESK_APP ? realpathSync(process.env.CLINIC_DESK_APP) : join(REPO, "target", "debug", "clinic-desk");

/** Every file in `dir` (recursively) that contains one of the needles (case-insensitive), with what was found. */
function plaintextHits(dir) {
  const hits = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const text = readFileSync(path).toString("latin1").toLowerCase();
        const utf16 = readFileSync(path).toString("utf16le").toLowerCase();
        for (const needle of NEEDLES) {
          const n = needle.toLowerCase();
          if (text.includes(n) || utf16.includes(n)) hits.push(`${path}: "${needle}"`);
        }
      }
    }
  };
  walk(dir);
  return hits;
}

/** What the data folder holds, for the log: name and size of each file. */
function listing(dir) {
  const out = [];
  const walk = (d, prefix) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name} (${statSync(path).size} B)`);
    }
  };
  walk(dir, "");
  return out.join(", ");
}

function assertEncryptedOnDisk(dataDir) {
  const db = join(dataDir, "clinic.db");
  assert.ok(existsSync(db), `${db} exists`);
  const bytes = readFileSync(db);
  assert.ok(bytes.length >= 4096, `clinic.db has pages (${bytes.length} bytes)`);
  assert.notEqual(bytes.subarray(0, 16).toString("latin1"), "SQLite format 3\0", "clinic.db does not start with the plaintext SQLite header");
  assert.deepEqual(plaintextHits(dataDir), [], "no file in the data folder contains the patient's name or phone digits");
  return listing(dataDir);
}

test("the real app: set up, register, find, book, restart, see the booking, find again; nothing readable on disk", { timeout: 420_000 }, async () => {
  assert.ok(sessionHome, "run this through scripts/e2e (it provides the desktop session)");
  assert.ok(existsSync(application), `the app is built: ${application}`);
  // The disk check must be able to see a needle, or its silence proves nothing.
  assert.ok(NEEDLES.every((n) => Buffer.from(`..${n.toUpperCase()}..`).toString("latin1").toLowerCase().includes(n.toLowerCase())));

  const dataDir = join(sessionHome, "clinic-data");
  const app = { application, dataDir };
  const driver = await startDriver({ dataDir, logFile: join(ARTIFACTS, "tauri-driver.log") });
  const { step, use } = stepper();
  let browser = null;
  try {
    // ---- First launch: a fresh data folder.
    browser = await step("launch the app on an empty data folder", () => launchApp({ port: driver.port, application }));
    use(browser);
    await step("first-run setup screen", async () => {
      await waitForHeading(browser, "Set up Clinic Desk", 20_000);
      assert.ok(appProcessTree(app).length >= 1, "the app's process is found by its data folder");
      await screenshot(browser, "01-setup");
    });
    await step("fill in the clinic and the first administrator, create the clinic", async () => {
      await fillSetup(browser);
      await click(browser, "Create the clinic");
      await waitForHeading(browser, "Your recovery key", 20_000);
    });
    await step("the recovery key is shown once", async () => {
      const groups = await recoveryKeyGroups(browser);
      assert.equal(groups.length, 11, `11 groups (${groups.join("-")})`);
      assert.ok(groups.every((g) => /^[A-Z0-9]{5}$/.test(g)), "each group is 5 capital letters or digits");
      assert.equal(await (await browser.$("button=Continue to sign in")).isEnabled(), false, "cannot continue before confirming");
      await screenshot(browser, "02-recovery-key");
    });
    await step("confirm it is written down, continue to sign in", async () => {
      await confirmRecoveryKey(browser);
      await waitForSignIn(browser);
      assert.equal(await browser.execute(() => document.querySelector('[data-testid="clinic-name"]')?.textContent), CLINIC.name);
      await screenshot(browser, "03-sign-in");
    });
    await step("sign in as the new administrator", () => signIn(browser));
    await step("register a patient", async () => {
      await navigate(browser, "Register a patient");
      await waitForHeading(browser, "Register a patient");
      await type(browser, "Given name", PATIENT.given);
      await type(browser, "Family name", PATIENT.family);
      await type(browser, "Phone 1", PATIENT.phone);
      await screenshot(browser, "04-patient-form");
      await click(browser, "Register patient");
      await waitForPatient(browser, HEADING);
      const mrn = await browser.execute(() => document.querySelector(".mrn-badge")?.textContent);
      assert.match(mrn ?? "", /^E2E-D01-\d{6}$/, "the record number is the clinic's code, the device's code and a number");
    });
    await step("with the app running, the data folder holds nothing readable", () => {
      console.log(`       data folder: ${assertEncryptedOnDisk(dataDir)}`);
    });
    await step("search finds the patient by part of the name; the row opens the record", async () => {
      await click(browser, "Back to patients");
      await waitForHeading(browser, "Patients");
      const rows = await search(browser, "vranck", HEADING);
      assert.equal(rows.length, 1, `one match: ${rows.join(" | ")}`);
      assert.ok(rows[0].includes(PATIENT.phone), `the row shows the phone: ${rows[0]}`);
      await screenshot(browser, "05-search-results");
      await openResult(browser, PATIENT.family, HEADING);
      const text = await browser.execute(() => document.querySelector("main")?.innerText ?? "");
      assert.ok(text.includes(PATIENT.phone), "the overview shows the phone number");
      await screenshot(browser, "06-patient-overview");
    });
    await step("as the administrator, add a doctor and a receptionist (Staff)", async () => {
      await createStaff(browser, DOCTOR);
      await createStaff(browser, RECEPTIONIST);
      await screenshot(browser, "07-staff");
    });
    await step("first-run setup made the starter appointment types; the doctor works 09:00–17:00 every day", async () => {
      const lines = await setWeeklyHours(browser, DOCTOR.displayName);
      const days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
      assert.deepEqual(lines, days.map((d) => `${d} 09:00–17:00 work`), "the saved template, as reloaded");
      assert.deepEqual(await appointmentTypeNames(browser), ["Consultation", "Follow-up", "Procedure", "Telemedicine"]);
      await screenshot(browser, "08-weekly-hours");
    });
    let bookedDay = null;
    await step("sign out; the receptionist signs in for the first time and chooses her own password", async () => {
      await signOut(browser);
      await signInFirstTime(browser, RECEPTIONIST, "Rosa-Own-Pass-Phrase-91");
    });
    await step("the receptionist books the patient with the doctor tomorrow at 10:00; it is drawn in the doctor's column", async () => {
      await openSchedule(browser);
      bookedDay = await openNextDay(browser, DOCTOR.displayName);
      assert.deepEqual(await appointmentsOf(browser, DOCTOR.displayName), [], "tomorrow starts empty");
      const appointments = await bookSlot(
        browser,
        { clinician: DOCTOR.displayName, time: "10:00", search: "marchet", patient: HEADING, type: "Consultation" },
        { beforeBook: () => screenshot(browser, "09-booking-dialog") },
      );
      assert.equal(appointments.length, 1, `one appointment: ${appointments.join(" | ")}`);
      assert.match(appointments[0], APPOINTMENT);
      await screenshot(browser, "10-schedule-booked");
      console.log(`       booked: ${bookedDay}, ${appointments[0]}`);
    });
    await step("quit: end the WebDriver session; the app and its WebKit processes exit", async () => {
      await browser.deleteSession();
      browser = null;
      use(null);
      const ms = await waitForAppExit(app);
      console.log(`       exited ${ms} ms after the session ended`);
    });

    // ---- Second launch: same data folder, same keychain.
    browser = await step("relaunch on the same data folder", () => launchApp({ port: driver.port, application }));
    use(browser);
    await step("the app opens the encrypted database with the keychain's key: straight to sign-in", async () => {
      await waitForSignIn(browser);
      assert.equal(await browser.execute(() => document.querySelector('[data-testid="clinic-name"]')?.textContent), CLINIC.name);
      await screenshot(browser, "11-sign-in-after-restart");
    });
    await step("the receptionist signs in", () => signIn(browser, RECEPTIONIST));
    await step("the appointment is still there: tomorrow, 10:00, the patient, Consultation, Booked", async () => {
      await openSchedule(browser);
      // Tomorrow as it was at booking time (today, should the run have crossed midnight).
      const today = await browser.execute(() => document.querySelector('[data-testid="schedule-date"]')?.textContent);
      const day = today === bookedDay ? today : await openNextDay(browser, DOCTOR.displayName);
      assert.equal(day, bookedDay, "the day view shows the day the appointment was booked for");
      const appointments = await waitForAppointment(browser, DOCTOR.displayName, HEADING);
      assert.equal(appointments.length, 1, `one appointment: ${appointments.join(" | ")}`);
      assert.match(appointments[0], APPOINTMENT);
      await screenshot(browser, "12-schedule-after-restart");
    });
    await step("the patient is still there: search by another part of the name, by phone, open the record", async () => {
      await navigate(browser, "Patients");
      await waitForHeading(browser, "Patients");
      const byName = await search(browser, "ysold", HEADING);
      assert.equal(byName.length, 1, `one match: ${byName.join(" | ")}`);
      await clearSearch(browser);
      const byPhone = await search(browser, "47 19 82 53", HEADING);
      assert.equal(byPhone.length, 1, `one match by phone: ${byPhone.join(" | ")}`);
      await screenshot(browser, "13-search-after-restart");
      await openResult(browser, PATIENT.family, HEADING);
      await screenshot(browser, "14-patient-after-restart");
    });
    await step("quit again", async () => {
      await browser.deleteSession();
      browser = null;
      use(null);
      await waitForAppExit(app);
    });
    await step("on disk: clinic.db (and any -wal/-shm) has no SQLite header and no patient name or phone", () => {
      console.log(`       data folder: ${assertEncryptedOnDisk(dataDir)}`);
    });
  } finally {
    if (browser) await browser.deleteSession().catch(() => undefined);
    await driver.stop();
    // Left over after a failure: say so (desktop-session.sh ends whatever is left).
    await waitForAppExit(app, 5000).catch((e) => console.log(`  ${e.message}`));
  }
});
