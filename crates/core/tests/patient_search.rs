//! Patient search from one box: names in any case and accent, parts of names, phones, MRNs, identifiers,
//! dates of birth, ranking, limits, and records that must not be found.

mod common;

use clinic_core::patients::{
    self, Identifier, MatchKind, Patient, PatientDraft, PatientSummary, Phone, PhoneKind, RegisterOutcome,
};
use clinic_core::setup::{self, DateFormat};
use common::TestClinic;
use jiff::civil::date;
use uuid::Uuid;

struct Person {
    given: &'static str,
    family: &'static str,
    born: (i16, i8, i8),
    phone: &'static str,
}

fn add(t: &TestClinic, p: &Person) -> Patient {
    let draft = PatientDraft {
        given_name: p.given.into(),
        family_name: p.family.into(),
        date_of_birth: Some(date(p.born.0, p.born.1, p.born.2)),
        phones: if p.phone.is_empty() {
            vec![]
        } else {
            vec![Phone { kind: PhoneKind::Mobile, number: p.phone.into() }]
        },
        ..PatientDraft::default()
    };
    add_draft(t, &draft)
}

fn add_draft(t: &TestClinic, draft: &PatientDraft) -> Patient {
    match patients::register(&t.clinic, t.admin, draft, true).expect("register") {
        RegisterOutcome::Registered(p) => p,
        RegisterOutcome::PossibleDuplicates(_) => unreachable!("confirmed"),
    }
}

/// A small clinic: people whose names share parts, with accents, and phones in several formats.
fn clinic() -> (TestClinic, Vec<Patient>) {
    let t = TestClinic::new();
    let people = [
        Person { given: "José", family: "García", born: (1980, 3, 2), phone: "06 12 34 56 78" },
        Person { given: "Jose", family: "Garcés", born: (1991, 7, 14), phone: "+34 612 000 111" },
        Person { given: "Joseph", family: "Okonkwo", born: (1975, 12, 1), phone: "(020) 7946-0018" },
        Person { given: "Rosa", family: "Ose", born: (1960, 1, 20), phone: "" },
        Person { given: "Ana", family: "López", born: (2001, 9, 9), phone: "07.11.22.33.44" },
        Person { given: "Mariana", family: "Aaronson", born: (1999, 9, 9), phone: "" },
        Person { given: "Björn", family: "Ødegård", born: (1988, 5, 5), phone: "" },
    ];
    let stored = people.iter().map(|p| add(&t, p)).collect();
    (t, stored)
}

fn find(t: &TestClinic, query: &str) -> Vec<PatientSummary> {
    patients::search(&t.clinic, t.admin, query, 20).expect("search")
}

fn ids(found: &[PatientSummary]) -> Vec<Uuid> {
    found.iter().map(|s| s.id).collect()
}

fn names(found: &[PatientSummary]) -> Vec<&str> {
    found.iter().map(|s| s.display_name.as_str()).collect()
}

#[test]
fn names_match_whatever_the_accents_and_case() {
    let (t, p) = clinic();
    let jose = find(&t, "jose");
    assert!(ids(&jose).contains(&p[0].id), "jose finds José: {:?}", names(&jose));
    assert!(ids(&jose).contains(&p[1].id));
    let upper = find(&t, "JOSÉ");
    assert!(ids(&upper).contains(&p[1].id), "JOSÉ finds Jose");
    assert!(ids(&upper).contains(&p[0].id));
    assert_eq!(ids(&find(&t, "GARCIA")), [p[0].id]);
    assert_eq!(ids(&find(&t, "odegard")), [p[6].id], "letters like ø are spelt out");
    assert_eq!(ids(&find(&t, "bjorn ØDEGÅRD")), [p[6].id]);
}

#[test]
fn any_part_of_a_name_and_several_words_match() {
    let (t, p) = clinic();
    let ose = find(&t, "ose");
    for i in [0, 1, 2, 3] {
        assert!(ids(&ose).contains(&p[i].id), "ose finds {}: {:?}", p[i].details.given_name, names(&ose));
    }
    assert!(!ids(&ose).contains(&p[4].id));
    assert_eq!(ids(&find(&t, "rcí")), [p[0].id], "a substring with an accent");
    assert_eq!(ids(&find(&t, "garc jos")), [p[1].id, p[0].id], "Garcés before García");
    assert_eq!(ids(&find(&t, "jos garcé")), [p[1].id], "words in any order");
    assert_eq!(ids(&find(&t, "ga jo")), [p[1].id, p[0].id], "short words are prefixes");
    assert!(find(&t, "garcia okonkwo").is_empty(), "every word must match");
}

#[test]
fn phones_match_in_any_format_and_by_their_start_or_end() {
    let (t, p) = clinic();
    for query in ["0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78", "(06) 12 34 56 78"] {
        let found = find(&t, query);
        assert_eq!(ids(&found), [p[0].id], "{query}");
        assert_eq!(found[0].match_kind, MatchKind::Phone, "{query}");
    }
    let start = find(&t, "06 12 3");
    assert_eq!(ids(&start), [p[0].id]);
    assert_eq!(start[0].match_kind, MatchKind::PhoneStart);
    let end = find(&t, "0018");
    assert_eq!(ids(&end), [p[2].id]);
    assert_eq!(end[0].match_kind, MatchKind::PhoneEnd);
    assert_eq!(ids(&find(&t, "+34 612-000")), [p[1].id]);
    assert!(find(&t, "018").is_empty(), "an end needs at least four digits");
}

#[test]
fn mrns_identifiers_and_dates_of_birth_are_found() {
    let (t, p) = clinic();
    let by_mrn = find(&t, "main-d01-000003");
    assert_eq!(ids(&by_mrn), [p[2].id]);
    assert_eq!(by_mrn[0].match_kind, MatchKind::Mrn);
    assert_eq!(by_mrn[0].mrn, "MAIN-D01-000003");

    let mut with_id = p[3].details.clone();
    with_id.identifiers = vec![Identifier { kind: "passport".into(), value: "X-123 456".into() }];
    patients::update(&t.clinic, t.admin, p[3].id, 1, &with_id).expect("update");
    let by_id = find(&t, "x123456");
    assert_eq!(ids(&by_id), [p[3].id]);
    assert_eq!(by_id[0].match_kind, MatchKind::Identifier);

    // The clinic writes dates day first; ISO always works.
    for query in ["02/03/1980", "2.3.1980", "02-03-1980", "1980-03-02"] {
        let found = find(&t, query);
        assert_eq!(ids(&found), [p[0].id], "{query}");
        assert_eq!(found[0].match_kind, MatchKind::DateOfBirth);
    }
    assert_eq!(ids(&find(&t, "09/09/2001")), [p[4].id]);
    assert_eq!(ids(&find(&t, "lopez 09/09/2001")), [p[4].id], "a name narrowed by a date");
    assert!(find(&t, "aaronson 09/09/2001").is_empty());

    let mut settings = setup::settings(&t.clinic, t.admin).expect("settings");
    settings.date_format = DateFormat::MonthDayYear;
    setup::update_settings(&t.clinic, t.admin, &settings).expect("month first");
    assert_eq!(ids(&find(&t, "03/02/1980")), [p[0].id], "now read month first");
    assert!(ids(&find(&t, "02/03/1980")).is_empty(), "2 March is no longer what this means");
}

#[test]
fn exact_matches_come_first_then_prefixes_then_substrings() {
    let (t, p) = clinic();
    let ana = find(&t, "ana");
    assert_eq!(ids(&ana), [p[4].id, p[5].id], "Ana López (prefix) before Mariana Aaronson (inside the name)");
    assert_eq!(ana[0].match_kind, MatchKind::NamePrefix);
    assert_eq!(ana[1].match_kind, MatchKind::NameSubstring);
    assert!(ana[0].rank < ana[1].rank);

    let holder = add_draft(
        &t,
        &PatientDraft {
            given_name: "Zed".into(),
            family_name: "Zulu".into(),
            identifiers: vec![Identifier { kind: "other".into(), value: "ROSA".into() }],
            ..PatientDraft::default()
        },
    );
    let rosa = find(&t, "rosa");
    assert_eq!(ids(&rosa), [holder.id, p[3].id], "an exact identifier beats a name");
    assert_eq!(rosa[0].match_kind, MatchKind::Identifier);

    let namesake = add(&t, &Person { given: "Abel", family: "Aabel", born: (1950, 1, 1), phone: "" });
    let by_phone = find(&t, "0612345678");
    assert_eq!(by_phone[0].id, p[0].id);
    assert!(!ids(&by_phone).contains(&namesake.id));

    let same_rank = find(&t, "jos");
    assert_eq!(names(&same_rank), ["Garcés, Jose", "García, José", "Okonkwo, Joseph"], "then by family name");
}

#[test]
fn limits_and_empty_queries() {
    let (t, _) = clinic();
    assert!(find(&t, "").is_empty());
    assert!(find(&t, "   ").is_empty());
    assert_eq!(patients::search(&t.clinic, t.admin, "o", 2).expect("search").len(), 2);
    assert_eq!(patients::search(&t.clinic, t.admin, "ose", 0).expect("search").len(), 1, "limit 0 means 1");
    let many: Vec<PatientDraft> = (0..120)
        .map(|i| PatientDraft { given_name: format!("Kim{i}"), family_name: "Park".into(), ..PatientDraft::default() })
        .collect();
    patients::register_many(&t.clinic, t.admin, &many).expect("many");
    assert_eq!(patients::search(&t.clinic, t.admin, "park", 1000).expect("search").len(), 100, "at most 100");
}

#[test]
fn deleted_and_merged_patients_are_not_found() {
    let (t, p) = clinic();
    patients::delete(&t.clinic, t.admin, p[0].id, "test record").expect("delete");
    patients::merge(&t.clinic, t.admin, p[2].id, p[1].id, "same person").expect("merge");
    for query in ["jose", "garcia", "0612345678", "02/03/1980", "main-d01-000001", "ose", "612 000 111"] {
        let found = ids(&find(&t, query));
        assert!(!found.contains(&p[0].id), "deleted found by {query}");
        assert!(!found.contains(&p[1].id), "merged found by {query}");
    }
    assert!(ids(&find(&t, "jose")).contains(&p[2].id));
}

#[test]
fn a_search_after_an_edit_finds_the_new_values_only() {
    let (t, p) = clinic();
    let mut edit = p[3].details.clone();
    edit.given_name = "Rosalind".into();
    edit.family_name = "Øyelaran".into();
    edit.phones = vec![Phone { kind: PhoneKind::Work, number: "+44 20 7946 0999".into() }];
    patients::update(&t.clinic, t.admin, p[3].id, 1, &edit).expect("update");
    assert_eq!(ids(&find(&t, "oyela")), [p[3].id]);
    assert_eq!(ids(&find(&t, "rosalind")), [p[3].id]);
    assert!(!ids(&find(&t, "ose")).contains(&p[3].id), "the old family name is gone");
    assert_eq!(ids(&find(&t, "0999")), [p[3].id]);
}

#[test]
fn searching_leaves_no_query_text_in_the_audit_trail() {
    let (t, _) = clinic();
    let before: i64 = t
        .clinic
        .with_connection_for_tests(|c| c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)))
        .expect("conn")
        .expect("count");
    find(&t, "garcía");
    find(&t, "0612345678");
    let after: i64 = t
        .clinic
        .with_connection_for_tests(|c| c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)))
        .expect("conn")
        .expect("count");
    assert_eq!(after, before, "searches are not audited one by one");
}

#[test]
fn the_trigram_index_stays_in_step_with_every_kind_of_write() {
    let (t, p) = clinic();
    let mut edit = p[0].details.clone();
    edit.family_name = "Garcia-Marquez".into();
    patients::update(&t.clinic, t.admin, p[0].id, 1, &edit).expect("update");
    patients::delete(&t.clinic, t.admin, p[1].id, "test").expect("delete");
    let many: Vec<PatientDraft> = (0..50)
        .map(|i| PatientDraft { given_name: format!("Lee{i}"), family_name: "Chen".into(), ..PatientDraft::default() })
        .collect();
    patients::register_many(&t.clinic, t.admin, &many).expect("many");
    patients::import_csv(&t.clinic, t.admin, "given_name,family_name\nNoor,Haddad\n".as_bytes(), false)
        .expect("import");
    let check = t
        .clinic
        .with_connection_for_tests(|c| {
            c.execute("INSERT INTO patient_name_search (patient_name_search, rank) VALUES ('integrity-check', 1)", [])
        })
        .expect("conn");
    assert!(check.is_ok(), "the trigram index matches the patients table: {check:?}");
    let indexed: i64 = t
        .clinic
        .with_connection_for_tests(|c| {
            c.query_row("SELECT count(*) FROM patient_name_search WHERE patient_name_search MATCH 'haddad'", [], |r| {
                r.get(0)
            })
        })
        .expect("conn")
        .expect("count");
    assert_eq!(indexed, 1);
    assert_eq!(ids(&find(&t, "marquez")), [p[0].id]);
}
