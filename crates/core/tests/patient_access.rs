//! Patient registry access control and audit: every opening is audited, no patient value reaches the trail,
//! and roles decide who may register, delete, merge and import.

mod common;

use clinic_core::ErrorCode;
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::patients::{self, Identifier, Patient, PatientDraft, Phone, PhoneKind, RegisterOutcome};
use clinic_core::rbac::Role;
use common::TestClinic;
use jiff::civil::date;

fn draft(given: &str, family: &str) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(date(1980, 3, 2)),
        ..PatientDraft::default()
    }
}

/// A record with a value in every field the audit scan looks for.
fn full_draft() -> PatientDraft {
    PatientDraft {
        other_names: vec!["Pepe".into()],
        phones: vec![Phone { kind: PhoneKind::Mobile, number: "06 12 34 56 78".into() }],
        email: Some("jose.garcia@example.org".into()),
        address: patients::Address { city: "Lyon".into(), ..patients::Address::default() },
        identifiers: vec![Identifier { kind: "national_id".into(), value: "180 03 69 123 456".into() }],
        insurance: vec![patients::Insurance {
            provider: "Mutuelle Santé".into(),
            policy_number: "MS-555-01".into(),
            ..patients::Insurance::default()
        }],
        allergies: vec!["Penicillin".into()],
        ..draft("José", "García López")
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

/// Every audit column of every entry, as text.
fn all_audit_text(t: &TestClinic) -> String {
    t.clinic
        .with_connection_for_tests(|c| {
            let mut stmt = c.prepare("SELECT * FROM audit_log").expect("prepare");
            let columns = stmt.column_count();
            let mut rows = stmt.query([]).expect("query");
            let mut text = String::new();
            while let Some(row) = rows.next().expect("row") {
                for i in 0..columns {
                    let value: rusqlite::types::Value = row.get(i).expect("value");
                    text.push_str(&format!("{value:?}|"));
                }
                text.push('\n');
            }
            text
        })
        .expect("conn")
}

#[test]
fn every_opening_is_audited_and_no_patient_value_reaches_the_trail() {
    let t = TestClinic::new();
    let p = register(&t, &full_draft());
    patients::get(&t.clinic, t.admin, p.id).expect("get");
    patients::get(&t.clinic, t.admin, p.id).expect("get again");
    let views = audit::list(
        &t.clinic,
        t.admin,
        &AuditFilter { patient_id: Some(p.id), action: Some(AuditAction::PatientView), ..AuditFilter::default() },
    )
    .expect("audit");
    assert_eq!(views.len(), 2);
    assert_eq!(views[0].entity_id, Some(p.id));

    let mut edit = p.details.clone();
    edit.notes = "Moved to Marseille".into();
    edit.email = Some("pepe@example.org".into());
    patients::update(&t.clinic, t.admin, p.id, 1, &edit).expect("update");
    patients::search(&t.clinic, t.admin, "Garcí", 10).expect("search");
    patients::search(&t.clinic, t.admin, "0612345678", 10).expect("search");
    patients::delete(&t.clinic, t.admin, p.id, "Test record for Jose").expect("delete");
    let trail = all_audit_text(&t).to_lowercase();
    for value in [
        "josé",
        "jose",
        "garcía",
        "garcia",
        "pepe",
        "0612345678",
        "12 34 56",
        "612345678",
        "example.org",
        "marseille",
        "penicillin",
        "123 456",
        "mutuelle",
        "lyon",
        "test record",
    ] {
        assert!(!trail.contains(value), "the audit trail holds patient data: {value}");
    }
    assert!(trail.contains("notes"), "field names are there");
}

#[test]
fn roles_decide_who_may_register_delete_merge_and_import() {
    let t = TestClinic::new();
    let clerk = t.sign_in_as(Role::BillingClerk);
    let receptionist = t.sign_in_as(Role::Receptionist);
    let nurse = t.sign_in_as(Role::Nurse);
    let doctor = t.sign_in_as(Role::Doctor);

    let err = patients::register(&t.clinic, clerk, &draft("Ines", "Costa"), false).expect_err("clerk");
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 0);
    let p = registered(patients::register(&t.clinic, receptionist, &draft("Ines", "Costa"), false).expect("reception"));
    assert_eq!(patients::search(&t.clinic, clerk, "costa", 5).expect("clerk may look up").len(), 1);
    patients::get(&t.clinic, clerk, p.id).expect("clerk may open demographics");

    let err = patients::delete(&t.clinic, nurse, p.id, "mistake").expect_err("nurse delete");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let other =
        registered(patients::register(&t.clinic, nurse, &draft("Ines", "Costa"), true).expect("nurse registers"));
    let err = patients::merge(&t.clinic, doctor, p.id, other.id, "same").expect_err("doctor merge");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = patients::register_many(&t.clinic, receptionist, &[draft("A", "B")]).expect_err("bulk");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err =
        patients::import_csv(&t.clinic, doctor, "given_name,family_name\nA,B\n".as_bytes(), false).expect_err("import");
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(patients::get(&t.clinic, nurse, p.id).expect("still there").is_active());
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 2);
    let denied = audit::list(
        &t.clinic,
        t.admin,
        &AuditFilter { action: Some(AuditAction::AccessDenied), ..AuditFilter::default() },
    )
    .expect("audit");
    assert_eq!(denied.len(), 5, "every refusal is audited");
}
