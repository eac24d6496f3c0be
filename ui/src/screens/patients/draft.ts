// The patient form's working copy (every field a string or list) and its conversion to and from PatientDraft.
import type { Identifier, Insurance, Patient, PatientDraft, Phone, Sex } from "../../api";
import { isIsoDate } from "../../dates";

export type FormDraft = {
  given_name: string;
  family_name: string;
  other_names: string[];
  date_of_birth: string;
  sex: Sex;
  phones: Phone[];
  email: string;
  address: PatientDraft["address"];
  identifiers: Identifier[];
  preferred_language: string;
  emergency_contact: { name: string; relationship: string; phone: string };
  insurance: { provider: string; policy_number: string; coverage_start: string; coverage_end: string }[];
  allergies: string[];
  alerts: string[];
  notes: string;
  communication: PatientDraft["communication"];
};

export function emptyForm(): FormDraft {
  return {
    given_name: "",
    family_name: "",
    other_names: [],
    date_of_birth: "",
    sex: "unknown",
    phones: [{ kind: "mobile", number: "" }],
    email: "",
    address: { line1: "", line2: "", city: "", region: "", postal_code: "", country: "" },
    identifiers: [],
    preferred_language: "",
    emergency_contact: { name: "", relationship: "", phone: "" },
    insurance: [],
    allergies: [],
    alerts: [],
    notes: "",
    communication: { email: false, sms: false, reminders: false },
  };
}

export function formFromPatient(p: Patient): FormDraft {
  return {
    given_name: p.given_name,
    family_name: p.family_name,
    other_names: [...p.other_names],
    date_of_birth: p.date_of_birth ?? "",
    sex: p.sex,
    phones: p.phones.map((x) => ({ ...x })),
    email: p.email ?? "",
    address: { ...p.address },
    identifiers: p.identifiers.map((x) => ({ ...x })),
    preferred_language: p.preferred_language ?? "",
    emergency_contact: p.emergency_contact ? { ...p.emergency_contact } : { name: "", relationship: "", phone: "" },
    insurance: p.insurance.map((i) => ({
      provider: i.provider,
      policy_number: i.policy_number,
      coverage_start: i.coverage_start ?? "",
      coverage_end: i.coverage_end ?? "",
    })),
    allergies: [...p.allergies],
    alerts: [...p.alerts],
    notes: p.notes,
    communication: { ...p.communication },
  };
}

const orNull = (s: string): string | null => (s.trim() === "" ? null : s);
/** A date field's ISO value; text that is not a date yet goes as none (saving checks it first: `firstInvalidDate`). */
const dateOrNull = (s: string): string | null => (isIsoDate(s.trim()) ? s.trim() : null);

/** The path of the first date field holding text that is not a date, to point the person at it before saving. */
export function firstInvalidDate(f: FormDraft): string | null {
  const dates: [string, string][] = [
    ["date_of_birth", f.date_of_birth],
    ...f.insurance.flatMap((i, n): [string, string][] => [
      [`insurance[${n}].coverage_start`, i.coverage_start],
      [`insurance[${n}].coverage_end`, i.coverage_end],
    ]),
  ];
  return dates.find(([, value]) => value.trim() !== "" && !isIsoDate(value.trim()))?.[0] ?? null;
}

/** What is sent to core. A phone line left completely empty is dropped; everything else goes as typed (core validates). */
export function draftFromForm(f: FormDraft): PatientDraft {
  const contact = f.emergency_contact;
  const hasContact = [contact.name, contact.relationship, contact.phone].some((v) => v.trim() !== "");
  const insurance: Insurance[] = f.insurance.map((i) => ({
    provider: i.provider,
    policy_number: i.policy_number,
    coverage_start: dateOrNull(i.coverage_start),
    coverage_end: dateOrNull(i.coverage_end),
  }));
  return {
    given_name: f.given_name,
    family_name: f.family_name,
    other_names: f.other_names,
    date_of_birth: dateOrNull(f.date_of_birth),
    sex: f.sex,
    phones: f.phones.length === 1 && f.phones[0]?.number.trim() === "" ? [] : f.phones,
    email: orNull(f.email),
    address: f.address,
    identifiers: f.identifiers,
    preferred_language: orNull(f.preferred_language),
    emergency_contact: hasContact ? contact : null,
    insurance,
    allergies: f.allergies,
    alerts: f.alerts,
    notes: f.notes,
    communication: f.communication,
  };
}

/** Enough typed to look for look-alikes: a full name with a date of birth, or a phone number. */
export function worthDuplicateCheck(f: FormDraft): boolean {
  const named = f.given_name.trim() !== "" && f.family_name.trim() !== "";
  const dated = /^\d{4}-\d{2}-\d{2}$/.test(f.date_of_birth);
  const phoned = f.phones.some((p) => p.number.replace(/\D/g, "").length >= 6);
  return (named && dated) || phoned;
}
