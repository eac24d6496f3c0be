//! The arguments of patient mutations, read strictly: a mirror of clinic-core's `PatientDraft` (unknown fields
//! refused, types exact) with the same length caps, so a device cannot store what the desk would not accept.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::FieldError;
use crate::rules::{list, text};

const MAX_NAME: usize = 100;
const MAX_IDENTIFIER: usize = 40;
const MAX_LINE: usize = 200;
const MAX_NOTES: usize = 10_000;
const MAX_LIST: usize = 20;
const MAX_LIST_LONG: usize = 100;
const MAX_REASON: usize = 500;
const MAX_MRN: usize = 40;

/// A calendar date written `YYYY-MM-DD`, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IsoDate(pub String);

impl IsoDate {
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0, "%Y-%m-%d").ok()
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IsoDate, D::Error> {
        let text = String::deserialize(d)?;
        let date = IsoDate(text);
        if date.0.len() != 10 || date.date().is_none() {
            return Err(serde::de::Error::custom("expected a date written YYYY-MM-DD"));
        }
        Ok(date)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    #[default]
    Mobile,
    Home,
    Work,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    pub kind: PhoneKind,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    pub name: String,
    pub relationship: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    pub provider: String,
    pub policy_number: String,
    pub coverage_start: Option<IsoDate>,
    pub coverage_end: Option<IsoDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Communication {
    pub email: bool,
    pub sms: bool,
    pub reminders: bool,
}

/// Everything a person may type about a patient (clinic-core's `PatientDraft`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draft {
    pub given_name: String,
    pub family_name: String,
    pub other_names: Vec<String>,
    pub date_of_birth: Option<IsoDate>,
    pub sex: Sex,
    pub phones: Vec<Phone>,
    pub email: Option<String>,
    pub address: Address,
    pub identifiers: Vec<Identifier>,
    pub preferred_language: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub insurance: Vec<Insurance>,
    pub allergies: Vec<String>,
    pub alerts: Vec<String>,
    pub notes: String,
    pub communication: Communication,
}

/// The draft's field names, as they appear in a `patient.update` patch.
pub const DRAFT_FIELDS: [&str; 16] = [
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "phones",
    "email",
    "address",
    "identifiers",
    "preferred_language",
    "emergency_contact",
    "insurance",
    "allergies",
    "alerts",
    "notes",
    "communication",
];

/// Fields whose clash raises a safety review item: who the patient is.
pub const SAFETY_FIELDS: [&str; 6] =
    ["given_name", "family_name", "other_names", "date_of_birth", "sex", "identifiers"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterArgs {
    pub mrn: String,
    pub patient: Draft,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateArgs {
    pub patch: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteArgs {
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeArgs {
    /// The desk's merge record id: checked for shape; the stored document records the merge as `merged_into`.
    #[allow(dead_code)]
    pub merge_id: Uuid,
    pub survivor_id: Uuid,
    pub reason: String,
}

/// Checks lengths, counts and dates of a draft. `present` limits the name checks to the fields a patch carries.
pub fn check_draft(d: &Draft, today: NaiveDate, present: &dyn Fn(&str) -> bool) -> Result<(), FieldError> {
    if present("given_name") {
        text("given_name", &d.given_name, MAX_NAME, true)?;
    }
    if present("family_name") {
        text("family_name", &d.family_name, MAX_NAME, true)?;
    }
    list("other_names", &d.other_names, MAX_LIST)?;
    for (i, n) in d.other_names.iter().enumerate() {
        text(&["other_names[", &i.to_string(), "]"].concat(), n, MAX_NAME, true)?;
    }
    if let Some(dob) = d.date_of_birth.as_ref().and_then(IsoDate::date) {
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        // One day of slack: the desk checks against the clinic's own date, which may be ahead of UTC.
        if dob < earliest || dob > today + chrono::Days::new(1) {
            return Err(FieldError::new("date_of_birth", "The date of birth must be between 1900-01-01 and today."));
        }
    }
    list("phones", &d.phones, MAX_LIST)?;
    for (i, p) in d.phones.iter().enumerate() {
        text(&["phones[", &i.to_string(), "].number"].concat(), &p.number, 40, true)?;
    }
    text("email", d.email.as_deref().unwrap_or_default(), 254, false)?;
    let a = &d.address;
    for (field, value) in [
        ("address.line1", &a.line1),
        ("address.line2", &a.line2),
        ("address.city", &a.city),
        ("address.region", &a.region),
        ("address.postal_code", &a.postal_code),
        ("address.country", &a.country),
    ] {
        text(field, value, MAX_LINE, false)?;
    }
    list("identifiers", &d.identifiers, MAX_LIST)?;
    for (i, id) in d.identifiers.iter().enumerate() {
        let at = ["identifiers[", &i.to_string(), "]"].concat();
        text(&[&at, ".kind"].concat(), &id.kind, 40, true)?;
        text(&[&at, ".value"].concat(), &id.value, MAX_IDENTIFIER, true)?;
    }
    text("preferred_language", d.preferred_language.as_deref().unwrap_or_default(), 35, false)?;
    if let Some(c) = &d.emergency_contact {
        text("emergency_contact.name", &c.name, MAX_LINE, false)?;
        text("emergency_contact.relationship", &c.relationship, 50, false)?;
        text("emergency_contact.phone", &c.phone, 40, false)?;
    }
    list("insurance", &d.insurance, MAX_LIST)?;
    for (i, p) in d.insurance.iter().enumerate() {
        let at = ["insurance[", &i.to_string(), "]"].concat();
        text(&[&at, ".provider"].concat(), &p.provider, MAX_LINE, true)?;
        text(&[&at, ".policy_number"].concat(), &p.policy_number, MAX_IDENTIFIER, true)?;
    }
    for (field, items) in [("allergies", &d.allergies), ("alerts", &d.alerts)] {
        list(field, items, MAX_LIST_LONG)?;
        for (i, item) in items.iter().enumerate() {
            text(&[field, "[", &i.to_string(), "]"].concat(), item, MAX_LINE, true)?;
        }
    }
    text("notes", &d.notes, MAX_NOTES, false)
}

pub fn check_mrn(mrn: &str) -> Result<(), FieldError> {
    text("mrn", mrn, MAX_MRN, true)
}

pub fn check_reason(reason: &str) -> Result<(), FieldError> {
    text("reason", reason, MAX_REASON, true)
}

/// Reads a patch: every key must be a draft field and its value that field's type; returns the patch with each
/// value in its canonical form.
pub fn read_patch(patch: &Map<String, Value>, today: NaiveDate) -> Result<Map<String, Value>, FieldError> {
    for key in patch.keys() {
        if !DRAFT_FIELDS.contains(&key.as_str()) {
            return Err(FieldError::new(key.clone(), "A patient record has no such field."));
        }
    }
    let draft: Draft = serde_path_to_error::deserialize(Value::Object(patch.clone())).map_err(|e| {
        let path = e.path().to_string();
        FieldError::new(path, ["This is not what the server expects here: ", &e.into_inner().to_string()].concat())
    })?;
    check_draft(&draft, today, &|field| patch.contains_key(field))?;
    let Value::Object(all) = serde_json::to_value(&draft).map_err(|e| FieldError::new("", e.to_string()))? else {
        return Err(FieldError::new("", "a draft is not an object"));
    };
    Ok(all.into_iter().filter(|(k, _)| patch.contains_key(k)).collect())
}
