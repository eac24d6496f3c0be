//! Deterministic synthetic patients for the sync benchmark: patient `i` is always the same person, with a name,
//! date of birth, sex, phone, e-mail, address, national id and a short note (about the size of a real record).
//! No two share a name and date of birth or an identifier, so the server flags no likely duplicates and every
//! registration is a plain `applied`.

use clinic_core::patients::{Address, Identifier, PatientDraft, Phone, PhoneKind, Sex};

const GIVEN: [&str; 40] = [
    "Amina", "Bruno", "Chloé", "Dmitri", "Esra", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kemal", "Léa", "Mateo",
    "Nadia", "Olga", "Pablo", "Quentin", "Rania", "Sofía", "Tomás", "Ugo", "Vera", "Wanjiru", "Xavier", "Yara", "Zoé",
    "Álvaro", "Björn", "Céline", "Dario", "Elif", "Fatou", "Gustav", "Hana", "Ibrahim", "Jana", "Kofi", "Lucía", "Mei",
    "Nils",
];
const FAMILY: [&str; 40] = [
    "Diallo",
    "Costa",
    "Martin",
    "Ivanov",
    "Yilmaz",
    "Haddad",
    "Okafor",
    "Tanaka",
    "García",
    "Müller",
    "Rossi",
    "Nowak",
    "Dubois",
    "Silva",
    "Kowalski",
    "Andersson",
    "Popescu",
    "Novák",
    "Papadopoulos",
    "Horvát",
    "Jensen",
    "Murphy",
    "O'Brien",
    "Van Dijk",
    "Schmidt",
    "Moreau",
    "Fernández",
    "Petrov",
    "Kaya",
    "Mensah",
    "Nguyen",
    "Kim",
    "Sato",
    "Cohen",
    "Lévy",
    "Ramos",
    "Bianchi",
    "Lindqvist",
    "Mbeki",
    "Zhou",
];
const CITIES: [&str; 6] = ["Lyon", "Paris", "Nantes", "Lille", "Bordeaux", "Marseille"];
const NOTES: [&str; 4] = ["", "prefers mornings", "needs an interpreter", "wheelchair access"];

/// Days from 1930-01-01 to 2024-12-31, the range of dates of birth.
const BIRTH_DAYS: u64 = 34_698;

/// Patient `i`: the name pair cycles through 1,600 combinations and the date of birth moves on by a step that is
/// coprime with the range each time the names come round, so `(names, date of birth)` never repeats.
pub fn patient(i: u64) -> PatientDraft {
    let names = (GIVEN.len() * FAMILY.len()) as u64;
    let given = GIVEN[(i % GIVEN.len() as u64) as usize];
    let family = FAMILY[((i / GIVEN.len() as u64) % FAMILY.len() as u64) as usize];
    let day = ((i / names) * 547 + i % 97) % BIRTH_DAYS;
    let born = jiff::civil::date(1930, 1, 1).checked_add(jiff::Span::new().days(day as i64)).expect("a date");
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(born),
        sex: [Sex::Female, Sex::Male, Sex::Other, Sex::Unknown][(i % 4) as usize],
        phones: vec![Phone {
            kind: PhoneKind::Mobile,
            number: format!("+33 6 {:02} {:02} {:02} {:02}", i % 100, (i / 100) % 100, (i / 10_000) % 100, i % 89),
        }],
        email: Some(format!("patient{i}@example.org")),
        address: Address {
            line1: format!("{} rue de la République", 1 + i % 180),
            line2: String::new(),
            city: CITIES[(i % CITIES.len() as u64) as usize].into(),
            region: String::new(),
            postal_code: format!("{:05}", 10_000 + i % 80_000),
            country: "FR".into(),
        },
        identifiers: vec![Identifier { kind: "national_id".into(), value: format!("BENCH{i:09}") }],
        notes: NOTES[(i % NOTES.len() as u64) as usize].into(),
        ..PatientDraft::default()
    }
}
