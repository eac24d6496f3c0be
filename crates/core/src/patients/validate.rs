//! Checks a patient draft field by field and returns it tidied (trimmed, empty optionals made `None`).
//!
//! The first problem found is returned with the draft's field name (`phones[1].number`), so the form can
//! point at it; nothing is written when validation fails.

use email_address::{EmailAddress, Options};
use jiff::civil::Date;

use super::keys::{normalise_id, phone_digits};
use super::model::{Address, EmergencyContact, Identifier, Insurance, PatientDraft, Phone};
use crate::{CoreError, CoreResult};

/// Longest name part (given, family, each other name).
pub const MAX_NAME: usize = 100;
/// Longest identifier value.
pub const MAX_IDENTIFIER: usize = 40;
const MAX_LINE: usize = 200;
const MAX_NOTES: usize = 10_000;
const MAX_LIST: usize = 20;
const MAX_LIST_LONG: usize = 100;

fn earliest_birth() -> Date {
    jiff::civil::date(1900, 1, 1)
}

/// Validates and tidies a draft. `today` is the clinic's date in its own time zone.
pub fn clean(draft: &PatientDraft, today: Date) -> CoreResult<PatientDraft> {
    let given_name = name("given_name", &draft.given_name, "given name")?;
    let family_name = name("family_name", &draft.family_name, "family name")?;
    capped_list("other_names", &draft.other_names, MAX_LIST)?;
    let other_names = draft
        .other_names
        .iter()
        .enumerate()
        .map(|(i, n)| name(&format!("other_names[{i}]"), n, "other name"))
        .collect::<CoreResult<Vec<_>>>()?;
    if let Some(dob) = draft.date_of_birth {
        if dob > today {
            return Err(CoreError::validation(
                "date_of_birth",
                "The date of birth is in the future. Check the day, month and year.",
            ));
        }
        if dob < earliest_birth() {
            return Err(CoreError::validation(
                "date_of_birth",
                "The date of birth is before 1900. Check the year, or leave the date empty if it is not known.",
            ));
        }
    }
    capped_list("phones", &draft.phones, MAX_LIST)?;
    let phones = draft
        .phones
        .iter()
        .enumerate()
        .map(|(i, p)| Ok(Phone { kind: p.kind, number: phone(&format!("phones[{i}].number"), &p.number)? }))
        .collect::<CoreResult<Vec<_>>>()?;
    let email = optional(&draft.email).map(|e| email_address(&e)).transpose()?;
    let address = address(&draft.address)?;
    capped_list("identifiers", &draft.identifiers, MAX_LIST)?;
    let identifiers =
        draft.identifiers.iter().enumerate().map(|(i, id)| identifier(i, id)).collect::<CoreResult<Vec<_>>>()?;
    let preferred_language = optional(&draft.preferred_language);
    text("preferred_language", preferred_language.as_deref().unwrap_or(""), 35)?;
    let emergency_contact = draft.emergency_contact.as_ref().map(emergency_contact).transpose()?.flatten();
    capped_list("insurance", &draft.insurance, MAX_LIST)?;
    let insurance = draft.insurance.iter().enumerate().map(|(i, p)| policy(i, p)).collect::<CoreResult<Vec<_>>>()?;
    let allergies = text_list("allergies", &draft.allergies)?;
    let alerts = text_list("alerts", &draft.alerts)?;
    let notes = draft.notes.trim().to_owned();
    text("notes", &notes, MAX_NOTES)?;
    Ok(PatientDraft {
        given_name,
        family_name,
        other_names,
        date_of_birth: draft.date_of_birth,
        sex: draft.sex,
        phones,
        email,
        address,
        identifiers,
        preferred_language,
        emergency_contact,
        insurance,
        allergies,
        alerts,
        notes,
        communication: draft.communication,
    })
}

fn name(field: &str, value: &str, what: &str) -> CoreResult<String> {
    let trimmed = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.is_empty() {
        return Err(CoreError::validation(field, format!("Enter the patient's {what}.")));
    }
    if trimmed.chars().count() > MAX_NAME {
        return Err(CoreError::validation(
            field,
            format!("The {what} is too long: use at most {MAX_NAME} characters."),
        ));
    }
    if !trimmed.chars().any(char::is_alphabetic) {
        return Err(CoreError::validation(field, format!("The {what} must contain letters.")));
    }
    Ok(trimmed)
}

fn text(field: &str, value: &str, max: usize) -> CoreResult<()> {
    if value.chars().count() > max {
        return Err(CoreError::validation(field, format!("This is too long: use at most {max} characters.")));
    }
    Ok(())
}

fn capped_list<T>(field: &str, items: &[T], max: usize) -> CoreResult<()> {
    if items.len() > max {
        return Err(CoreError::validation(field, format!("Too many entries: at most {max} are kept here.")));
    }
    Ok(())
}

fn optional(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

fn phone(field: &str, number: &str) -> CoreResult<String> {
    let trimmed = number.trim();
    if trimmed.is_empty() {
        return Err(CoreError::validation(field, "Enter the phone number, or remove this line."));
    }
    if phone_digits(trimmed).is_none() {
        return Err(CoreError::validation(
            field,
            "This does not look like a phone number: use 6 to 15 digits, optionally starting with + and \
             separated by spaces, dots or dashes, e.g. +33 6 12 34 56 78.",
        ));
    }
    Ok(trimmed.to_owned())
}

fn email_address(email: &str) -> CoreResult<String> {
    let options = Options::default().with_required_tld().without_domain_literal().without_display_text();
    let plausible = email.chars().count() <= 254 && EmailAddress::parse_with_options(email, options).is_ok();
    if !plausible {
        return Err(CoreError::validation(
            "email",
            "This does not look like an e-mail address: it should be like name@example.org, without spaces.",
        ));
    }
    Ok(email.to_owned())
}

fn address(a: &Address) -> CoreResult<Address> {
    let line = |field: &str, value: &str| -> CoreResult<String> {
        let trimmed = value.trim().to_owned();
        text(field, &trimmed, MAX_LINE)?;
        Ok(trimmed)
    };
    Ok(Address {
        line1: line("address.line1", &a.line1)?,
        line2: line("address.line2", &a.line2)?,
        city: line("address.city", &a.city)?,
        region: line("address.region", &a.region)?,
        postal_code: line("address.postal_code", &a.postal_code)?,
        country: line("address.country", &a.country)?,
    })
}

/// Identifier kinds are lower-case words joined by underscores (`national_id`).
fn identifier(i: usize, id: &Identifier) -> CoreResult<Identifier> {
    let kind = id.kind.trim().to_lowercase().replace([' ', '-'], "_");
    let kind_ok = (1..=40).contains(&kind.len()) && kind.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if kind.is_empty() {
        return Err(CoreError::validation(
            &format!("identifiers[{i}].kind"),
            "Choose what kind of identifier this is (national id, insurance member number, passport, other).",
        ));
    }
    if !kind_ok {
        return Err(CoreError::validation(
            &format!("identifiers[{i}].kind"),
            "An identifier kind is a short word in letters, such as national_id or passport.",
        ));
    }
    let value = id.value.trim().to_owned();
    let field = format!("identifiers[{i}].value");
    if value.is_empty() || normalise_id(&value).is_empty() {
        return Err(CoreError::validation(&field, "Enter the identifier's number, or remove this line."));
    }
    if value.chars().count() > MAX_IDENTIFIER {
        return Err(CoreError::validation(
            &field,
            format!("The identifier is too long: use at most {MAX_IDENTIFIER} characters."),
        ));
    }
    Ok(Identifier { kind, value })
}

/// An emergency contact with every field empty is taken as none.
fn emergency_contact(c: &EmergencyContact) -> CoreResult<Option<EmergencyContact>> {
    let (name, relationship, phone_number) = (c.name.trim(), c.relationship.trim(), c.phone.trim());
    if name.is_empty() && relationship.is_empty() && phone_number.is_empty() {
        return Ok(None);
    }
    if name.is_empty() {
        return Err(CoreError::validation("emergency_contact.name", "Enter the emergency contact's name."));
    }
    text("emergency_contact.name", name, MAX_LINE)?;
    text("emergency_contact.relationship", relationship, 50)?;
    if phone_number.is_empty() {
        return Err(CoreError::validation(
            "emergency_contact.phone",
            "Enter a phone number for the emergency contact.",
        ));
    }
    let phone_number = phone("emergency_contact.phone", phone_number)?;
    Ok(Some(EmergencyContact { name: name.to_owned(), relationship: relationship.to_owned(), phone: phone_number }))
}

fn policy(i: usize, p: &Insurance) -> CoreResult<Insurance> {
    let provider = p.provider.trim().to_owned();
    let policy_number = p.policy_number.trim().to_owned();
    if provider.is_empty() {
        return Err(CoreError::validation(&format!("insurance[{i}].provider"), "Enter the insurer's name."));
    }
    text(&format!("insurance[{i}].provider"), &provider, MAX_LINE)?;
    if policy_number.is_empty() {
        return Err(CoreError::validation(&format!("insurance[{i}].policy_number"), "Enter the policy number."));
    }
    text(&format!("insurance[{i}].policy_number"), &policy_number, MAX_IDENTIFIER)?;
    if let (Some(start), Some(end)) = (p.coverage_start, p.coverage_end)
        && end < start
    {
        return Err(CoreError::validation(
            &format!("insurance[{i}].coverage_end"),
            "Coverage ends before it starts. Check the two dates.",
        ));
    }
    Ok(Insurance { provider, policy_number, coverage_start: p.coverage_start, coverage_end: p.coverage_end })
}

/// Allergies and alerts: each line trimmed; empty lines are an error (so nothing silently disappears).
fn text_list(field: &str, items: &[String]) -> CoreResult<Vec<String>> {
    capped_list(field, items, MAX_LIST_LONG)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let trimmed = item.trim();
            let item_field = format!("{field}[{i}]");
            if trimmed.is_empty() {
                return Err(CoreError::validation(&item_field, "This line is empty: write something or remove it."));
            }
            text(&item_field, trimmed, MAX_LINE)?;
            Ok(trimmed.to_owned())
        })
        .collect()
}
