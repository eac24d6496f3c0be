//! CSV import of patients: all rows or none, every problem reported by line and column, duplicates caught.

mod common;

use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::patients::{self, PatientDraft, Sex};
use common::TestClinic;

fn count(t: &TestClinic, sql: &str) -> i64 {
    t.clinic.with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get(0))).expect("conn").expect("count")
}

fn footprint(t: &TestClinic) -> [i64; 4] {
    [
        count(t, "SELECT count(*) FROM patients"),
        count(t, "SELECT count(*) FROM patient_lookup"),
        count(t, "SELECT count(*) FROM outbox"),
        count(t, "SELECT count(*) FROM audit_log"),
    ]
}

const GOOD: &str = "\
given_name,family_name,other_names,date_of_birth,sex,phone,email,national_id,city,allergies
Zoë,Müller,Anna;Maria,1975-06-30,female,+49 151 2345 6789,zoe@example.org,DE-75-001,Berlin,Latex;Nuts
Kwame,Mensah,,1990-01-15,male,024 123 4567,,GH-90-002,Accra,
Yuki,Tanaka,,,,,,,,
";

#[test]
fn a_valid_file_is_imported_in_one_go_with_one_summary_audit_entry() {
    let t = TestClinic::new();
    let outbox_before = count(&t, "SELECT count(*) FROM outbox");
    let report = patients::import_csv(&t.clinic, t.admin, GOOD.as_bytes(), false).expect("import");
    assert_eq!(report.errors, []);
    assert_eq!((report.rows, report.imported), (3, 3));
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 3);
    assert_eq!(count(&t, "SELECT count(*) FROM outbox"), outbox_before + 3);

    let found = patients::search(&t.clinic, t.admin, "muller", 10).expect("search");
    assert_eq!(found.len(), 1);
    let zoe = patients::get(&t.clinic, t.admin, found[0].id).expect("get");
    assert_eq!(zoe.details.other_names, ["Anna", "Maria"]);
    assert_eq!(zoe.details.sex, Sex::Female);
    assert_eq!(zoe.details.allergies, ["Latex", "Nuts"]);
    assert_eq!(zoe.details.identifiers[0].kind, "national_id");
    assert_eq!(zoe.details.address.city, "Berlin");
    assert_eq!(patients::search(&t.clinic, t.admin, "DE75001", 10).expect("id").len(), 1);

    let filter = |action| AuditFilter { action: Some(action), ..AuditFilter::default() };
    let imports = audit::list(&t.clinic, t.admin, &filter(AuditAction::PatientImport)).expect("audit");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].detail, "3 patients");
    assert_eq!(audit::list(&t.clinic, t.admin, &filter(AuditAction::PatientCreate)).expect("audit").len(), 3);
}

#[test]
fn any_bad_row_stops_the_whole_import_and_every_problem_is_listed() {
    let t = TestClinic::new();
    let file = "\
given_name,family_name,date_of_birth,sex,phone,email,passport
Ana,Silva,1980-02-30,female,,,
,Pereira,1982-01-01,female,,,
Rui,Costa,1983-01-01,maybe,,,
Rita,Sousa,1984-01-01,female,12-34,,
Luis,Gomes,1985-01-01,male,,not-an-email,
Eva,Lopes,1986-01-01,female,,,X1234567890123456789012345678901234567890
Good,Row,1987-01-01,male,,,
";
    let before = footprint(&t);
    let report = patients::import_csv(&t.clinic, t.admin, file.as_bytes(), false).expect("report");
    assert_eq!(report.imported, 0);
    assert_eq!(report.rows, 7);
    let problems: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        problems,
        [(2, "date_of_birth"), (3, "given_name"), (4, "sex"), (5, "phone"), (6, "email"), (7, "passport")]
    );
    assert!(report.errors.iter().all(|e| !e.message.is_empty()));
    assert_eq!(footprint(&t), before, "nothing at all was imported");
}

#[test]
fn header_problems_are_reported_on_line_one() {
    let t = TestClinic::new();
    let report =
        patients::import_csv(&t.clinic, t.admin, "given_name,surname\nAna,Silva\n".as_bytes(), false).expect("report");
    let problems: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(problems, [(1, "surname"), (1, "family_name")]);
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 0);
}

#[test]
fn duplicates_in_the_file_or_the_database_are_errors_unless_allowed() {
    let t = TestClinic::new();
    let existing = PatientDraft {
        given_name: "Kwame".into(),
        family_name: "Mensah".into(),
        date_of_birth: Some(jiff::civil::date(1990, 1, 15)),
        ..PatientDraft::default()
    };
    patients::register(&t.clinic, t.admin, &existing, false).expect("existing");
    let file = "\
given_name,family_name,date_of_birth,phone
KWAME,Mensah,1990-01-15,
Ama,Owusu,1992-05-05,020 555 0101
Esi,Owusu,1993-06-06,020-555-0101
";
    let before = footprint(&t);
    let report = patients::import_csv(&t.clinic, t.admin, file.as_bytes(), false).expect("report");
    let problems: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(problems, [(2, "date_of_birth"), (4, "phone")]);
    assert!(report.errors[0].message.contains("MAIN-D01-000001"), "{}", report.errors[0].message);
    assert!(report.errors[1].message.contains("Line 3"), "{}", report.errors[1].message);
    assert_eq!(footprint(&t), before);

    let report = patients::import_csv(&t.clinic, t.admin, file.as_bytes(), true).expect("allowed");
    assert_eq!((report.imported, report.errors.len()), (3, 0));
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 4);
}
