// Test build only (`vite build --mode ipc-mock`): an in-memory fake of the Rust commands behind mockIPC, with a controllable clock.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AuditEntry, ClinicSettings, Patient, PatientDraft, Permission, Role, SessionInfo, StaffMember } from "../api";
import { clock } from "../clock";
import { duplicates, fail, search, seedPatients, validateDraft } from "./mockPatients";
import { scheduleHandlers } from "./mockSchedule";
import { syncHandlers, type SyncScenario } from "./mockSync";

type Config = {
  scenario?: "fresh" | "ready" | "needs_recovery_key" | "quarantined" | "joining";
  /** Delay of every answer, in ms. */
  latencyMs?: number;
  /** Delay of search answers, in ms (to see the spinner). */
  searchLatencyMs?: number;
  /** Joining a clinic: the first download is cut short (offline) until "Try again". */
  joinOffline?: boolean;
  /** Where sync stands (default: connected and up to date). */
  sync?: SyncScenario;
  /** The scheduling policy allows overbooking after a confirmation. */
  overbooking?: boolean;
};

declare global {
  interface Window {
    __CLINIC_MOCK__?: Config;
    __clinicMock?: {
      advanceMinutes: (minutes: number) => void;
      setSearchLatency: (ms: number) => void;
      /** The next call of `command` fails with this error (to see how the UI shows each code). */
      failNext: (command: string, error: { code: string; message: string; field?: string | null }) => void;
      calls: string[];
    };
  }
}

const PERMISSIONS: Record<Role, Permission[]> = {
  administrator: ["patient_read", "patient_write", "patient_delete", "patient_merge", "patient_import", "appointment_read", "invoice_read", "staff_manage", "settings_manage", "audit_read", "backup_restore", "sync_manage", "sync_run", "review_resolve", "schedule_manage", "leave_request", "leave_approve"],
  doctor: ["patient_read", "patient_write", "chart_read", "chart_write", "appointment_read", "appointment_write", "invoice_read", "sync_run", "review_resolve", "leave_request"],
  nurse: ["patient_read", "patient_write", "chart_read", "chart_write", "appointment_read", "appointment_write", "invoice_read", "sync_run", "review_resolve", "leave_request"],
  receptionist: ["patient_read", "patient_write", "patient_merge", "appointment_read", "appointment_write", "invoice_read", "invoice_write", "sync_run", "review_resolve"],
  billing_clerk: ["patient_read", "invoice_read", "invoice_write", "sync_run"],
};

type Staff = StaffMember & { password: string };
type Session = { staffId: string; lastActive: number; locked: boolean };
type Args = Record<string, unknown>;

const RECOVERY_KEY = "K7QXM-3B9TD-PL2WA-8RZ4N-C6HJE-V5YUF-Q2MKS-T8DWX-N4BZR-J7LPA-6GHQE";

export function installMockBackend(): void {
  const config: Config = window.__CLINIC_MOCK__ ?? {};
  let offset = 0;
  let searchLatency = config.searchLatencyMs ?? 0;
  clock.now = () => Date.now() + offset;
  const iso = () => new Date(clock.now()).toISOString();
  const today = () => iso().slice(0, 10);
  const calls: string[] = [];
  const failures_next = new Map<string, { code: string; message: string; field?: string | null }>();
  window.__clinicMock = {
    failNext: (command, error) => {
      failures_next.set(command, error);
    },
    advanceMinutes: (m) => {
      offset += m * 60_000;
    },
    setSearchLatency: (ms) => {
      searchLatency = ms;
    },
    calls,
  };

  let stage = config.scenario ?? "fresh";
  let settings: ClinicSettings | null = null;
  const device = "D01";
  const staff: Staff[] = [];
  const sessions = new Map<string, Session>();
  const failures = new Map<string, { count: number; until: number }>();
  let patients: Patient[] = [];
  const audit: AuditEntry[] = [];
  let mrnSeq = 0;

  const record = (action: string, outcome: string, user?: Staff, patientId?: string) => {
    const prev = audit[0]?.hash ?? "0".repeat(64);
    audit.unshift({
      device_id: "0190a0a0-0000-7000-8000-00000000d001",
      seq: audit.length + 1,
      at: iso(),
      user_id: user?.id ?? null,
      username: user?.username ?? null,
      action,
      entity_type: patientId ? "patient" : null,
      entity_id: patientId ?? null,
      patient_id: patientId ?? null,
      outcome,
      detail: "",
      prev_hash: prev,
      hash: (audit.length + 1).toString(16).padStart(64, "a"),
    });
  };

  const addStaff = (username: string, display_name: string, role: Role, password: string, must = false): Staff => {
    const member: Staff = { id: crypto.randomUUID(), username, display_name, role, active: true, must_change_password: must, created_at: iso(), password };
    staff.push(member);
    return member;
  };

  const seedReady = () => {
    settings = { name: "Riverside Health Centre", code: "MAIN", address: "4 Quai Claude Bernard, 69007 Lyon", time_zone: "Europe/Paris", currency: "EUR", invoice_prefix: "INV", date_format: "DMY", idle_lock_minutes: 10 };
    addStaff("admin", "Amina Diallo", "administrator", "Correct-Horse-7");
    addStaff("reception", "Marc Dupont", "receptionist", "Reception-Desk-1");
    addStaff("newnurse", "Inès Martin", "nurse", "Temporary-Pass-1", true);
    addStaff("doctor", "Awa Keita", "doctor", "Doctor-Rounds-1");
    addStaff("nurse", "Jean Moreau", "nurse", "Nurse-Station-1");
    addStaff("billing", "Lena Okafor", "billing_clerk", "Billing-Desk-1");
    patients = seedPatients("MAIN", device, iso());
    mrnSeq = patients.length;
  };
  if (stage !== "fresh") seedReady();

  const publicStaff = ({ password: _p, ...m }: Staff): StaffMember => m;

  const authorize = (args: Args, permission?: Permission, touch = true): Staff => {
    const id = String(args.session ?? "");
    const s = sessions.get(id);
    const member = s && staff.find((m) => m.id === s.staffId && m.active);
    if (!s || !member) return fail("unauthenticated", "Your session has ended. Sign in again.");
    const idle = (settings?.idle_lock_minutes ?? 10) * 60_000;
    if (!s.locked && clock.now() - s.lastActive > idle) {
      s.locked = true;
      record("session_lock", "success", member);
    }
    if (s.locked) return fail("locked", "The screen is locked. Enter your password to continue.");
    // Like core: an account still on an administrator's temporary password may do nothing that needs a permission.
    if (permission && member.must_change_password) {
      record("access_denied", "denied", member);
      return fail("forbidden", "Choose a new password before doing anything else: this account was given a temporary password by an administrator.");
    }
    if (permission && !PERMISSIONS[member.role].includes(permission)) {
      record("access_denied", "denied", member);
      return fail("forbidden", "Your role may not do this. Ask an administrator if you need this.");
    }
    if (touch) s.lastActive = clock.now();
    return member;
  };

  const sessionInfo = (id: string, m: Staff): SessionInfo => ({
    session_id: id,
    staff_id: m.id,
    username: m.username,
    display_name: m.display_name,
    role: m.role,
    permissions: PERMISSIONS[m.role],
    must_change_password: m.must_change_password,
    idle_lock_minutes: settings?.idle_lock_minutes ?? 10,
  });

  const status = () => {
    switch (stage) {
      case "fresh":
        return { stage: "setup_needed" };
      case "joining":
        return { stage: "joining", server_url: "https://clinic.example.org", clinic_name: "Riverside Health Centre", records: 0, problem: { code: "offline", message: "The clinic server can't be reached. Your work is saved on this computer and will sync when the connection returns." } };
      case "needs_recovery_key":
        return { stage: "needs_recovery_key", message: "The key in this computer's keychain does not open the clinic database. Enter the recovery key." };
      case "quarantined":
        return { stage: "quarantined", message: "The clinic database was damaged and has been set aside (not deleted). Restore the latest backup." };
      default:
        return { stage: "ready", clinic_name: settings?.name ?? "" };
    }
  };

  const checkPassword = (field: string, password: string) => {
    if (password.length < 8) fail("validation", "The password is too short: use at least 8 characters. A few words together make a good one.", field);
    if (["password", "password1", "12345678"].includes(password.toLowerCase()))
      fail("validation", "This password is on a list of commonly used passwords that attackers try first. Choose another.", field);
  };

  const findPatient = (id: unknown): Patient => patients.find((p) => p.id === id) ?? fail("not_found", "This patient record was not found.");

  const handlers: Record<string, (a: Args) => unknown> = {
    app_status: () => status(),
    setup_clinic: (a) => {
      const s = a.settings as ClinicSettings;
      const admin = a.administrator as { username: string; display_name: string; password: string };
      if (!s.name.trim()) fail("validation", "Enter the clinic's name (at most 200 characters).", "name");
      if (!/^[A-Z0-9]+(-[A-Z0-9]+)*$/.test(s.code.trim().toUpperCase()) || s.code.trim().length > 10)
        fail("validation", "Use 1 to 10 capital letters or digits (a dash may join them), e.g. MAIN.", "code");
      if (!(s.idle_lock_minutes >= 1 && s.idle_lock_minutes <= 480)) fail("validation", "Lock after between 1 and 480 minutes of inactivity.", "idle_lock_minutes");
      if (admin.username.trim().length < 3) fail("validation", "A user name has 3 to 64 characters.", "username");
      if (!admin.display_name.trim()) fail("validation", "Enter the person's name as colleagues know it.", "display_name");
      checkPassword("password", admin.password);
      settings = { ...s, code: s.code.trim().toUpperCase() };
      addStaff(admin.username.trim(), admin.display_name.trim(), "administrator", admin.password);
      stage = "ready";
      record("clinic_setup", "success");
      return { recovery_key: RECOVERY_KEY };
    },
    join_clinic: (a) => {
      if (!/^https:\/\/[^/\s]+/.test(String(a.serverUrl ?? "").trim())) fail("validation", "Type the server's address as given, starting with https://, e.g. https://clinic.example.org.", "server_url");
      if (!/^D\d{2}$/.test(String(a.deviceCode ?? ""))) fail("validation", "Use D followed by two digits, e.g. D02.", "device_code");
      if (String(a.code ?? "").trim().toUpperCase() !== "ABCD-EFGH-JKLM-NPQR") fail("validation", "This enrollment code was not accepted: it may be mistyped, already used or expired. Ask for a new code.", "code");
      if (!String(a.deviceName ?? "").trim()) fail("validation", "Give this computer a name colleagues will recognise, e.g. Reception 1 (at most 100 characters).", "device_name");
      if (config.joinOffline) stage = "joining";
      else {
        seedReady();
        stage = "ready";
      }
      return { recovery_key: RECOVERY_KEY, status: status() };
    },
    continue_join: () => {
      if (stage === "joining") {
        seedReady();
        stage = "ready";
      }
      return status();
    },
    unlock_with_recovery_key: (a) => {
      if (String(a.recoveryKey).replace(/[\s-]/g, "").toUpperCase() !== RECOVERY_KEY.replace(/-/g, ""))
        fail("key_rejected", "This recovery key does not open the clinic database. Check each group of letters.");
      stage = "ready";
      return status();
    },
    login: (a) => {
      const username = String(a.username).trim().toLowerCase();
      if (!username) fail("validation", "Enter your user name.", "username");
      if (!a.password) fail("validation", "Enter your password.", "password");
      const f = failures.get(username);
      if (f && f.count >= 5 && clock.now() < f.until) fail("throttled", "Too many unsuccessful sign-ins with this user name. Wait 30 seconds, then try again.");
      const m = staff.find((x) => x.username.toLowerCase() === username && x.active);
      if (!m || m.password !== a.password) {
        const count = (f?.count ?? 0) + 1;
        failures.set(username, { count, until: clock.now() + 30_000 });
        record("login", "failure", m);
        return fail("unauthenticated", "The user name or password is not right. Check them and try again.");
      }
      failures.delete(username);
      const id = crypto.randomUUID();
      sessions.set(id, { staffId: m.id, lastActive: clock.now(), locked: false });
      record("login", "success", m);
      return sessionInfo(id, m);
    },
    logout: (a) => {
      sessions.delete(String(a.session));
      return null;
    },
    lock_session: (a) => {
      const s = sessions.get(String(a.session));
      if (s) s.locked = true;
      return null;
    },
    unlock_session: (a) => {
      const s = sessions.get(String(a.session));
      const m = s && staff.find((x) => x.id === s.staffId);
      if (!s || !m) return fail("unauthenticated", "Your session has ended. Sign in again.");
      if (!a.password) fail("validation", "Enter your password.", "password");
      const key = m.username.toLowerCase();
      const f = failures.get(key);
      if (f && f.count >= 5 && clock.now() < f.until) fail("throttled", "Too many unsuccessful sign-ins with this user name. Wait 30 seconds, then try again.");
      if (a.password !== m.password) {
        failures.set(key, { count: (f?.count ?? 0) + 1, until: clock.now() + 30_000 });
        record("session_unlock", "failure", m);
        // Like core: a typo on the lock screen is a field error; `unauthenticated` means the session ended.
        return fail("validation", "That password is not right. Try again.", "password");
      }
      failures.delete(key);
      s.locked = false;
      s.lastActive = clock.now();
      record("session_unlock", "success", m);
      return null;
    },
    touch_session: (a) => (authorize(a), null),
    change_own_password: (a) => {
      const m = authorize(a);
      if (a.currentPassword !== m.password) fail("validation", "Your current password is not right.", "current_password");
      if (a.newPassword === a.currentPassword) fail("validation", "Choose a password different from the current one.", "new_password");
      checkPassword("new_password", String(a.newPassword));
      m.password = String(a.newPassword);
      m.must_change_password = false;
      return null;
    },
    list_staff: (a) => (authorize(a, "staff_manage"), staff.map(publicStaff)),
    create_staff: (a) => {
      authorize(a, "staff_manage");
      const n = a.staff as { username: string; display_name: string; role: Role; password: string };
      if (n.username.trim().length < 3) fail("validation", "A user name has 3 to 64 characters.", "username");
      if (staff.some((m) => m.username.toLowerCase() === n.username.trim().toLowerCase())) fail("validation", "This user name is already in use. Choose another.", "username");
      if (!n.display_name.trim()) fail("validation", "Enter the person's name as colleagues know it.", "display_name");
      checkPassword("password", n.password);
      return publicStaff(addStaff(n.username.trim(), n.display_name.trim(), n.role, n.password, true));
    },
    change_staff_role: (a) => {
      authorize(a, "staff_manage");
      const m = staff.find((x) => x.id === a.staffId) ?? fail("not_found", "This member of staff was not found.");
      m.role = a.role as Role;
      return publicStaff(m);
    },
    deactivate_staff: (a) => {
      authorize(a, "staff_manage");
      const m = staff.find((x) => x.id === a.staffId) ?? fail("not_found", "This member of staff was not found.");
      m.active = false;
      return publicStaff(m);
    },
    reactivate_staff: (a) => {
      authorize(a, "staff_manage");
      const m = staff.find((x) => x.id === a.staffId) ?? fail("not_found", "This member of staff was not found.");
      m.active = true;
      return publicStaff(m);
    },
    reset_staff_password: (a) => {
      authorize(a, "staff_manage");
      const m = staff.find((x) => x.id === a.staffId) ?? fail("not_found", "This member of staff was not found.");
      checkPassword("password", String(a.temporaryPassword));
      m.password = String(a.temporaryPassword);
      m.must_change_password = true;
      // Like core: the member's sessions end, so they sign in again with the temporary password.
      for (const [id, session] of sessions) if (session.staffId === m.id) sessions.delete(id);
      return publicStaff(m);
    },
    get_settings: (a) => (authorize(a), settings),
    update_settings: (a) => {
      authorize(a, "settings_manage");
      const s = a.settings as ClinicSettings;
      if (!s.name.trim()) fail("validation", "Enter the clinic's name (at most 200 characters).", "name");
      if (!(s.idle_lock_minutes >= 1 && s.idle_lock_minutes <= 480)) fail("validation", "Lock after between 1 and 480 minutes of inactivity.", "idle_lock_minutes");
      settings = s;
      return settings;
    },
    list_audit: (a) => {
      authorize(a, "audit_read");
      const f = (a.filter ?? {}) as { user_id?: string | null; action?: string | null; from_date?: string | null; to_date?: string | null };
      return audit.filter(
        (e) => (!f.user_id || e.user_id === f.user_id) && (!f.action || e.action === f.action) && (!f.from_date || e.at.slice(0, 10) >= f.from_date) && (!f.to_date || e.at.slice(0, 10) <= f.to_date),
      );
    },
    verify_audit: (a) => (authorize(a, "audit_read"), { entries_checked: audit.length, devices: 1, breaks: [] }),
    export_audit_csv: (a) => (authorize(a, "audit_read"), { path: "/home/clinic/Documents/audit.csv", entries: audit.length }),
    search_patients: (a) => (authorize(a, "patient_read"), search(patients, String(a.query), Number(a.limit), settings?.date_format ?? "DMY")),
    check_duplicates: (a) => (authorize(a, "patient_read"), duplicates(patients, a.draft as PatientDraft)),
    register_patient: (a) => {
      const m = authorize(a, "patient_write");
      const draft = validateDraft(a.draft as PatientDraft, today());
      const dups = duplicates(patients, draft);
      if (dups.length > 0 && !a.confirmNotDuplicate) return { outcome: "possible_duplicates", value: dups };
      mrnSeq += 1;
      const p: Patient = {
        ...draft,
        id: crypto.randomUUID(),
        mrn: `${settings?.code ?? "MAIN"}-${device}-${String(mrnSeq).padStart(6, "0")}`,
        merged_into: null,
        deleted_at: null,
        deleted_reason: null,
        created_at: iso(),
        updated_at: iso(),
        updated_by: m.id,
        row_version: 1,
      };
      patients.push(p);
      record("patient_create", "success", m, p.id);
      return { outcome: "registered", value: p };
    },
    get_patient: (a) => {
      const m = authorize(a, "patient_read");
      const p = findPatient(a.patientId);
      record("patient_view", "success", m, p.id);
      return p;
    },
    update_patient: (a) => {
      const m = authorize(a, "patient_write");
      const p = findPatient(a.patientId);
      if (p.row_version !== a.expectedRowVersion) fail("conflict", "Someone else changed this record after you opened it. Open it again to see their changes.");
      Object.assign(p, validateDraft(a.draft as PatientDraft, today()), { updated_at: iso(), updated_by: m.id, row_version: (p.row_version ?? 0) + 1 });
      record("patient_update", "success", m, p.id);
      return p;
    },
    delete_patient: (a) => {
      const m = authorize(a, "patient_delete");
      const p = findPatient(a.patientId);
      if (!String(a.reason ?? "").trim()) fail("validation", "Say why this record is being deleted.", "reason");
      Object.assign(p, { deleted_at: iso(), deleted_reason: String(a.reason).trim(), row_version: (p.row_version ?? 0) + 1 });
      record("patient_delete", "success", m, p.id);
      return p;
    },
    merge_patients: (a) => {
      const m = authorize(a, "patient_merge");
      const survivor = findPatient(a.survivorId);
      const dup = findPatient(a.duplicateId);
      if (!String(a.reason ?? "").trim()) fail("validation", "Say why these records are the same person.", "reason");
      Object.assign(dup, { merged_into: survivor.id, row_version: (dup.row_version ?? 0) + 1 });
      record("patient_merge", "success", m, survivor.id);
      return survivor;
    },
    create_backup: (a) => {
      authorize(a, "backup_restore");
      return { path: `/media/usb/clinic-${today()}.cdbk`, bytes: 4_718_592, backup_key: a.newKey ? "B4CKP-7XQ2M-LZ9TD-3WA8R-N6HJE-C5YUF-Q2MKS-T8DWX-N4BZR-J7LPA-6GHQE" : null };
    },
    restore_backup: (a) => {
      if (a.session) authorize(a, "backup_restore");
      if (a.backupKey === "CANCEL") return null; // stands for the person cancelling the file dialog
      if (!settings) seedReady(); // a new computer: the backup brings the clinic
      sessions.clear();
      stage = "ready";
      return status();
    },
    export_recovery_sheet: (a) => (authorize(a, "backup_restore"), "/home/clinic/Documents/recovery-sheet.pdf"),
  };

  Object.assign(
    handlers,
    syncHandlers({
      scenario: config.sync ?? "online",
      authorize: (a, p, touch) => authorize(a, p as Permission | undefined, touch),
      iso,
      patients: () => patients,
      record: (action) => record(action, "success"),
    }),
  );

  Object.assign(
    handlers,
    scheduleHandlers({
      authorize: (a, p) => authorize(a, p as Permission | undefined),
      now: () => clock.now(),
      zone: () => settings?.time_zone ?? "UTC",
      currency: () => settings?.currency ?? "EUR",
      patients: () => patients,
      staff: () => staff,
      overbooking: config.overbooking ?? false,
    }),
  );

  mockIPC(async (cmd, payload) => {
    calls.push(cmd);
    const handler = handlers[cmd] ?? (() => fail("internal", `The mock backend has no command ${cmd}.`));
    const delay = (cmd === "search_patients" ? searchLatency : 0) + (config.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => window.setTimeout(r, delay));
    const injected = failures_next.get(cmd);
    if (injected) {
      failures_next.delete(cmd);
      fail(injected.code, injected.message, injected.field ?? null);
    }
    return handler((payload ?? {}) as Args);
  });
}
