//! Likely-duplicate detection: match keys of live patients (folded family and given names with the date of birth;
//! each identifier normalised), kept in `patient_match_keys` so a registration finds look-alikes by index. They are
//! looked up and replaced through the push's [`crate::sync::batch::Batch`].

use clinic_protocol::keys::{fold, normalise_id};

use super::args::Draft;

/// The match keys of a patient: `n:<family>|<given>|<date of birth>` when all three are known, and
/// `i:<kind>:<value>` per identifier.
pub(crate) fn match_keys(d: &Draft) -> Vec<String> {
    let mut keys = Vec::new();
    let (family, given) = (fold(&d.family_name), fold(&d.given_name));
    if let Some(dob) = &d.date_of_birth
        && !family.is_empty()
        && !given.is_empty()
    {
        keys.push(["n:", &family, "|", &given, "|", &dob.0].concat());
    }
    for id in &d.identifiers {
        let value = normalise_id(&id.value);
        if !value.is_empty() {
            keys.push(["i:", &id.kind.trim().to_lowercase(), ":", &value].concat());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::patient::args::{Identifier, IsoDate};

    #[test]
    fn keys_ignore_accents_case_and_identifier_punctuation() {
        let a = Draft {
            given_name: "José".into(),
            family_name: "García López".into(),
            date_of_birth: Some(IsoDate("1980-02-03".into())),
            identifiers: vec![Identifier { kind: "national_id".into(), value: "ab 12-34".into() }],
            ..Draft::default()
        };
        let b = Draft {
            given_name: "JOSE".into(),
            family_name: "garcia  lopez".into(),
            date_of_birth: Some(IsoDate("1980-02-03".into())),
            identifiers: vec![Identifier { kind: "national_id".into(), value: "AB1234".into() }],
            ..Draft::default()
        };
        assert_eq!(match_keys(&a), match_keys(&b));
        assert_eq!(
            match_keys(&a),
            vec!["i:national_id:AB1234".to_owned(), "n:garcia lopez|jose|1980-02-03".to_owned()]
        );
        assert!(match_keys(&Draft { given_name: "A".into(), family_name: "B".into(), ..Draft::default() }).is_empty());
    }
}
