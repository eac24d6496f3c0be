//! The patient registry's types: what a form sends (`PatientDraft`), what is stored (`Patient`), and list rows.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Administrative sex as recorded at registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Sex> {
        Sex::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a phone number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    #[default]
    Mobile,
    Home,
    Work,
    Other,
}

/// A phone number as typed (spaces, dots, dashes and a leading `+` are kept for display).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Phone {
    pub kind: PhoneKind,
    pub number: String,
}

/// A postal address; every line is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// Well-known identifier kinds; any other lower-case `snake_case` kind is accepted too.
pub mod identifier_kinds {
    pub const NATIONAL_ID: &str = "national_id";
    pub const INSURANCE_MEMBER: &str = "insurance_member";
    pub const PASSPORT: &str = "passport";
    pub const OTHER: &str = "other";
}

/// An identifier issued by someone else: a national id, an insurance member number, a passport.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Identifier {
    /// e.g. `national_id`, `insurance_member`, `passport`, `other` (see [`identifier_kinds`]).
    pub kind: String,
    pub value: String,
}

/// Who to call in an emergency.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmergencyContact {
    pub name: String,
    pub relationship: String,
    pub phone: String,
}

/// One insurance policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Insurance {
    pub provider: String,
    pub policy_number: String,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub coverage_start: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub coverage_end: Option<Date>,
}

/// How the patient agrees to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CommunicationPreferences {
    pub email: bool,
    pub sms: bool,
    pub reminders: bool,
}

/// The registration and edit form: everything a person may type about a patient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PatientDraft {
    pub given_name: String,
    pub family_name: String,
    pub other_names: Vec<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub date_of_birth: Option<Date>,
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
    pub communication: CommunicationPreferences,
}

/// A stored patient record: the draft's fields plus identity and sync bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Patient {
    pub id: Uuid,
    /// Medical record number, `{clinic}-{device}-{seq:06}`, e.g. `MAIN-D01-000123`.
    pub mrn: String,
    #[serde(flatten)]
    pub details: PatientDraft,
    /// Set when this record was found to be a duplicate and merged into another one.
    pub merged_into: Option<Uuid>,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row_version: i64,
}

impl Patient {
    /// `Family, Given`, as lists show it.
    pub fn display_name(&self) -> String {
        display_name(&self.details.given_name, &self.details.family_name)
    }

    pub fn is_active(&self) -> bool {
        self.deleted_at.is_none() && self.merged_into.is_none()
    }
}

pub(crate) fn display_name(given: &str, family: &str) -> String {
    format!("{family}, {given}")
}

/// Why a record came up in a search or a duplicate check. Earlier kinds rank higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The medical record number, exactly.
    Mrn,
    /// An identifier (national id, insurance number, passport), exactly.
    Identifier,
    /// A phone number, exactly (in any format; the last nine digits when both have that many).
    Phone,
    /// The date of birth.
    DateOfBirth,
    /// Same name and date of birth (duplicate checks only).
    NameAndDateOfBirth,
    /// The start of a phone number.
    PhoneStart,
    /// The end of a phone number (at least four digits).
    PhoneEnd,
    /// Every word typed starts one of the patient's names.
    NamePrefix,
    /// Every word typed is somewhere inside the patient's names.
    NameSubstring,
}

impl MatchKind {
    /// Lower is better: exact id/MRN/phone 0, date of birth 1, partial phone 2, name prefix 3, name substring 4.
    pub fn rank(self) -> u32 {
        match self {
            MatchKind::Mrn | MatchKind::Identifier | MatchKind::Phone | MatchKind::NameAndDateOfBirth => 0,
            MatchKind::DateOfBirth => 1,
            MatchKind::PhoneStart | MatchKind::PhoneEnd => 2,
            MatchKind::NamePrefix => 3,
            MatchKind::NameSubstring => 4,
        }
    }
}

/// One row of a search result or a duplicate warning: enough to tell people apart, not the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientSummary {
    pub id: Uuid,
    pub mrn: String,
    /// `Family, Given`.
    pub display_name: String,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub date_of_birth: Option<Date>,
    pub sex: Sex,
    /// The first phone number on the record, as typed.
    pub phone: Option<String>,
    pub match_kind: MatchKind,
    /// [`MatchKind::rank`]: lower is a better match.
    pub rank: u32,
}

/// What `register` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // returned once per registration; boxing would only burden callers
pub enum RegisterOutcome {
    Registered(Patient),
    /// Nothing was written: these records look like the same person. Ask, then register again
    /// with `confirm_not_duplicate = true` if they are different people.
    PossibleDuplicates(Vec<PatientSummary>),
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportRowError {
    /// 1-based line number in the file (the header is line 1).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub line: u64,
    /// The column (or draft field) at fault.
    pub field: String,
    pub message: String,
}

/// The result of an import: either every row was imported, or none was and `errors` says why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    /// Data rows read (the header excluded).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub rows: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub imported: usize,
    pub errors: Vec<ImportRowError>,
}
