// Test build only: the sync commands of the mock backend (enrollment, status, sync now, review items, refused changes).
import type { Patient, RejectedChange, ReviewItem, SyncStatus } from "../api";
import { fail } from "./mockPatients";

export type SyncScenario = "not_enrolled" | "online" | "offline" | "attention";

type Args = Record<string, unknown>;
type Deps = {
  scenario: SyncScenario;
  /** Checks the session (and a permission) without counting it as activity when `touch` is false. */
  authorize: (args: Args, permission?: string, touch?: boolean) => { display_name: string };
  iso: () => string;
  patients: () => Patient[];
  record: (action: string) => void;
};

const OFFLINE = "The clinic server can't be reached. Your work is saved on this computer and will sync when the connection returns.";

export function syncHandlers({ scenario, authorize, iso, patients, record }: Deps): Record<string, (a: Args) => unknown> {
  const enrolled = scenario !== "not_enrolled";
  const status: SyncStatus = {
    enrolled,
    server_url: enrolled ? "https://clinic.example.org" : null,
    clinic_name: enrolled ? "Riverside Health Centre" : null,
    device_name: enrolled ? "Reception 1" : null,
    enrolled_at: enrolled ? iso() : null,
    connection: scenario === "offline" ? "offline" : enrolled ? "online" : "unknown",
    last_synced_at: enrolled ? new Date(Date.parse(iso()) - 5 * 60_000).toISOString() : null,
    last_attempt_at: enrolled ? iso() : null,
    pending_count: scenario === "offline" ? 3 : 0,
    rejected: [],
    open_review_items: 0,
    last_error: scenario === "offline" ? { code: "offline", message: OFFLINE } : scenario === "not_enrolled" ? { code: "not_enrolled", message: "This computer is not connected to a clinic server." } : null,
    clock_skew: null,
    initial_download_done: enrolled,
    initial_download_records: enrolled ? 1204 : 0,
    records_waiting: 0,
    audit_chain_break: null,
    consecutive_failures: scenario === "offline" ? 2 : 0,
  };
  const items: ReviewItem[] = [];
  if (scenario === "attention") {
    const garcia = patients().find((p) => p.family_name === "García");
    const record = (p: Patient | undefined) => ({ id: p?.id ?? crypto.randomUUID(), mrn: p?.mrn ?? null, display_name: p ? `${p.family_name}, ${p.given_name}` : null });
    items.push({
      id: crypto.randomUUID(), kind: "safety_field_conflict", status: "open", entity: "patient", records: [record(garcia)],
      fields: [{ field: "date_of_birth", base: "1980-03-12", theirs: "1980-03-21", ours: "1980-12-03", kept: "1980-12-03" }],
      resolution: null, resolved_by: null, updated_at: iso(), resolution_pending: false,
    });
    status.rejected.push({
      device_seq: 41, mutation_id: crypto.randomUUID(), name: "patient.update", entity: "patient", entity_id: garcia?.id ?? crypto.randomUUID(),
      description: "Edit of García, María José (MAIN-D01-000001): phones", reason: "The phone number has too many digits for a real number.",
      authored_by: "Marc Dupont", authored_at: iso(), rejected_at: iso(),
    } satisfies RejectedChange);
  }
  const refresh = () => {
    status.open_review_items = items.filter((i) => i.status === "open").length;
    return status;
  };

  return {
    sync_status: (a) => (authorize(a, undefined, false), refresh()),
    sync_now: (a) => {
      authorize(a, "sync_run");
      if (!status.enrolled) fail("unavailable", "This computer is not connected to a clinic server. An administrator can connect it on the Sync screen.");
      if (status.connection === "offline") fail("unavailable", OFFLINE);
      const sent = status.pending_count;
      Object.assign(status, { last_synced_at: iso(), last_attempt_at: iso(), pending_count: 0, last_error: null, connection: "online" });
      return { online: true, pushed: sent, applied: sent, conflicts: 0, duplicates: 0, rejected: 0, pulled: 2, written: 2, rebased: 0, parked: 0, bootstrap_records: 0, epoch_changed: false, pending: 0, review_items_open: status.open_review_items, problem: null };
    },
    enroll_device: (a) => {
      authorize(a, "sync_manage");
      const url = String(a.serverUrl ?? "").trim();
      if (!/^https:\/\/[^/\s]+/.test(url)) fail("validation", "Type the server's address as given, starting with https://, e.g. https://clinic.example.org.", "server_url");
      const code = String(a.code ?? "").trim();
      if (code === "") fail("validation", "Type the one-time enrollment code an administrator of the clinic server gave you.", "code");
      if (code.toUpperCase() !== "ABCD-EFGH-JKLM-NPQR") fail("validation", "This enrollment code was not accepted: it may be mistyped, already used or expired. Ask for a new code.", "code");
      const name = String(a.deviceName ?? "").trim();
      if (name === "") fail("validation", "Give this computer a name colleagues will recognise, e.g. Reception 1 (at most 100 characters).", "device_name");
      Object.assign(status, { enrolled: true, server_url: url, clinic_name: "Riverside Health Centre", device_name: name, enrolled_at: iso(), connection: "online", last_synced_at: iso(), last_error: null, initial_download_done: true, initial_download_records: 1204 });
      record("sync_enroll");
      return { server_url: url, clinic_name: "Riverside Health Centre", device_name: name };
    },
    list_review_items: (a) => (authorize(a, "patient_read"), items.filter((i) => a.includeClosed || i.status === "open")),
    resolve_review_item: (a) => {
      const who = authorize(a, "review_resolve");
      const item = items.find((i) => i.id === a.id) ?? fail("not_found", "This review item does not exist on this computer.");
      const text = String(a.resolution ?? "").trim();
      if (text === "") fail("validation", 'Say what was done, e.g. "kept the date of birth from the ID card" (at most 500 characters).', "resolution");
      Object.assign(item, { status: a.decision, resolution: text, resolved_by: who.display_name, updated_at: iso(), resolution_pending: true });
      status.pending_count += 1;
      record("review_resolve");
      return item;
    },
    list_rejected_changes: (a) => (authorize(a, "patient_read"), status.rejected),
    retry_rejected_change: (a) => {
      authorize(a, "review_resolve");
      status.rejected = status.rejected.filter((r) => r.device_seq !== a.deviceSeq);
      status.pending_count += 1;
      record("sync_retry");
      return null;
    },
    discard_rejected_change: (a) => {
      authorize(a, "review_resolve");
      if (String(a.reason ?? "").trim() === "") fail("validation", "Say why this change is discarded; the reason is kept in the audit trail.", "reason");
      status.rejected = status.rejected.filter((r) => r.device_seq !== a.deviceSeq);
      record("sync_discard");
      return null;
    },
  };
}
