//! Patient registry: register, open, edit, soft-delete, merge, duplicates, validation, audit and permissions.

mod common;

use clinic_core::ErrorCode;
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::patients::{
    self, Address, CommunicationPreferences, EmergencyContact, Identifier, Insurance, MatchKind, Patient, PatientDraft,
    Phone, PhoneKind, RegisterOutcome, Sex,
};
use clinic_core::rbac::Role;
use common::TestClinic;
use jiff::civil::date;

fn draft(given: &str, family: &str) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(date(1980, 3, 2)),
        sex: Sex::Male,
        ..PatientDraft::default()
    }
}

fn full_draft() -> PatientDraft {
    PatientDraft {
        given_name: "  José ".into(),
        family_name: "García López".into(),
        other_names: vec!["Pepe".into()],
        date_of_birth: Some(date(1980, 3, 2)),
        sex: Sex::Male,
        phones: vec![
            Phone { kind: PhoneKind::Mobile, number: "+33 6 12 34 56 78".into() },
            Phone { kind: PhoneKind::Home, number: "01.23.45.67.89".into() },
        ],
        email: Some(" jose.garcia@example.org ".into()),
        address: Address {
            line1: "12 rue des Lilas".into(),
            line2: String::new(),
            city: "Lyon".into(),
            region: "Rhône".into(),
            postal_code: "69003".into(),
            country: "FR".into(),
        },
        identifiers: vec![Identifier { kind: "national_id".into(), value: "1 80 03 69 123 456".into() }],
        preferred_language: Some("es".into()),
        emergency_contact: Some(EmergencyContact {
            name: "Carmen García".into(),
            relationship: "sister".into(),
            phone: "06 98 76 54 32".into(),
        }),
        insurance: vec![Insurance {
            provider: "Mutuelle Santé".into(),
            policy_number: "MS-555-01".into(),
            coverage_start: Some(date(2025, 1, 1)),
            coverage_end: Some(date(2026, 12, 31)),
        }],
        allergies: vec!["Penicillin".into()],
        alerts: vec!["Hard of hearing".into()],
        notes: "Prefers morning appointments.".into(),
        communication: CommunicationPreferences { email: true, sms: true, reminders: false },
    }
}

fn registered(outcome: RegisterOutcome) -> Patient {
    match outcome {
        RegisterOutcome::Registered(p) => p,
        RegisterOutcome::PossibleDuplicates(d) => panic!("unexpected duplicate warning: {d:?}"),
    }
}

fn register(t: &TestClinic, d: &PatientDraft) -> Patient {
    registered(patients::register(&t.clinic, t.admin, d, false).expect("register"))
}

fn count(t: &TestClinic, sql: &str) -> i64 {
    t.clinic.with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get(0))).expect("conn").expect("count")
}

/// Rows in every table a registry write touches, and the next MRN number.
fn footprint(t: &TestClinic) -> [i64; 6] {
    [
        count(t, "SELECT count(*) FROM patients"),
        count(t, "SELECT count(*) FROM patient_lookup"),
        count(t, "SELECT count(*) FROM outbox"),
        count(t, "SELECT count(*) FROM audit_log"),
        count(t, "SELECT count(*) FROM patient_merges"),
        count(t, "SELECT coalesce((SELECT next_value FROM number_series WHERE name = 'mrn'), 0)"),
    ]
}

fn outbox_count(t: &TestClinic) -> i64 {
    count(t, "SELECT count(*) FROM outbox")
}

fn last_outbox(t: &TestClinic) -> (String, serde_json::Value, Option<i64>) {
    t.clinic
        .with_connection_for_tests(|c| {
            c.query_row("SELECT name, args, base_row_version FROM outbox ORDER BY device_seq DESC LIMIT 1", [], |r| {
                let args: String = r.get(1)?;
                Ok((r.get(0)?, serde_json::from_str(&args).expect("json"), r.get(2)?))
            })
        })
        .expect("conn")
        .expect("outbox row")
}

fn staff_id(t: &TestClinic, session: clinic_core::accounts::SessionId) -> uuid::Uuid {
    t.clinic.touch(session).expect("session").staff_id
}

#[test]
fn a_registered_patient_is_stored_tidied_and_can_be_opened() {
    let t = TestClinic::new();
    let before = outbox_count(&t);
    let p = register(&t, &full_draft());
    assert_eq!(p.mrn, "MAIN-D01-000001");
    assert_eq!(p.details.given_name, "José", "names are trimmed");
    assert_eq!(p.details.email.as_deref(), Some("jose.garcia@example.org"));
    assert_eq!(p.row_version, 1);
    assert_eq!(p.updated_by, Some(staff_id(&t, t.admin)));
    assert_eq!(outbox_count(&t), before + 1, "one outbox row per registration");
    let (name, args, base) = last_outbox(&t);
    assert_eq!(name, "patient.register");
    assert_eq!(args["mrn"], "MAIN-D01-000001");
    assert_eq!(base, None);

    let opened = patients::get(&t.clinic, t.admin, p.id).expect("get");
    assert_eq!(opened, p);
    let mut expected = full_draft();
    expected.given_name = "José".into();
    expected.email = Some("jose.garcia@example.org".into());
    assert_eq!(opened.details, expected, "every field survives the round trip");
    assert!(opened.is_active());
}

#[test]
fn mrns_follow_the_device_series_and_are_unique() {
    let t = TestClinic::new();
    let mrns: Vec<String> = ["Ana", "Bea", "Cleo"].iter().map(|g| register(&t, &draft(g, "Martin")).mrn).collect();
    assert_eq!(mrns, ["MAIN-D01-000001", "MAIN-D01-000002", "MAIN-D01-000003"]);
    let t = t.reopen();
    let next = register(&t, &draft("Dora", "Martin"));
    assert_eq!(next.mrn, "MAIN-D01-000004", "the series survives a restart");
    let many = (0..5).map(|i| draft(&format!("Eve{i}"), "Bulk")).collect::<Vec<_>>();
    assert_eq!(patients::register_many(&t.clinic, t.admin, &many).expect("many"), 5);
    assert_eq!(count(&t, "SELECT count(DISTINCT mrn) FROM patients"), 9);
    assert_eq!(count(&t, "SELECT count(*) FROM patients WHERE mrn = 'MAIN-D01-000009'"), 1);
}

#[test]
fn each_invalid_field_is_named_and_nothing_is_written() {
    let t = TestClinic::new();
    register(&t, &draft("Existing", "Patient"));
    let long = |n: usize| "x".repeat(n);
    type Change = Box<dyn Fn(&mut PatientDraft)>;
    let cases: Vec<(&str, Change)> = vec![
        ("given_name", Box::new(|d| d.given_name = "   ".into())),
        ("family_name", Box::new(move |d| d.family_name = long(101))),
        ("other_names[1]", Box::new(|d| d.other_names = vec!["Ok".into(), " ".into()])),
        ("date_of_birth", Box::new(|d| d.date_of_birth = Some(date(2026, 3, 3)))),
        ("date_of_birth", Box::new(|d| d.date_of_birth = Some(date(1899, 12, 31)))),
        (
            "phones[1].number",
            Box::new(|d| {
                d.phones = vec![
                    Phone { kind: PhoneKind::Mobile, number: "0612345678".into() },
                    Phone { kind: PhoneKind::Home, number: "12-34".into() },
                ]
            }),
        ),
        (
            "phones[0].number",
            Box::new(|d| d.phones = vec![Phone { kind: PhoneKind::Mobile, number: "06 12 AB".into() }]),
        ),
        ("email", Box::new(|d| d.email = Some("jose@@example".into()))),
        ("email", Box::new(|d| d.email = Some("jose@localhost".into()))),
        (
            "identifiers[0].kind",
            Box::new(|d| d.identifiers = vec![Identifier { kind: " ".into(), value: "A1".into() }]),
        ),
        (
            "identifiers[0].value",
            Box::new(|d| d.identifiers = vec![Identifier { kind: "passport".into(), value: "  ".into() }]),
        ),
        (
            "identifiers[0].value",
            Box::new(move |d| d.identifiers = vec![Identifier { kind: "passport".into(), value: long(41) }]),
        ),
        (
            "insurance[0].provider",
            Box::new(|d| d.insurance = vec![Insurance { policy_number: "P1".into(), ..Insurance::default() }]),
        ),
        (
            "insurance[0].policy_number",
            Box::new(|d| d.insurance = vec![Insurance { provider: "Acme".into(), ..Insurance::default() }]),
        ),
        (
            "insurance[0].coverage_end",
            Box::new(|d| {
                d.insurance = vec![Insurance {
                    provider: "Acme".into(),
                    policy_number: "P1".into(),
                    coverage_start: Some(date(2025, 6, 1)),
                    coverage_end: Some(date(2025, 5, 31)),
                }]
            }),
        ),
        (
            "emergency_contact.name",
            Box::new(|d| {
                d.emergency_contact =
                    Some(EmergencyContact { phone: "0612345678".into(), ..EmergencyContact::default() })
            }),
        ),
        (
            "emergency_contact.phone",
            Box::new(|d| {
                d.emergency_contact = Some(EmergencyContact {
                    name: "Carmen".into(),
                    relationship: "sister".into(),
                    phone: "call her".into(),
                })
            }),
        ),
        ("address.city", Box::new(move |d| d.address.city = long(201))),
        ("allergies[0]", Box::new(|d| d.allergies = vec!["".into()])),
        ("notes", Box::new(move |d| d.notes = long(10_001))),
    ];
    let before = footprint(&t);
    for (field, change) in cases {
        let mut d = draft("Valid", "Person");
        change(&mut d);
        let err = patients::register(&t.clinic, t.admin, &d, true).expect_err(field);
        assert_eq!(err.code, ErrorCode::Validation, "{field}: {}", err.message);
        assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
        assert!(err.message.len() > 15, "the message says what to do: {}", err.message);
        assert_eq!(footprint(&t), before, "{field}: nothing written");
    }
    let bulk = vec![draft("Fine", "One"), draft(" ", "Two")];
    let err = patients::register_many(&t.clinic, t.admin, &bulk).expect_err("bulk");
    assert_eq!(err.field.as_deref(), Some("drafts[1].given_name"));
    assert_eq!(footprint(&t), before, "a bad draft in a batch writes none of it");
}

#[test]
fn date_of_birth_is_checked_against_the_clinic_s_own_date() {
    let t = TestClinic::new();
    // 23:30 UTC on 2 March is already 3 March in Paris (the clinic's time zone).
    t.clock.set("2026-03-02T23:30:00Z".parse().expect("time"));
    // The morning's session has locked itself by now: sign in again.
    let admin = clinic_core::accounts::login(&t.clinic, "admin", common::ADMIN_PASSWORD).expect("login").session_id;
    let mut d = draft("Newborn", "Baby");
    d.date_of_birth = Some(date(2026, 3, 3));
    registered(patients::register(&t.clinic, admin, &d, false).expect("born today in Paris"));
    d.given_name = "Other".into();
    d.date_of_birth = Some(date(2026, 3, 4));
    let err = patients::register(&t.clinic, admin, &d, true).expect_err("future");
    assert_eq!(err.field.as_deref(), Some("date_of_birth"));
}

#[test]
fn an_edit_bumps_the_version_and_queues_only_the_changed_fields() {
    let t = TestClinic::new();
    let p = register(&t, &full_draft());
    let nurse = t.sign_in_as(Role::Nurse);
    let mut edit = p.details.clone();
    edit.family_name = "García Ruiz".into();
    edit.phones.truncate(1);
    let before = outbox_count(&t);
    let saved = patients::update(&t.clinic, nurse, p.id, 1, &edit).expect("update");
    assert_eq!(saved.row_version, 2);
    assert_eq!(saved.updated_by, Some(staff_id(&t, nurse)));
    assert_eq!(saved.details, edit);
    assert_eq!(outbox_count(&t), before + 1);
    let (name, args, base) = last_outbox(&t);
    assert_eq!(name, "patient.update");
    assert_eq!(base, Some(1));
    let patch = args["patch"].as_object().expect("patch");
    let mut fields: Vec<&str> = patch.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["family_name", "phones"]);
    assert_eq!(patch["family_name"], "García Ruiz");

    let entries = audit::list(
        &t.clinic,
        t.admin,
        &AuditFilter { patient_id: Some(p.id), action: Some(AuditAction::PatientUpdate), ..AuditFilter::default() },
    )
    .expect("audit");
    assert_eq!(entries.len(), 1);
    let mut named: Vec<&str> = entries[0].detail.split(',').collect();
    named.sort_unstable();
    assert_eq!(named, ["family_name", "phones"], "the audit names the changed fields");

    let unchanged = patients::update(&t.clinic, nurse, p.id, 2, &edit).expect("no change");
    assert_eq!(unchanged.row_version, 2, "saving without changes writes nothing");
    assert_eq!(outbox_count(&t), before + 1);
}

#[test]
fn a_stale_edit_is_refused_and_changes_nothing() {
    let t = TestClinic::new();
    let p = register(&t, &draft("Lena", "Schmidt"));
    let mut first = p.details.clone();
    first.given_name = "Helena".into();
    patients::update(&t.clinic, t.admin, p.id, 1, &first).expect("first edit");
    let before = footprint(&t);
    let mut second = p.details.clone();
    second.family_name = "Schmitt".into();
    let err = patients::update(&t.clinic, t.admin, p.id, 1, &second).expect_err("stale");
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("Reload"), "{}", err.message);
    assert_eq!(footprint(&t), before);
    let now = patients::get(&t.clinic, t.admin, p.id).expect("get");
    assert_eq!((now.details.given_name.as_str(), now.details.family_name.as_str()), ("Helena", "Schmidt"));
}

#[test]
fn likely_duplicates_are_shown_before_anything_is_written() {
    let t = TestClinic::new();
    let mut original = draft("José", "García");
    original.phones = vec![Phone { kind: PhoneKind::Mobile, number: "06 12 34 56 78".into() }];
    original.identifiers = vec![Identifier { kind: "national_id".into(), value: "AB 123 456".into() }];
    let first = register(&t, &original);
    let before = footprint(&t);

    let same_name = draft("jose", "GARCIA");
    let RegisterOutcome::PossibleDuplicates(found) =
        patients::register(&t.clinic, t.admin, &same_name, false).expect("check")
    else {
        panic!("expected a duplicate warning for the same name and date of birth");
    };
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, first.id);
    assert_eq!(found[0].match_kind, MatchKind::NameAndDateOfBirth);
    assert_eq!(footprint(&t), before, "a warning writes nothing");

    let mut other_birthday = same_name.clone();
    other_birthday.date_of_birth = Some(date(1981, 3, 2));
    assert!(patients::check_duplicates(&t.clinic, t.admin, &other_birthday).expect("check").is_empty());

    let by_phone = PatientDraft {
        phones: vec![Phone { kind: PhoneKind::Mobile, number: "+33 6.12.34.56.78".into() }],
        ..PatientDraft::default()
    };
    let found = patients::check_duplicates(&t.clinic, t.admin, &by_phone).expect("phone");
    assert_eq!(found.iter().map(|s| (s.id, s.match_kind)).collect::<Vec<_>>(), [(first.id, MatchKind::Phone)]);

    let by_id = PatientDraft {
        identifiers: vec![Identifier { kind: "National_ID".into(), value: "ab-123456".into() }],
        ..PatientDraft::default()
    };
    let found = patients::check_duplicates(&t.clinic, t.admin, &by_id).expect("id");
    assert_eq!(found.iter().map(|s| s.match_kind).collect::<Vec<_>>(), [MatchKind::Identifier]);
    let other_kind = PatientDraft {
        identifiers: vec![Identifier { kind: "passport".into(), value: "AB123456".into() }],
        ..PatientDraft::default()
    };
    assert!(patients::check_duplicates(&t.clinic, t.admin, &other_kind).expect("kind").is_empty());

    let second = registered(patients::register(&t.clinic, t.admin, &same_name, true).expect("confirmed"));
    assert_ne!(second.id, first.id);
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 2);
}

#[test]
fn deleted_and_merged_records_are_hidden_but_can_still_be_opened() {
    let t = TestClinic::new();
    let kept = register(&t, &draft("Amara", "Okafor"));
    let dup = registered(patients::register(&t.clinic, t.admin, &draft("Amara", "Okafor"), true).expect("dup"));
    let gone = register(&t, &draft("Tomasz", "Nowak"));

    let err = patients::delete(&t.clinic, t.admin, gone.id, "  ").expect_err("reason required");
    assert_eq!(err.field.as_deref(), Some("reason"));
    let before = outbox_count(&t);
    let deleted = patients::delete(&t.clinic, t.admin, gone.id, "Registered by mistake").expect("delete");
    assert_eq!(outbox_count(&t), before + 1);
    assert!(deleted.deleted_at.is_some());
    assert_eq!(deleted.deleted_reason.as_deref(), Some("Registered by mistake"));
    assert_eq!(deleted.row_version, 2);
    assert!(patients::search(&t.clinic, t.admin, "nowak", 10).expect("search").is_empty());
    let opened = patients::get(&t.clinic, t.admin, gone.id).expect("still there");
    assert_eq!(opened.details.family_name, "Nowak");
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 3, "never hard-deleted");
    let err = patients::update(&t.clinic, t.admin, gone.id, 2, &draft("Tom", "Nowak")).expect_err("deleted");
    assert_eq!(err.code, ErrorCode::Conflict);

    let receptionist = t.sign_in_as(Role::Receptionist);
    let before = outbox_count(&t);
    patients::merge(&t.clinic, receptionist, kept.id, dup.id, "Same person, registered twice").expect("merge");
    assert_eq!(outbox_count(&t), before + 1);
    assert_eq!(last_outbox(&t).0, "patient.merge");
    assert_eq!(count(&t, "SELECT count(*) FROM patient_merges"), 1);
    let merged = patients::get(&t.clinic, t.admin, dup.id).expect("merged record");
    assert_eq!(merged.merged_into, Some(kept.id));
    let found = patients::search(&t.clinic, t.admin, "okafor", 10).expect("search");
    assert_eq!(found.iter().map(|s| s.id).collect::<Vec<_>>(), [kept.id]);
    assert_eq!(patients::check_duplicates(&t.clinic, t.admin, &draft("Amara", "Okafor")).expect("dups").len(), 1);
    for id in [kept.id, dup.id] {
        let entries = audit::list(
            &t.clinic,
            t.admin,
            &AuditFilter { patient_id: Some(id), action: Some(AuditAction::PatientMerge), ..AuditFilter::default() },
        )
        .expect("audit");
        assert_eq!(entries.len(), 1, "the merge is in both patients' histories");
    }
    let again = patients::merge(&t.clinic, t.admin, kept.id, dup.id, "again").expect_err("already merged");
    assert_eq!(again.code, ErrorCode::Conflict);
    let itself = patients::merge(&t.clinic, t.admin, kept.id, kept.id, "x").expect_err("itself");
    assert_eq!(itself.code, ErrorCode::Validation);
}
