// Test build only: an in-memory patient registry with a few of core's validation rules, search and duplicate checks.
import type { Patient, PatientDraft, PatientSummary, MatchKind } from "../api";

export type MockError = { code: string; message: string; field: string | null };

export function fail(code: string, message: string, field: string | null = null): never {
  const error: MockError = { code, message, field };
  throw error;
}

const invalid = (field: string, message: string): never => fail("validation", message, field);

export function fold(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

const digits = (s: string) => s.replace(/\D/g, "");

/** A subset of core's `patients::validate::clean`, with the same field names and messages. */
export function validateDraft(d: PatientDraft, today: string): PatientDraft {
  const name = (field: string, value: string, what: string) => {
    const v = value.trim().replace(/\s+/g, " ");
    if (!v) invalid(field, `Enter the patient's ${what}.`);
    if (v.length > 100) invalid(field, `The ${what} is too long: use at most 100 characters.`);
    if (!/\p{L}/u.test(v)) invalid(field, `The ${what} must contain letters.`);
    return v;
  };
  const given_name = name("given_name", d.given_name, "given name");
  const family_name = name("family_name", d.family_name, "family name");
  const other_names = d.other_names.map((n, i) => name(`other_names[${i}]`, n, "other name"));
  if (d.date_of_birth) {
    if (d.date_of_birth > today) invalid("date_of_birth", "The date of birth is in the future. Check the day, month and year.");
    if (d.date_of_birth < "1900-01-01")
      invalid("date_of_birth", "The date of birth is before 1900. Check the year, or leave the date empty if it is not known.");
  }
  const phone = (field: string, number: string) => {
    const n = number.trim();
    if (!n) invalid(field, "Enter the phone number, or remove this line.");
    const ds = digits(n);
    if (!/^\+?[\d\s.\-()]+$/.test(n) || ds.length < 6 || ds.length > 15)
      invalid(field, "This does not look like a phone number: use 6 to 15 digits, optionally starting with + and separated by spaces, dots or dashes, e.g. +33 6 12 34 56 78.");
    return n;
  };
  const phones = d.phones.map((p, i) => ({ kind: p.kind, number: phone(`phones[${i}].number`, p.number) }));
  const email = d.email?.trim() || null;
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    invalid("email", "This does not look like an e-mail address: it should be like name@example.org, without spaces.");
  const identifiers = d.identifiers.map((id, i) => {
    if (!id.value.trim()) invalid(`identifiers[${i}].value`, "Enter the identifier's number, or remove this line.");
    return { kind: id.kind, value: id.value.trim() };
  });
  let emergency_contact = d.emergency_contact;
  if (emergency_contact) {
    const c = emergency_contact;
    if (!c.name.trim() && !c.relationship.trim() && !c.phone.trim()) emergency_contact = null;
    else {
      if (!c.name.trim()) invalid("emergency_contact.name", "Enter the emergency contact's name.");
      if (!c.phone.trim()) invalid("emergency_contact.phone", "Enter a phone number for the emergency contact.");
      emergency_contact = { name: c.name.trim(), relationship: c.relationship.trim(), phone: phone("emergency_contact.phone", c.phone) };
    }
  }
  const insurance = d.insurance.map((p, i) => {
    if (!p.provider.trim()) invalid(`insurance[${i}].provider`, "Enter the insurer's name.");
    if (!p.policy_number.trim()) invalid(`insurance[${i}].policy_number`, "Enter the policy number.");
    if (p.coverage_start && p.coverage_end && p.coverage_end < p.coverage_start)
      invalid(`insurance[${i}].coverage_end`, "Coverage ends before it starts. Check the two dates.");
    return p;
  });
  const lines = (field: string, items: string[]) =>
    items.map((item, i) => {
      if (!item.trim()) invalid(`${field}[${i}]`, "This line is empty: write something or remove it.");
      return item.trim();
    });
  return {
    ...d,
    given_name,
    family_name,
    other_names,
    phones,
    email,
    identifiers,
    emergency_contact,
    insurance,
    allergies: lines("allergies", d.allergies),
    alerts: lines("alerts", d.alerts),
    notes: d.notes.trim(),
    preferred_language: d.preferred_language?.trim() || null,
  };
}

export function summary(p: Patient, match_kind: MatchKind, rank: number): PatientSummary {
  return {
    id: p.id,
    mrn: p.mrn,
    display_name: `${p.family_name}, ${p.given_name}`,
    date_of_birth: p.date_of_birth,
    sex: p.sex,
    phone: p.phones[0]?.number ?? null,
    match_kind,
    rank,
  };
}

const RANK: Record<MatchKind, number> = {
  mrn: 0, identifier: 0, phone: 0, name_and_date_of_birth: 0, date_of_birth: 1,
  phone_start: 2, phone_end: 2, name_prefix: 3, name_substring: 4,
};

function sortSummaries(list: PatientSummary[]): PatientSummary[] {
  return list.sort((a, b) => a.rank - b.rank || a.display_name.localeCompare(b.display_name) || a.mrn.localeCompare(b.mrn));
}

/** Reads a typed date as the clinic writes it (DMY, MDY or YMD), or ISO. */
function typedDate(q: string, format: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(q)) return q;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(q);
  if (!m) return null;
  const [a, b, y] = [m[1] ?? "", m[2] ?? "", m[3] ?? ""];
  const [day, month] = format === "MDY" ? [b, a] : [a, b];
  return `${y}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
}

export function search(all: Patient[], query: string, limit: number, dateFormat: string): PatientSummary[] {
  const q = query.trim();
  if (!q) return [];
  const active = all.filter((p) => !p.deleted_at && !p.merged_into);
  const found = new Map<string, PatientSummary>();
  const add = (p: Patient, kind: MatchKind) => {
    const existing = found.get(p.id);
    if (!existing || RANK[kind] < existing.rank) found.set(p.id, summary(p, kind, RANK[kind]));
  };
  const upper = q.toUpperCase().replace(/\s+/g, "");
  const qDigits = digits(q);
  const isPhoneLike = /^\+?[\d\s.\-()]+$/.test(q);
  const date = typedDate(q, dateFormat);
  for (const p of active) {
    if (p.mrn.toUpperCase() === upper) add(p, "mrn");
    if (p.identifiers.some((i) => i.value.toUpperCase().replace(/[\s-]/g, "") === upper.replace(/-/g, ""))) add(p, "identifier");
    if (date && p.date_of_birth === date) add(p, "date_of_birth");
    if (isPhoneLike && qDigits.length >= 4) {
      for (const ph of p.phones) {
        const pd = digits(ph.number);
        if (pd === qDigits || (qDigits.length >= 9 && pd.endsWith(qDigits.slice(-9)))) add(p, "phone");
        else if (pd.startsWith(qDigits)) add(p, "phone_start");
        else if (pd.endsWith(qDigits)) add(p, "phone_end");
      }
    }
    const words = fold(q).split(/\s+/).filter((w) => /\p{L}/u.test(w));
    if (words.length > 0) {
      const names = fold([p.given_name, p.family_name, ...p.other_names].join(" ")).split(/[\s,'-]+/);
      if (words.every((w) => names.some((n) => n.startsWith(w)))) add(p, "name_prefix");
      else if (words.every((w) => names.some((n) => n.includes(w)))) add(p, "name_substring");
    }
  }
  return sortSummaries([...found.values()]).slice(0, Math.max(1, Math.min(100, limit)));
}

export function duplicates(all: Patient[], d: PatientDraft, except?: string): PatientSummary[] {
  const found = new Map<string, PatientSummary>();
  const given = fold(d.given_name);
  const family = fold(d.family_name);
  const phones = d.phones.map((p) => digits(p.number)).filter((x) => x.length >= 6);
  for (const p of all) {
    if (p.id === except || p.deleted_at || p.merged_into) continue;
    if (given && family && d.date_of_birth && fold(p.given_name) === given && fold(p.family_name) === family && p.date_of_birth === d.date_of_birth)
      found.set(p.id, summary(p, "name_and_date_of_birth", 0));
    else if (p.phones.some((x) => phones.some((y) => digits(x.number).slice(-9) === y.slice(-9)))) found.set(p.id, summary(p, "phone", 0));
    else if (p.identifiers.some((x) => d.identifiers.some((y) => y.value.trim() && y.value.trim().toUpperCase() === x.value.toUpperCase())))
      found.set(p.id, summary(p, "identifier", 0));
  }
  return sortSummaries([...found.values()]).slice(0, 10);
}

type Seed = [string, string, string | null, PatientDraft["sex"], string, string[], string[]];

const SEEDS: Seed[] = [
  ["María José", "García", "1980-03-12", "female", "+33 6 12 34 56 78", ["Penicillin"], ["Hard of hearing: face her when speaking"]],
  ["Chinedu", "Okafor", "1975-11-02", "male", "+234 803 555 0142", [], []],
  ["Thi Lan", "Nguyen", "1992-07-21", "female", "06 98 76 54 32", ["Latex"], []],
  ["John", "Smith", "1961-01-15", "male", "+44 7700 900123", [], ["Anticoagulated (warfarin)"]],
  ["Joanna", "Smith", "1988-05-30", "female", "+44 7700 900456", [], []],
  ["Jürgen", "Müller", "1950-09-09", "male", "+49 151 2345 6789", ["Aspirin", "Shellfish"], []],
  ["Élise", "Dubois", "2015-04-04", "female", "07 11 22 33 44", [], []],
];

export function seedPatients(code: string, device: string, now: string): Patient[] {
  return SEEDS.map(([given, family, dob, sex, phone, allergies, alerts], i) => ({
    id: `0190a0a0-0000-7000-8000-${String(i + 1).padStart(12, "0")}`,
    mrn: `${code}-${device}-${String(i + 1).padStart(6, "0")}`,
    given_name: given,
    family_name: family,
    other_names: [],
    date_of_birth: dob,
    sex,
    phones: [{ kind: "mobile", number: phone }],
    email: null,
    address: { line1: `${12 + i} Rue des Lilas`, line2: "", city: "Lyon", region: "", postal_code: "69003", country: "France" },
    identifiers: i === 0 ? [{ kind: "national_id", value: "2800375123456" }] : [],
    preferred_language: i === 0 ? "Spanish" : null,
    emergency_contact: i === 0 ? { name: "Carlos García", relationship: "Husband", phone: "+33 6 98 76 54 32" } : null,
    insurance: i === 0 ? [{ provider: "CPAM Rhône", policy_number: "AB-123456", coverage_start: "2024-01-01", coverage_end: null }] : [],
    allergies,
    alerts,
    notes: "",
    communication: { email: false, sms: true, reminders: true },
    merged_into: null,
    deleted_at: null,
    deleted_reason: null,
    created_at: now,
    updated_at: now,
    updated_by: null,
    row_version: 1,
  }));
}
