// Test build only: the scheduling commands of the mock backend, in memory, with the rules the UI relies on: clashes
// (refused, or NeedsConfirmation when the policy allows overbooking), working hours, forward-only statuses,
// check-in on the day, no-show after the start, a reason to cancel, waitlist offers for freed time, calendar
// subscription links (administrators for any doctor or nurse, a clinician for themselves; a joined desk only).
import type { Appointment, AppointmentCard, AppointmentType, CalendarFeed, Clash, Clinician, Closure, FeedLink, LeaveRequest, Patient, SchedulingPolicy, TimeOfDay, WaitlistEntry, WorkingPeriod } from "../api";
import { fail } from "./mockPatients";

type Args = Record<string, unknown>;
type Actor = { id: string; display_name: string; role: string };
type StaffLike = { id: string; display_name: string; role: string; active: boolean };
type Deps = {
  authorize: (args: Args, permission?: string) => Actor;
  now: () => number;
  zone: () => string;
  currency: () => string;
  patients: () => Patient[];
  staff: () => StaffLike[];
  overbooking: boolean;
};

const pad = (n: number) => String(n).padStart(2, "0");

/** The clinic's civil date-time (`YYYY-MM-DDTHH:MM:SS`) of an instant. */
function toLocal(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}`;
}

/** The instant of a civil date-time in the zone (first occurrence; good enough away from DST changes). */
function toInstant(local: string, zone: string): number {
  const [d, t = "00:00"] = local.split("T") as [string, string?];
  const [y, mo, da] = d.split("-").map(Number) as [number, number, number];
  const [h, mi] = t.split(":").map(Number) as [number, number];
  const guess = Date.UTC(y, mo - 1, da, h, mi);
  const shown = toLocal(guess, zone);
  const [sd, st] = shown.split("T") as [string, string];
  const [sy, smo, sda] = sd.split("-").map(Number) as [number, number, number];
  const [sh, smi] = st.split(":").map(Number) as [number, number];
  return guess - (Date.UTC(sy, smo - 1, sda, sh, smi) - guess);
}

/** The clinic server of the mock's sync scenario (none when the desk is not joined), which serves the feeds. */
const feedServer = () => (window.__CLINIC_MOCK__?.sync === "not_enrolled" ? null : "https://clinic.example.org");

/** 32 random bytes in URL-safe base64 without padding, like core's token. */
function feedToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const norm = (local: string) => (local.length === 16 ? `${local}:00` : local);
const addDaysTo = (date: string, n: number) => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`;
};
const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
const minutes = (local: string) => Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
const localAt = (date: string, m: number) => `${date}T${pad(Math.floor(m / 60))}:${pad(m % 60)}:00`;

export function scheduleHandlers(deps: Deps): Record<string, (a: Args) => unknown> {
  const { authorize, now, zone } = deps;
  const iso = (ms: number) => new Date(ms).toISOString();
  const today = () => toLocal(now(), zone()).slice(0, 10);
  let policy: SchedulingPolicy = { allow_overbooking: deps.overbooking, calendar_patient_names: false, telemedicine_base_url: "https://meet.example.org/riverside" };
  const types: AppointmentType[] = [];
  // The arrivals already told to the signed-in clinician (check_arrivals).
  let told: { session: string; ids: Set<string> } | null = null;
  const profiles = new Map<string, { specialty: string; languages: string[]; slot_minutes: number }>();
  const templates = new Map<string, WorkingPeriod[]>();
  const extras: { id: string; clinician_id: string; local_start: string; local_end: string; note: string }[] = [];
  const closures: Closure[] = [];
  const leave: LeaveRequest[] = [];
  const appointments: Appointment[] = [];
  const waitlist: (WaitlistEntry & { created: number })[] = [];
  const feeds: (CalendarFeed & { token: string | null })[] = [];

  const addType = (name: string, duration: number, colour: string, telemedicine: boolean): AppointmentType => {
    const t: AppointmentType = { id: crypto.randomUUID(), name, duration_minutes: duration, colour, price_minor: 0, currency: deps.currency(), telemedicine, active: true, row_version: 1 };
    types.push(t);
    return t;
  };
  const starters = () => {
    const made: AppointmentType[] = [];
    for (const [n, d, c, tm] of [["Consultation", 15, "#2f80ed", false], ["Follow-up", 10, "#27ae60", false], ["Procedure", 30, "#eb5757", false], ["Telemedicine", 15, "#9b51e0", true]] as const) {
      if (!types.some((x) => x.name === n)) made.push(addType(n, d, c, tm));
    }
    return made;
  };

  const clinicians = (): Clinician[] =>
    deps.staff().filter((s) => s.role === "doctor" || s.role === "nurse").map((s) => {
      const p = profiles.get(s.id) ?? { specialty: "", languages: [], slot_minutes: 15 };
      return { staff_id: s.id, display_name: s.display_name, role: s.role as Clinician["role"], active: s.active, ...p };
    });
  const clinician = (id: unknown) => clinicians().find((c) => c.staff_id === id) ?? fail("not_found", "This clinician does not exist.");
  const patient = (id: unknown) => deps.patients().find((p) => p.id === id && !p.deleted_at) ?? fail("validation", "Choose the patient: this record was not found.", "patient_id");
  const typeOf = (id: unknown) => types.find((t) => t.id === id) ?? fail("validation", "Choose an appointment type.", "type_id");

  /** Open minutes of a clinician on a date: template work minus breaks, plus extra sessions; nothing on a closure or approved leave. */
  const openOn = (clinicianId: string, date: string): [number, number][] => {
    if (closures.some((c) => c.day === date)) return [];
    const periods = (templates.get(clinicianId) ?? []).filter((p) => p.weekday === isoWeekday(date));
    let open: [number, number][] = periods.filter((p) => p.kind === "work").map((p) => [minutes(`xxxxxxxxxxT${p.start}`), minutes(`xxxxxxxxxxT${p.end}`)]);
    for (const e of extras.filter((x) => x.clinician_id === clinicianId && x.local_start.slice(0, 10) === date)) open.push([minutes(e.local_start), minutes(e.local_end)]);
    const cut = (spans: [number, number][], [a, b]: [number, number]) => spans.flatMap(([s, e]): [number, number][] => (b <= s || a >= e ? [[s, e]] : ([[s, Math.min(a, e)], [Math.max(b, s), e]] as [number, number][]).filter(([x, y]) => y > x)));
    for (const p of periods.filter((x) => x.kind === "break")) open = cut(open, [minutes(`xxxxxxxxxxT${p.start}`), minutes(`xxxxxxxxxxT${p.end}`)]);
    for (const l of leave.filter((x) => x.clinician_id === clinicianId && x.status === "approved")) {
      const from = l.local_start.slice(0, 10) < date ? 0 : l.local_start.slice(0, 10) > date ? 24 * 60 : minutes(l.local_start);
      const to = l.local_end.slice(0, 10) > date ? 24 * 60 : l.local_end.slice(0, 10) < date ? 0 : minutes(l.local_end);
      if (to > from) open = cut(open, [from, to]);
    }
    return open.sort((a, b) => a[0] - b[0]);
  };
  const holds = (a: Appointment) => a.status !== "cancelled" && a.status !== "no_show";
  const overlaps = (a: Appointment, start: string, end: string) => a.local_start < end && start < a.local_end;

  const clashesFor = (clinicianId: string, patientId: string, start: string, end: string, exclude: string | null): Clash[] => {
    const found: Clash[] = [];
    const date = start.slice(0, 10);
    const closure = closures.find((c) => c.day === date);
    if (closure) found.push({ kind: "closure", message: `The clinic is closed that day (${closure.name}).`, appointment_id: null });
    const open = openOn(clinicianId, date);
    if (!closure && !open.some(([s, e]) => minutes(start) >= s && minutes(end) <= e && end.slice(0, 10) === date))
      found.push({ kind: "outside_working_hours", message: `${clinician(clinicianId).display_name} does not work then. Choose a time in their hours.`, appointment_id: null });
    for (const a of appointments.filter((x) => x.id !== exclude && holds(x) && overlaps(x, start, end))) {
      if (a.clinician_id === clinicianId)
        found.push({ kind: "clinician_overlap", message: `${clinician(clinicianId).display_name} already has an appointment from ${a.local_start.slice(11, 16)} to ${a.local_end.slice(11, 16)}. Choose another time or another clinician.`, appointment_id: a.id });
      else if (a.patient_id === patientId) found.push({ kind: "patient_overlap", message: `The patient already has an appointment from ${a.local_start.slice(11, 16)} to ${a.local_end.slice(11, 16)}.`, appointment_id: a.id });
    }
    return found;
  };
  /** Core's decision: nothing clashes → write; clashes → NeedsConfirmation (overbooking allowed) or an error on `start`. */
  const decide = (found: Clash[], confirm: boolean): "write" | "overbook" | "ask" => {
    if (found.length === 0) return "write";
    if (!policy.allow_overbooking) {
      const first = found[0]!;
      return fail(first.kind === "clinician_overlap" || first.kind === "patient_overlap" ? "conflict" : "validation", first.message, "start");
    }
    return confirm ? "overbook" : "ask";
  };
  const parseStart = (text: unknown): string => {
    const s = String(text ?? "");
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s)) fail("validation", "This date or time is not valid. Use the calendar, or type it as 2026-03-30 09:00.", "start");
    return norm(s);
  };
  const endOf = (start: string, length: number) => toLocal(toInstant(start, zone()) + length * 60_000, zone());

  const card = (a: Appointment): AppointmentCard => {
    const p = deps.patients().find((x) => x.id === a.patient_id);
    const t = types.find((x) => x.id === a.type_id);
    return {
      id: a.id, patient_id: a.patient_id, patient_name: p ? `${p.family_name}, ${p.given_name}` : "", clinician_id: a.clinician_id, clinician_name: clinician(a.clinician_id).display_name,
      type_id: a.type_id, type_name: t?.name ?? "", colour: t?.colour ?? "#888888", telemedicine: t?.telemedicine ?? false, status: a.status, overbooked: a.overbooked,
      starts_at: a.starts_at, ends_at: a.ends_at, local_start: a.local_start, local_end: a.local_end, arrived_at: a.arrived_at, special_needs: a.special_needs,
    };
  };
  const create = (actor: string | null, patientId: string, clinicianId: string, typeId: string, start: string, length: number, overbooked: boolean, needs: Appointment["special_needs"], series: string | null): Appointment => {
    const t = typeOf(typeId);
    const end = endOf(start, length);
    const at = iso(now());
    const a: Appointment = {
      id: crypto.randomUUID(), patient_id: patientId, clinician_id: clinicianId, type_id: typeId, starts_at: iso(toInstant(start, zone())), ends_at: iso(toInstant(end, zone())), local_start: start, local_end: end,
      status: "booked", series_id: series, overbooked, special_needs: needs, meeting_link: t.telemedicine ? `${policy.telemedicine_base_url}/${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}` : null,
      recording_consent: false, consent_recorded_by: null, consent_recorded_at: null, arrived_at: null, started_at: null, completed_at: null, cancelled_at: null, cancel_reason: null, no_show_at: null,
      status_changed_at: at, status_changed_by: actor, created_at: at, created_by: actor, updated_at: at, updated_by: actor, row_version: 1,
    };
    appointments.push(a);
    return a;
  };
  const find = (id: unknown) => appointments.find((a) => a.id === id) ?? fail("not_found", "This appointment does not exist.");

  const fitsPart = (part: TimeOfDay, m: number) =>
    part.kind === "any" || (part.kind === "morning" && m < 720) || (part.kind === "afternoon" && m >= 720 && m < 1020) || (part.kind === "evening" && m >= 1020) || (part.kind === "window" && m >= minutes(`xxxxxxxxxxT${part.from}`) && m < minutes(`xxxxxxxxxxT${part.to}`));
  /** The first waiting patients who fit a freed `[start, end)` with a clinician, in waitlist order. */
  const offers = (clinicianId: string, start: string, end: string, exceptPatient: string) => {
    if (toInstant(start, zone()) < now()) return [];
    const length = (toInstant(end, zone()) - toInstant(start, zone())) / 60_000;
    return waitlist
      .filter((w) => w.status === "waiting" && w.patient_id !== exceptPatient && (!w.clinician_id || w.clinician_id === clinicianId) && w.from_date <= start.slice(0, 10) && w.to_date >= start.slice(0, 10) && fitsPart(w.time_of_day, minutes(start)))
      .filter((w) => (types.find((t) => t.id === w.type_id)?.duration_minutes ?? 999) <= length)
      .sort((a, b) => a.created - b.created)
      .slice(0, 3)
      .map((w) => ({ entry_id: w.id, patient_id: w.patient_id, patient_name: w.patient_name, type_id: w.type_id, clinician_id: clinicianId, local_start: start, duration_minutes: types.find((t) => t.id === w.type_id)?.duration_minutes ?? 15 }));
  };

  /** Free starts of `length` minutes with `who`, day by day from `from` to `to` (earliest first), at most `limit`. */
  const freeSlots = (who: Clinician[], from: string, to: string, length: number, part: TimeOfDay, limit: number) => {
    const found: unknown[] = [];
    for (let d = from < today() ? today() : from; d <= to && found.length < limit; d = addDaysTo(d, 1)) {
      const day: { start: string; c: Clinician }[] = [];
      for (const c of who) {
        for (const [s, e] of openOn(c.staff_id, d)) {
          for (let m = s; m + length <= e; m += c.slot_minutes) {
            const start = localAt(d, m);
            const end = endOf(start, length);
            if (toInstant(start, zone()) < now() || !fitsPart(part, m)) continue;
            if (appointments.some((x) => x.clinician_id === c.staff_id && holds(x) && overlaps(x, start, end))) continue;
            day.push({ start, c });
          }
        }
      }
      day.sort((x, y) => x.start.localeCompare(y.start) || x.c.display_name.localeCompare(y.c.display_name));
      for (const s of day.slice(0, limit - found.length)) {
        const end = endOf(s.start, length);
        found.push({ clinician_id: s.c.staff_id, clinician_name: s.c.display_name, starts_at: iso(toInstant(s.start, zone())), ends_at: iso(toInstant(end, zone())), local_start: s.start, local_end: end });
      }
    }
    return found;
  };

  const move = (a: Appointment, to: Appointment["status"], actor: Actor) => {
    const allowed: Record<string, string[]> = { booked: ["arrived", "in_consultation", "cancelled", "no_show"], arrived: ["in_consultation", "cancelled"], in_consultation: ["completed"] };
    if (!(allowed[a.status] ?? []).includes(to)) fail("conflict", `This appointment is ${a.status.replace("_", " ")}; it cannot become ${to.replace("_", " ")}.`);
    const at = iso(now());
    Object.assign(a, { status: to, status_changed_at: at, status_changed_by: actor.id, updated_at: at, updated_by: actor.id, row_version: a.row_version + 1 });
    return a;
  };

  const dayColumn = (c: Clinician, date: string) => ({
    date, clinician_id: c.staff_id, clinician_name: c.display_name,
    open: openOn(c.staff_id, date).map(([s, e]) => ({ start: localAt(date, s), end: e >= 1440 ? `${addDaysTo(date, 1)}T00:00:00` : localAt(date, e) })),
    on_leave: leave.some((l) => l.clinician_id === c.staff_id && l.status === "approved" && l.local_start.slice(0, 10) <= date && l.local_end.slice(0, 10) >= date),
    appointments: appointments.filter((a) => a.clinician_id === c.staff_id && a.local_start.slice(0, 10) === date).sort((a, b) => a.local_start.localeCompare(b.local_start)).map(card),
  });

  // Seed: the starter types, two clinicians working 07:00–20:00 every day, today's and tomorrow's appointments, a waiting patient.
  const seed = () => {
    starters();
    const keita = clinicians().find((c) => c.display_name === "Awa Keita");
    const moreau = clinicians().find((c) => c.display_name === "Jean Moreau");
    for (const c of clinicians()) templates.set(c.staff_id, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "07:00:00", end: "20:00:00", kind: "work" as const })));
    if (keita) profiles.set(keita.staff_id, { specialty: "General practice", languages: ["fr", "en"], slot_minutes: 15 });
    const people = deps.patients();
    const consult = types[0]!;
    const nowLocal = toLocal(now(), zone());
    const startToday = localAt(nowLocal.slice(0, 10), Math.floor(minutes(nowLocal) / 15) * 15);
    const none = { interpreter_language: null, accessibility: "", notes: "" };
    if (keita && people[0]) create(null, people[0].id, keita.staff_id, consult.id, startToday, 15, false, none, null);
    if (moreau && people[1]) create(null, people[1].id, moreau.staff_id, consult.id, startToday, 15, false, { ...none, interpreter_language: "ar" }, null);
    if (keita && people[2]) create(null, people[2].id, keita.staff_id, consult.id, `${addDaysTo(nowLocal.slice(0, 10), 1)}T10:00:00`, 15, false, none, null);
    const smith = people.find((p) => p.family_name === "Smith" && p.given_name === "John");
    if (smith) waitlist.push({ id: crypto.randomUUID(), patient_id: smith.id, patient_name: "Smith, John", clinician_id: null, type_id: consult.id, from_date: nowLocal.slice(0, 10), to_date: addDaysTo(nowLocal.slice(0, 10), 30), time_of_day: { kind: "any" }, notes: "", status: "waiting", appointment_id: null, skips: 0, row_version: 1, created: 1 });
  };
  let seeded = false;
  const ready = () => {
    if (!seeded && deps.staff().length > 0) {
      seeded = true;
      seed();
    }
  };
  const read = (a: Args) => (ready(), authorize(a, "appointment_read"));
  const write = (a: Args) => (ready(), authorize(a, "appointment_write"));
  const manage = (a: Args) => (ready(), authorize(a, "schedule_manage"));

  const book = (a: Args, actor: Actor, d: { patient_id: string; clinician_id: string; type_id: string; start: string; duration_minutes: number | null; special_needs: Appointment["special_needs"] }, confirm: boolean, series: string | null) => {
    patient(d.patient_id);
    clinician(d.clinician_id);
    const t = typeOf(d.type_id);
    const start = parseStart(d.start);
    if (toInstant(start, zone()) < now()) fail("validation", "This time has already passed. Choose a time from now on.", "start");
    const length = d.duration_minutes ?? t.duration_minutes;
    if (!(length >= 5 && length <= 720)) fail("validation", "The length must be between 5 and 720 minutes.", "duration_minutes");
    const found = clashesFor(d.clinician_id, d.patient_id, start, endOf(start, length), null);
    const decision = decide(found, confirm);
    void a;
    if (decision === "ask") return { outcome: "needs_confirmation", value: found };
    return { outcome: "booked", value: create(actor.id, d.patient_id, d.clinician_id, d.type_id, start, length, decision === "overbook", d.special_needs, series) };
  };

  return {
    schedule_day: (a) => {
      read(a);
      const date = String(a.date);
      const closure = closures.find((c) => c.day === date);
      return { date, closure: closure?.name ?? null, columns: clinicians().filter((c) => c.active).map((c) => dayColumn(c, date)) };
    },
    schedule_week: (a) => {
      read(a);
      const c = clinician(a.clinicianId);
      const date = String(a.date);
      const monday = addDaysTo(date, 1 - isoWeekday(date));
      return [0, 1, 2, 3, 4, 5, 6].map((i) => dayColumn(c, addDaysTo(monday, i)));
    },
    schedule_month: (a) => {
      read(a);
      const first = `${a.year}-${pad(Number(a.month))}-01`;
      const days: unknown[] = [];
      for (let d = first; d.slice(0, 7) === first.slice(0, 7); d = addDaysTo(d, 1)) {
        const on = appointments.filter((x) => x.local_start.slice(0, 10) === d && (!a.clinicianId || x.clinician_id === a.clinicianId));
        days.push({ date: d, appointments: on.filter(holds).length, cancelled: on.filter((x) => x.status === "cancelled").length, no_show: on.filter((x) => x.status === "no_show").length, closed: closures.some((c) => c.day === d) });
      }
      return days;
    },
    waiting_room: (a) => {
      read(a);
      return appointments
        .filter((x) => x.status === "arrived" && x.local_start.slice(0, 10) === today())
        .sort((x, y) => (x.arrived_at ?? "").localeCompare(y.arrived_at ?? ""))
        .map((x) => ({ appointment: card(x), waiting_minutes: Math.floor((now() - Date.parse(x.arrived_at ?? iso(now()))) / 60_000) }));
    },
    check_arrivals: (a) => {
      const actor = read(a);
      const arrived = appointments.filter((x) => x.clinician_id === actor.id && x.status === "arrived" && x.local_start.slice(0, 10) === today());
      const session = String(a.session);
      if (told?.session !== session) {
        told = { session, ids: new Set(arrived.map((x) => x.id)) };
        return [];
      }
      const known = told.ids;
      const fresh = arrived.filter((x) => !known.has(x.id));
      fresh.forEach((x) => known.add(x.id));
      return fresh.map(card);
    },
    my_day: (a) => {
      const actor = read(a);
      return appointments.filter((x) => x.clinician_id === actor.id && x.local_start.slice(0, 10) === today()).sort((x, y) => x.local_start.localeCompare(y.local_start)).map(card);
    },
    patient_appointments: (a) => {
      read(a);
      const mine = appointments.filter((x) => x.patient_id === a.patientId).sort((x, y) => x.starts_at.localeCompare(y.starts_at));
      const nowIso = iso(now());
      return { upcoming: mine.filter((x) => x.ends_at >= nowIso).map(card), past: mine.filter((x) => x.ends_at < nowIso).reverse().map(card) };
    },
    find_free_slots: (a) => {
      read(a);
      const q = a.query as { type_id: string; duration_minutes: number | null; clinician_id: string | null; specialty: string | null; language: string | null; from_date: string; to_date: string; time_of_day: TimeOfDay; limit: number };
      const t = typeOf(q.type_id);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(q.from_date)) fail("validation", "Give the first day as a date.", "from_date");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(q.to_date) || q.to_date < q.from_date) fail("validation", "The last day must be on or after the first.", "to_date");
      const length = q.duration_minutes ?? t.duration_minutes;
      const who = clinicians().filter((c) => c.active && (!q.clinician_id || c.staff_id === q.clinician_id) && (!q.specialty || c.specialty.toLowerCase() === q.specialty.toLowerCase()) && (!q.language || c.languages.includes(q.language.toLowerCase())));
      return freeSlots(who, q.from_date, q.to_date, length, q.time_of_day, q.limit);
    },
    appointment_alternatives: (a) => {
      read(a);
      // Core's rule: free slots of its length with clinicians of the same specialty (anyone when it has none), from its day, over 30 days.
      const appt = find(a.appointmentId);
      const specialty = clinician(appt.clinician_id).specialty.toLowerCase();
      const who = clinicians().filter((c) => c.active && (!specialty || c.specialty.toLowerCase() === specialty));
      const from = appt.local_start.slice(0, 10) < today() ? today() : appt.local_start.slice(0, 10);
      const length = (Date.parse(appt.ends_at) - Date.parse(appt.starts_at)) / 60_000;
      return freeSlots(who, from, addDaysTo(from, 30), length, { kind: "any" }, Math.min(Math.max(Number(a.limit) || 1, 1), 100));
    },
    list_clinicians: (a) => (read(a), clinicians()),
    scheduling_policy: (a) => (read(a), policy),

    book_appointment: (a) => book(a, write(a), a.draft as never, Boolean(a.confirmOverbooking), null),
    book_appointment_series: (a) => {
      const actor = write(a);
      const r = a.recurrence as { frequency: "daily" | "weekly"; interval: number; count: number };
      if (!(r.count >= 2 && r.count <= 52)) fail("validation", "A series has between 2 and 52 appointments.", "count");
      if (!(r.interval >= 1 && r.interval <= 52)) fail("validation", "Repeat every 1 to 52 days or weeks.", "interval");
      const d = a.draft as { patient_id: string; clinician_id: string; type_id: string; start: string; duration_minutes: number | null; special_needs: Appointment["special_needs"] };
      const start = parseStart(d.start);
      const length = d.duration_minutes ?? typeOf(d.type_id).duration_minutes;
      const starts = Array.from({ length: r.count }, (_, i) => `${addDaysTo(start.slice(0, 10), i * r.interval * (r.frequency === "weekly" ? 7 : 1))}${start.slice(10)}`);
      const occurrences = starts.map((s, index) => ({ index, local_start: s, clashes: clashesFor(d.clinician_id, d.patient_id, s, endOf(s, length), null) })).filter((o) => o.clashes.length > 0);
      if (occurrences.length > 0 && !(policy.allow_overbooking && a.confirmOverbooking)) return { outcome: "clashes", value: { occurrences, can_confirm: policy.allow_overbooking } };
      const series = crypto.randomUUID();
      return { outcome: "booked", value: starts.map((s) => create(actor.id, d.patient_id, d.clinician_id, d.type_id, s, length, occurrences.some((o) => o.local_start === s), d.special_needs, series)) };
    },
    reschedule_appointment: (a) => {
      const actor = write(a);
      const appt = find(a.appointmentId);
      if (appt.status !== "booked") fail("conflict", `Only booked appointments can be moved; this one is ${appt.status.replace("_", " ")}.`);
      const d = a.draft as { start: string; clinician_id: string | null; duration_minutes: number | null };
      const start = parseStart(d.start);
      if (toInstant(start, zone()) < now()) fail("validation", "This time has already passed. Choose a time from now on.", "start");
      const clinicianId = d.clinician_id ?? appt.clinician_id;
      const length = d.duration_minutes ?? (Date.parse(appt.ends_at) - Date.parse(appt.starts_at)) / 60_000;
      const end = endOf(start, length);
      const decision = decide(clashesFor(clinicianId, appt.patient_id, start, end, appt.id), Boolean(a.confirmOverbooking));
      if (decision === "ask") return { outcome: "needs_confirmation", value: clashesFor(clinicianId, appt.patient_id, start, end, appt.id) };
      const freed = { clinician: appt.clinician_id, start: appt.local_start, end: appt.local_end };
      Object.assign(appt, { clinician_id: clinicianId, local_start: start, local_end: end, starts_at: iso(toInstant(start, zone())), ends_at: iso(toInstant(end, zone())), overbooked: decision === "overbook", updated_by: actor.id, row_version: appt.row_version + 1 });
      return { outcome: "rescheduled", value: { appointment: appt, waitlist_offers: offers(freed.clinician, freed.start, freed.end, appt.patient_id) } };
    },
    get_appointment: (a) => (read(a), find(a.appointmentId)),
    check_in_appointment: (a) => {
      const actor = write(a);
      const appt = find(a.appointmentId);
      if (appt.status === "booked" && appt.local_start.slice(0, 10) !== today()) fail("validation", "Patients are checked in on the day of their appointment.", "appointment_id");
      move(appt, "arrived", actor).arrived_at = iso(now());
      return appt;
    },
    start_consultation: (a) => {
      const appt = move(find(a.appointmentId), "in_consultation", write(a));
      appt.started_at = iso(now());
      return appt;
    },
    complete_appointment: (a) => {
      const appt = move(find(a.appointmentId), "completed", write(a));
      appt.completed_at = iso(now());
      return appt;
    },
    mark_no_show: (a) => {
      const actor = write(a);
      const appt = find(a.appointmentId);
      if (appt.status === "booked" && toInstant(appt.local_start, zone()) >= now()) fail("validation", "A patient can be marked as not come only once the appointment has started.", "appointment_id");
      move(appt, "no_show", actor).no_show_at = iso(now());
      return appt;
    },
    cancel_appointment: (a) => {
      const actor = write(a);
      const reason = String(a.reason ?? "").trim();
      if (!reason) fail("validation", "Say why the appointment is cancelled.", "reason");
      const appt = move(find(a.appointmentId), "cancelled", actor);
      Object.assign(appt, { cancelled_at: iso(now()), cancel_reason: reason });
      return { appointment: appt, waitlist_offers: offers(appt.clinician_id, appt.local_start, appt.local_end, appt.patient_id) };
    },
    set_recording_consent: (a) => {
      const actor = write(a);
      const appt = find(a.appointmentId);
      if (!appt.meeting_link) fail("validation", "This is not a telemedicine appointment; it has no meeting link.", "appointment_id");
      Object.assign(appt, { recording_consent: Boolean(a.consent), consent_recorded_by: actor.id, consent_recorded_at: iso(now()) });
      return appt;
    },
    start_recorded_session: (a) => {
      write(a);
      const appt = find(a.appointmentId);
      if (!appt.meeting_link) fail("validation", "This is not a telemedicine appointment; it has no meeting link.", "appointment_id");
      if (!appt.recording_consent) fail("validation", "The patient has not consented to recording. Record their consent first, or start without recording.", "recording_consent");
      return { appointment_id: appt.id, meeting_link: appt.meeting_link };
    },

    list_waitlist: (a) => (read(a), waitlist.filter((w) => w.status === "waiting").sort((x, y) => x.created - y.created).map(({ created: _c, ...w }) => w)),
    add_to_waitlist: (a) => {
      write(a);
      const d = a.draft as { patient_id: string; clinician_id: string | null; type_id: string; from_date: string; to_date: string; time_of_day: TimeOfDay; notes: string };
      const p = patient(d.patient_id);
      typeOf(d.type_id);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.from_date)) fail("validation", "Give the first day the patient can come.", "from_date");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.to_date) || d.to_date < d.from_date) fail("validation", "The last day must be on or after the first.", "to_date");
      const entry = { id: crypto.randomUUID(), patient_id: p.id, patient_name: `${p.family_name}, ${p.given_name}`, clinician_id: d.clinician_id, type_id: d.type_id, from_date: d.from_date, to_date: d.to_date, time_of_day: d.time_of_day, notes: d.notes, status: "waiting" as const, appointment_id: null, skips: 0, row_version: 1, created: now() };
      waitlist.push(entry);
      return entry;
    },
    remove_from_waitlist: (a) => {
      write(a);
      const w = waitlist.find((x) => x.id === a.id) ?? fail("not_found", "This waitlist entry does not exist.");
      w.status = "removed";
      return w;
    },
    skip_waitlist_offer: (a) => {
      write(a);
      const w = waitlist.find((x) => x.id === a.id) ?? fail("not_found", "This waitlist entry does not exist.");
      w.skips += 1;
      return w;
    },
    book_from_waitlist: (a) => {
      const actor = write(a);
      const w = waitlist.find((x) => x.id === a.id && x.status === "waiting") ?? fail("not_found", "This waitlist entry is no longer waiting.");
      const r = book(a, actor, { patient_id: w.patient_id, clinician_id: String(a.clinicianId), type_id: w.type_id, start: String(a.start), duration_minutes: null, special_needs: { interpreter_language: null, accessibility: "", notes: w.notes } }, Boolean(a.confirmOverbooking), null);
      if (r.outcome === "booked") Object.assign(w, { status: "booked", appointment_id: (r.value as Appointment).id });
      return r;
    },

    list_appointment_types: (a) => (read(a), types.filter((t) => a.includeInactive || t.active)),
    create_appointment_type: (a) => {
      manage(a);
      const d = a.draft as { name: string; duration_minutes: number; colour: string; price_minor: number; telemedicine: boolean };
      if (!d.name.trim()) fail("validation", "Name the type, e.g. Consultation.", "name");
      if (types.some((t) => t.name.toLowerCase() === d.name.trim().toLowerCase())) fail("validation", "A type with this name exists. Choose another name.", "name");
      if (!(d.duration_minutes >= 5 && d.duration_minutes <= 720)) fail("validation", "The length must be between 5 and 720 minutes.", "duration_minutes");
      if (!/^#[0-9a-f]{6}$/i.test(d.colour)) fail("validation", "Choose a colour (#rrggbb).", "colour");
      if (!(d.price_minor >= 0)) fail("validation", "The price cannot be negative.", "price_minor");
      const t = addType(d.name.trim(), d.duration_minutes, d.colour, d.telemedicine);
      t.price_minor = d.price_minor;
      return t;
    },
    create_starter_appointment_types: (a) => (manage(a), starters()),
    update_appointment_type: (a) => {
      manage(a);
      const t = types.find((x) => x.id === a.typeId) ?? fail("not_found", "This appointment type does not exist.");
      if (t.row_version !== a.expectedRowVersion) fail("conflict", "Someone else changed this type after you opened it. Open it again.");
      const d = a.draft as { name: string; duration_minutes: number; colour: string; price_minor: number; telemedicine: boolean };
      if (!d.name.trim()) fail("validation", "Name the type, e.g. Consultation.", "name");
      if (!(d.duration_minutes >= 5 && d.duration_minutes <= 720)) fail("validation", "The length must be between 5 and 720 minutes.", "duration_minutes");
      Object.assign(t, { ...d, name: d.name.trim(), row_version: t.row_version + 1 });
      return t;
    },
    set_appointment_type_active: (a) => {
      manage(a);
      const t = types.find((x) => x.id === a.typeId) ?? fail("not_found", "This appointment type does not exist.");
      Object.assign(t, { active: Boolean(a.active), row_version: t.row_version + 1 });
      return t;
    },
    set_clinician_profile: (a) => {
      manage(a);
      const p = a.profile as { specialty: string; languages: string[]; slot_minutes: number };
      if (!(p.slot_minutes >= 5 && p.slot_minutes <= 240)) fail("validation", "The slot length must be between 5 and 240 minutes.", "slot_minutes");
      profiles.set(clinician(a.staffId).staff_id, p);
      return clinician(a.staffId);
    },
    update_scheduling_policy: (a) => {
      manage(a);
      const p = a.policy as SchedulingPolicy;
      if (p.telemedicine_base_url && !/^https:\/\/\S+$/.test(p.telemedicine_base_url)) fail("validation", "Give the provider's address starting with https://.", "telemedicine_base_url");
      policy = { ...p, telemedicine_base_url: p.telemedicine_base_url.replace(/\/+$/, "") };
      return policy;
    },
    get_weekly_template: (a) => (read(a), { clinician_id: String(a.clinicianId), periods: templates.get(String(a.clinicianId)) ?? [] }),
    set_weekly_template: (a) => {
      manage(a);
      const periods = a.periods as WorkingPeriod[];
      periods.forEach((p, i) => {
        if (!(p.start < p.end)) fail("validation", "The end of a period must be after its start (on the same day).", `periods[${i}]`);
      });
      templates.set(String(a.clinicianId), periods);
      return { clinician_id: String(a.clinicianId), periods };
    },
    list_extra_sessions: (a) => (read(a), extras.filter((x) => x.clinician_id === a.clinicianId && x.local_start.slice(0, 10) >= String(a.from) && x.local_start.slice(0, 10) <= String(a.to))),
    add_extra_session: (a) => {
      manage(a);
      const start = String(a.start);
      const end = String(a.end);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(start)) fail("validation", "Give the start as a date and time.", "start");
      if (!(end > start) || end.slice(0, 10) !== start.slice(0, 10)) fail("validation", "The end must be after the start, on the same day.", "end");
      const x = { id: crypto.randomUUID(), clinician_id: String(a.clinicianId), local_start: norm(start), local_end: norm(end), note: String(a.note ?? "") };
      extras.push(x);
      return x;
    },
    remove_extra_session: (a) => (manage(a), extras.splice(extras.findIndex((x) => x.id === a.id), 1), null),
    list_closures: (a) => (read(a), closures.filter((c) => c.day >= String(a.from) && c.day <= String(a.to))),
    add_closure: (a) => {
      manage(a);
      const day = String(a.day);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) fail("validation", "Choose the day the clinic is closed.", "day");
      if (!String(a.name ?? "").trim()) fail("validation", "Say why the clinic is closed, e.g. Easter Monday.", "name");
      if (closures.some((c) => c.day === day)) fail("validation", "The clinic is already closed that day.", "day");
      const closure = { id: crypto.randomUUID(), day, name: String(a.name).trim() };
      closures.push(closure);
      return { closure, affected: appointments.filter((x) => holds(x) && x.status !== "completed" && x.local_start.slice(0, 10) === day).map(affectedOf) };
    },
    remove_closure: (a) => (manage(a), closures.splice(closures.findIndex((x) => x.id === a.id), 1), null),
    request_leave: (a) => {
      const actor = (ready(), authorize(a, "leave_request"));
      const d = a.draft as { clinician_id: string; start: string; end: string; reason: string };
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(d.start)) fail("validation", "Give the first day and time of the leave.", "start");
      if (!(d.end > d.start)) fail("validation", "The end of the leave must be after its start.", "end");
      const c = clinician(d.clinician_id);
      const l: LeaveRequest = { id: crypto.randomUUID(), clinician_id: c.staff_id, clinician_name: c.display_name, starts_at: iso(toInstant(norm(d.start), zone())), ends_at: iso(toInstant(norm(d.end), zone())), local_start: norm(d.start), local_end: norm(d.end), reason: d.reason, status: "requested", requested_by: actor.id, decided_by: null, decided_at: null, decision_note: null, row_version: 1 };
      leave.unshift(l);
      return l;
    },
    approve_leave: (a) => {
      const actor = (ready(), authorize(a, "leave_approve"));
      const l = leave.find((x) => x.id === a.id) ?? fail("not_found", "This leave request does not exist.");
      if (l.status !== "requested") fail("conflict", "This request was already decided.");
      Object.assign(l, { status: "approved", decided_by: actor.id, decided_at: iso(now()), decision_note: String(a.note ?? "") });
      return { leave: l, affected: leaveAffected(l) };
    },
    reject_leave: (a) => {
      const actor = (ready(), authorize(a, "leave_approve"));
      const l = leave.find((x) => x.id === a.id) ?? fail("not_found", "This leave request does not exist.");
      Object.assign(l, { status: "rejected", decided_by: actor.id, decided_at: iso(now()) });
      return l;
    },
    list_leave: (a) => (read(a), leave.filter((l) => (!a.status || l.status === a.status) && (!a.clinicianId || l.clinician_id === a.clinicianId))),
    affected_by_leave: (a) => (read(a), leaveAffected(leave.find((x) => x.id === a.id) ?? fail("not_found", "This leave request does not exist."))),
    export_calendar: (a) => {
      read(a);
      if (String(a.to) < String(a.from)) fail("validation", "Export between 1 day and 1 year: the last day on or after the first.", "to");
      return `/home/clinic/Documents/calendar-${a.from}-${a.to}.ics`;
    },
    issue_calendar_feed: (a) => {
      const actor = feedActor(a);
      const server = feedServer() ?? fail("unavailable", "This computer is not connected to a clinic server, and calendar links are served by it. Join the clinic server first (Sync screen), then make the link.");
      const c = feedClinician(a.clinicianId);
      revokeLive(c.staff_id, actor.id);
      const token = feedToken();
      const feed = { id: crypto.randomUUID(), clinician_id: c.staff_id, clinician_name: c.display_name, issued_at: iso(now()), issued_by: actor.id, revoked_at: null, revoked_by: null, token };
      feeds.unshift(feed);
      return linkOf(feed, server);
    },
    calendar_feed_link: (a) => {
      feedActor(a);
      const feed = feeds.find((f) => f.clinician_id === a.clinicianId && !f.revoked_at && f.token);
      if (!feed) return null;
      return linkOf(feed, feedServer() ?? fail("unavailable", "This computer is not connected to a clinic server. Join the clinic server first (Sync screen)."));
    },
    revoke_calendar_feed: (a) => {
      const actor = feedActor(a);
      revokeLive(feedClinician(a.clinicianId).staff_id, actor.id);
      return null;
    },
    list_calendar_feeds: (a) => {
      const actor = read(a);
      return feeds.filter((f) => actor.role === "administrator" || f.clinician_id === actor.id).map(({ token: _t, ...f }) => f);
    },
  };

  /** Core's rule: administrators for any clinician, a doctor or nurse for themselves. */
  function feedActor(a: Args): Actor {
    const actor = read(a);
    if (actor.role !== "administrator" && a.clinicianId !== actor.id) fail("forbidden", "You can manage only your own calendar link. An administrator can manage it for any clinician.");
    return actor;
  }
  function feedClinician(id: unknown): Clinician {
    return clinicians().find((c) => c.staff_id === id) ?? fail("validation", "Calendar links are for doctors and nurses: choose one of them.", "clinician_id");
  }
  function revokeLive(clinicianId: string, by: string) {
    for (const f of feeds.filter((x) => x.clinician_id === clinicianId && !x.revoked_at)) Object.assign(f, { revoked_at: iso(now()), revoked_by: by, token: null });
  }
  function linkOf({ token, ...feed }: CalendarFeed & { token: string | null }, server: string): FeedLink {
    return { feed, url: `${server}/v1/calendar/${token}.ics` };
  }

  function affectedOf(x: Appointment) {
    const c = card(x);
    return { appointment_id: x.id, patient_id: x.patient_id, patient_name: c.patient_name, clinician_id: x.clinician_id, type_name: c.type_name, local_start: x.local_start, local_end: x.local_end, status: x.status };
  }
  function leaveAffected(l: LeaveRequest) {
    return appointments.filter((x) => x.clinician_id === l.clinician_id && (x.status === "booked" || x.status === "arrived") && x.local_start < l.local_end && l.local_start < x.local_end).map(affectedOf);
  }
}
