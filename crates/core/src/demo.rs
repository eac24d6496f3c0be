//! Made-up patients for trying the app (`scripts/run --demo`): varied names from many countries,
//! with accents, phone numbers, identifiers, insurance, allergies and alerts. Deterministic.

use jiff::civil::Date;

use crate::accounts::SessionId;
use crate::patients::{self, Identifier, Insurance, PatientDraft, Phone, PhoneKind, Sex};
use crate::{Clinic, CoreResult};

const GIVEN_FEMALE: &[&str] = &[
    "Amina",
    "Zoë",
    "María José",
    "Chloé",
    "Wanjiku",
    "Fatoumata",
    "Ingrid",
    "Aïcha",
    "Siobhán",
    "Priya",
    "Mei",
    "Olga",
    "Lucía",
    "Émilie",
    "Nomvula",
    "Yasmin",
    "Ana",
    "Hélène",
    "Akosua",
    "Björk",
];
const GIVEN_MALE: &[&str] = &[
    "José",
    "Jean-Luc",
    "Mohamed",
    "Kwame",
    "Søren",
    "Ibrahim",
    "Luis",
    "François",
    "Arjun",
    "Chen",
    "Dmitri",
    "Tomás",
    "Oumar",
    "Jürgen",
    "Thabo",
    "Mateo",
    "Kenji",
    "Noël",
    "Emeka",
    "Rafael",
];
const FAMILY: &[&str] = &[
    "García",
    "Traoré",
    "Odhiambo",
    "Nguyen",
    "Müller",
    "Diallo",
    "Ndlovu",
    "Fernández",
    "O'Brien",
    "Kowalski",
    "Dubois",
    "Okafor",
    "Petrović",
    "Haddad",
    "Sørensen",
    "Mensah",
    "Rossi",
    "Kamau",
    "Lefèvre",
    "Da Silva",
    "Singh",
    "Tanaka",
    "Ivanova",
    "Ben Ali",
    "Achterberg",
];
const ALLERGIES: &[&str] = &["Penicillin", "Peanuts", "Latex", "Sulfonamides", "Aspirin", "Shellfish"];
const ALERTS: &[&str] = &["Diabetic", "Pacemaker", "Needs an interpreter", "Anticoagulated", "Pregnant", "Fall risk"];
const INSURERS: &[&str] = &["Mutuelle Santé Plus", "National Health Fund", "CareFirst", "AfyaCover"];

/// A small deterministic generator (xorshift), so demo data is the same on every machine.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `count` made-up patients.
pub fn demo_patients(count: usize) -> Vec<PatientDraft> {
    let mut seq = Seq(0x0DE3_0C11_u64);
    (0..count)
        .map(|i| {
            let female = seq.below(2) == 0;
            let given = if female { seq.pick(GIVEN_FEMALE) } else { seq.pick(GIVEN_MALE) };
            let year = 1935 + seq.below(88) as i16;
            let born = Date::new(year, 1 + seq.below(12) as i8, 1 + seq.below(28) as i8).ok();
            let number = format!("+254 7{:02} {:03} {:03}", seq.below(100), seq.below(1000), i % 1000);
            let mut draft = PatientDraft {
                given_name: given.to_owned(),
                family_name: seq.pick(FAMILY).to_owned(),
                date_of_birth: born,
                sex: if female { Sex::Female } else { Sex::Male },
                phones: vec![Phone { kind: PhoneKind::Mobile, number }],
                identifiers: vec![Identifier {
                    kind: "national_id".into(),
                    value: format!("ID{:08}", 10_000_000 + i * 37),
                }],
                ..Default::default()
            };
            if seq.below(3) == 0 {
                draft.allergies.push(seq.pick(ALLERGIES).to_owned());
            }
            if seq.below(5) == 0 {
                draft.alerts.push(seq.pick(ALERTS).to_owned());
            }
            if seq.below(2) == 0 {
                draft.insurance.push(Insurance {
                    provider: seq.pick(INSURERS).to_owned(),
                    policy_number: format!("POL-{:06}", seq.below(1_000_000)),
                    coverage_start: Date::new(2025, 1, 1).ok(),
                    coverage_end: Date::new(2027, 12, 31).ok(),
                });
            }
            draft.communication.reminders = seq.below(4) != 0;
            draft
        })
        .collect()
}

/// Registers `count` demo patients in one transaction (needs permission to import patients).
pub fn load_demo_patients(clinic: &Clinic, session: SessionId, count: usize) -> CoreResult<usize> {
    clinic.authorize(session, crate::rbac::Permission::PatientImport)?;
    patients::register_many(clinic, session, &demo_patients(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_patients_are_varied_and_the_same_every_time() {
        let a = demo_patients(300);
        assert_eq!(a, demo_patients(300));
        let families: std::collections::BTreeSet<&str> = a.iter().map(|p| p.family_name.as_str()).collect();
        assert!(families.len() > 15, "{families:?}");
        assert!(a.iter().any(|p| !p.allergies.is_empty()) && a.iter().any(|p| !p.insurance.is_empty()));
    }
}
