//! Importing patients from a CSV file: every row is checked first, and either all are imported or none.
//!
//! The file is UTF-8 CSV with a header row. Columns (any order; only the two names are required):
//!
//! | column | content |
//! | --- | --- |
//! | `given_name`, `family_name` | required |
//! | `other_names` | several separated by `;` |
//! | `date_of_birth` | ISO `yyyy-mm-dd` |
//! | `sex` | `female`, `male`, `other` or `unknown` (empty: unknown) |
//! | `phone` | mobile numbers, several separated by `;` |
//! | `email` | |
//! | `national_id`, `insurance_member`, `passport` | one identifier of that kind each |
//! | `address_line1`, `address_line2`, `city`, `region`, `postal_code`, `country` | |
//! | `preferred_language` | e.g. `fr` |
//! | `allergies`, `alerts` | several separated by `;` |
//! | `notes` | |

use std::collections::HashMap;

use super::duplicates::{self, keys_of};
use super::model::{Identifier, ImportReport, ImportRowError, MatchKind, PatientDraft, Phone, PhoneKind, Sex};
use super::register::{insert_many, today, with_bulk_cache};
use super::validate;
use crate::accounts::SessionId;
use crate::rbac::Permission;
use crate::setup::settings_internal;
use crate::{Clinic, CoreResult};

/// Every column an import file may have.
pub const IMPORT_COLUMNS: [&str; 20] = [
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "national_id",
    "insurance_member",
    "passport",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "allergies",
    "alerts",
    "notes",
];
const REQUIRED: [&str; 2] = ["given_name", "family_name"];
const IDENTIFIER_COLUMNS: [&str; 3] = ["national_id", "insurance_member", "passport"];

/// Imports a CSV file (see the module documentation for its columns). Every row is validated; likely
/// duplicates, against the database or earlier rows of the file, are errors unless `allow_duplicates`.
/// If anything is wrong nothing is imported and the report lists every problem by line and column.
pub fn import_csv(
    clinic: &Clinic,
    session: SessionId,
    reader: impl std::io::Read,
    allow_duplicates: bool,
) -> CoreResult<ImportReport> {
    let actor = clinic.authorize(session, Permission::PatientImport)?;
    let settings = clinic.read(settings_internal)?;
    let today = today(clinic, &settings)?;
    let mut report = ImportReport::default();
    let error = |line: u64, field: &str, message: String| ImportRowError { line, field: field.to_owned(), message };
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|c| c.trim_start_matches('\u{feff}').to_lowercase()).collect(),
        Err(e) => {
            report.errors.push(error(1, "header", format!("The file could not be read as CSV: {e}.")));
            return Ok(report);
        }
    };
    for (i, column) in header.iter().enumerate() {
        if !IMPORT_COLUMNS.contains(&column.as_str()) {
            let known = IMPORT_COLUMNS.join(", ");
            report.errors.push(error(1, column, format!("Unknown column \"{column}\". Columns are: {known}.")));
        } else if header[..i].contains(column) {
            report.errors.push(error(1, column, format!("The column \"{column}\" appears twice.")));
        }
    }
    for column in REQUIRED {
        if !header.iter().any(|c| c == column) {
            report.errors.push(error(1, column, format!("The header has no \"{column}\" column, which is required.")));
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let mut rows: Vec<(u64, PatientDraft)> = Vec::new();
    for record in csv.records() {
        report.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(report.rows as u64 + 1, |p| p.line());
                report.errors.push(error(line, "row", format!("This line could not be read: {e}.")));
                continue;
            }
        };
        let line = record.position().map_or(report.rows as u64 + 1, |p| p.line());
        let row = Row { header: &header, record: &record };
        let checked = draft_from(&row)
            .and_then(|d| validate::clean(&d, today).map_err(|e| (column_of(&row, e.field.as_deref()), e.message)));
        match checked {
            Ok(draft) => rows.push((line, draft)),
            Err((field, message)) => report.errors.push(error(line, &field, message)),
        }
    }
    if !allow_duplicates {
        let mut seen = HashMap::new();
        for (line, draft) in &rows {
            for key in keys_of(draft) {
                if let Some(first) = seen.insert(key.clone(), *line) {
                    let field = key_column(&key);
                    let message = format!("Line {first} looks like the same person (same {}).", key_label(&key));
                    report.errors.push(error(*line, field, message));
                    seen.insert(key, first);
                }
            }
        }
    }
    with_bulk_cache(clinic, || {
        clinic.write(|tx| write_checked(clinic, tx, &actor, &settings, rows, allow_duplicates, &mut report))
    })?;
    Ok(report)
}

/// Checks the rows against the database (unless duplicates are allowed) and inserts them if nothing is wrong.
fn write_checked(
    clinic: &Clinic,
    tx: &rusqlite::Connection,
    actor: &crate::accounts::sessions::Actor,
    settings: &crate::setup::ClinicSettings,
    rows: Vec<(u64, PatientDraft)>,
    allow_duplicates: bool,
    report: &mut ImportReport,
) -> CoreResult<()> {
    let error = |line: u64, field: &str, message: String| ImportRowError { line, field: field.to_owned(), message };
    if !allow_duplicates {
        for (line, draft) in &rows {
            if let Some(existing) = duplicates::find(tx, draft)?.first() {
                let (field, label) = match existing.match_kind {
                    MatchKind::Phone => ("phone", "phone number"),
                    MatchKind::Identifier => {
                        (draft.identifiers.first().map_or("national_id", |i| i.kind.as_str()), "identifier")
                    }
                    _ => ("date_of_birth", "name and date of birth"),
                };
                let message = format!(
                    "Patient {} is already registered with the same {label}. Remove this line, or import with \
                     duplicates allowed if they are different people.",
                    existing.mrn
                );
                report.errors.push(error(*line, field, message));
            }
        }
    }
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.line);
        return Ok(());
    }
    report.imported = insert_many(clinic, tx, actor, settings, rows.into_iter().map(|(_, d)| d).collect())?;
    Ok(())
}

/// One data row, read by column name.
struct Row<'a> {
    header: &'a [String],
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn cell(&self, name: &str) -> &str {
        self.header.iter().position(|c| c == name).and_then(|i| self.record.get(i)).unwrap_or("")
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Builds a draft from one row; a cell that cannot be read gives `(column, message)`.
fn draft_from(row: &Row<'_>) -> Result<PatientDraft, (String, String)> {
    let cell = |name: &str| row.cell(name);
    let date_of_birth = match cell("date_of_birth") {
        "" => None,
        text => Some(text.parse::<jiff::civil::Date>().map_err(|_| {
            ("date_of_birth".to_owned(), format!("\"{text}\" is not a date: write it as yyyy-mm-dd, e.g. 1980-12-31."))
        })?),
    };
    let sex = match cell("sex").to_lowercase().as_str() {
        "" => Sex::Unknown,
        text => Sex::parse(text).ok_or_else(|| {
            ("sex".to_owned(), "Write female, male, other or unknown (or leave it empty).".to_owned())
        })?,
    };
    let optional = |name: &str| Some(cell(name).to_owned()).filter(|v| !v.is_empty());
    Ok(PatientDraft {
        given_name: cell("given_name").to_owned(),
        family_name: cell("family_name").to_owned(),
        other_names: list(cell("other_names")),
        date_of_birth,
        sex,
        phones: list(cell("phone")).into_iter().map(|number| Phone { kind: PhoneKind::Mobile, number }).collect(),
        email: optional("email"),
        address: super::model::Address {
            line1: cell("address_line1").to_owned(),
            line2: cell("address_line2").to_owned(),
            city: cell("city").to_owned(),
            region: cell("region").to_owned(),
            postal_code: cell("postal_code").to_owned(),
            country: cell("country").to_owned(),
        },
        identifiers: IDENTIFIER_COLUMNS
            .iter()
            .filter(|c| !cell(c).is_empty())
            .map(|c| Identifier { kind: (*c).to_owned(), value: cell(c).to_owned() })
            .collect(),
        preferred_language: optional("preferred_language"),
        emergency_contact: None,
        insurance: Vec::new(),
        allergies: list(cell("allergies")),
        alerts: list(cell("alerts")),
        notes: cell("notes").to_owned(),
        communication: Default::default(),
    })
}

/// The column a draft field came from (`phones[1].number` → `phone`, `identifiers[0].value` → its column).
fn column_of(row: &Row<'_>, field: Option<&str>) -> String {
    let field = field.unwrap_or("row");
    let base = field.split(['[', '.']).next().unwrap_or(field);
    match base {
        "phones" => "phone".to_owned(),
        "identifiers" => {
            let index: usize = field.split(['[', ']']).nth(1).and_then(|i| i.parse().ok()).unwrap_or(0);
            let present: Vec<&str> = IDENTIFIER_COLUMNS.iter().copied().filter(|c| !row.cell(c).is_empty()).collect();
            present.get(index).copied().unwrap_or("national_id").to_owned()
        }
        "address" => match field.rsplit('.').next() {
            Some(part @ ("line1" | "line2")) => format!("address_{part}"),
            Some(part) => part.to_owned(),
            None => "address_line1".to_owned(),
        },
        other => other.to_owned(),
    }
}

fn key_column(key: &duplicates::DuplicateKey) -> &str {
    match key {
        duplicates::DuplicateKey::NameAndBirth { .. } => "date_of_birth",
        duplicates::DuplicateKey::Phone(_) => "phone",
        duplicates::DuplicateKey::Identifier { kind, .. } => kind,
    }
}

fn key_label(key: &duplicates::DuplicateKey) -> &'static str {
    match key {
        duplicates::DuplicateKey::NameAndBirth { .. } => "name and date of birth",
        duplicates::DuplicateKey::Phone(_) => "phone number",
        duplicates::DuplicateKey::Identifier { .. } => "identifier",
    }
}
