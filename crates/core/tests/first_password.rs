//! An account an administrator made (or whose password an administrator reset) may do nothing but choose its own
//! password: core refuses every permission to its sessions, audits each refusal, and lifts the refusal once the
//! person has chosen. The first administrator, who chose their password at setup, is never held back.

mod common;

use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::audit::{self, AuditAction, AuditEntry, AuditFilter};
use clinic_core::patients::{self, PatientDraft, RegisterOutcome};
use clinic_core::rbac::Role;
use clinic_core::{CoreError, ErrorCode, setup, sync};
use common::{ADMIN_PASSWORD, STAFF_PASSWORD, TEMPORARY_PASSWORD, TestClinic};
use uuid::Uuid;

/// The administrator makes an account with the temporary password; nobody signs in yet.
fn make_account(t: &TestClinic, username: &str, role: Role) -> Uuid {
    let new = NewStaff {
        username: username.into(),
        display_name: "Fatou Ndiaye".into(),
        role,
        password: TEMPORARY_PASSWORD.into(),
    };
    let member = accounts::create_staff(&t.clinic, t.admin, &new).expect("create");
    assert!(member.must_change_password, "an administrator's account starts with a temporary password");
    member.id
}

fn draft(given: &str) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: "Mensah".into(),
        date_of_birth: Some(jiff::civil::date(1990, 4, 12)),
        ..PatientDraft::default()
    }
}

fn register(t: &TestClinic, session: SessionId, given: &str) -> Result<Uuid, CoreError> {
    match patients::register(&t.clinic, session, &draft(given), true)? {
        RegisterOutcome::Registered(p) => Ok(p.id),
        RegisterOutcome::PossibleDuplicates(d) => panic!("confirmed, yet duplicates: {d:?}"),
    }
}

fn assert_password_change_required(e: &CoreError) {
    assert_eq!(e.code, ErrorCode::Forbidden, "{}", e.message);
    assert!(e.message.contains("Choose a new password"), "{}", e.message);
    assert!(e.message.contains("temporary password"), "{}", e.message);
}

/// Patients, outbox entries and row versions: what a refused operation must leave alone.
fn footprint(t: &TestClinic) -> (i64, i64, i64) {
    t.clinic
        .with_connection_for_tests(|c| {
            let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
            (
                n("SELECT count(*) FROM patients"),
                n("SELECT count(*) FROM outbox"),
                n("SELECT coalesce(sum(row_version), 0) FROM patients"),
            )
        })
        .expect("conn")
}

fn denials_of(t: &TestClinic, staff: Uuid) -> Vec<AuditEntry> {
    let filter = AuditFilter { user_id: Some(staff), action: Some(AuditAction::AccessDenied), ..Default::default() };
    audit::list(&t.clinic, t.admin, &filter).expect("audit")
}

#[test]
fn a_new_account_may_do_nothing_until_it_chooses_its_own_password() {
    let t = TestClinic::new();
    let id = make_account(&t, "f.ndiaye", Role::Receptionist);
    let info = accounts::login(&t.clinic, "f.ndiaye", TEMPORARY_PASSWORD).expect("first sign-in");
    assert!(info.must_change_password);
    let session = info.session_id;
    let before = footprint(&t);

    assert_password_change_required(&patients::search(&t.clinic, session, "Mensah", 10).expect_err("search"));
    assert_password_change_required(&register(&t, session, "Kofi").expect_err("registration"));
    assert_password_change_required(&sync::status(&t.clinic, session).expect_err("polled sync status"));
    assert_eq!(footprint(&t), before, "nothing changed");
    let denied = denials_of(&t, id);
    assert_eq!(denied.len(), 3, "each refusal is audited: {denied:?}");
    assert!(denied.iter().all(|e| e.outcome == "denied" && e.username.as_deref() == Some("f.ndiaye")));
    assert!(denied.iter().any(|e| e.detail.starts_with("PatientWrite") && e.detail.contains("temporary")));

    // What the change-password screen needs still works, and does not count as a refusal.
    assert_eq!(t.clinic.touch(session).expect("touch").staff_id, id);
    assert_eq!(setup::settings(&t.clinic, session).expect("clinic settings").name, "Riverside Clinic");
    accounts::lock(&t.clinic, session).expect("lock");
    accounts::unlock(&t.clinic, session, TEMPORARY_PASSWORD).expect("unlock");
    assert_password_change_required(&patients::search(&t.clinic, session, "Mensah", 10).expect_err("still"));
    assert_eq!(denials_of(&t, id).len(), 4);

    accounts::change_own_password(&t.clinic, session, TEMPORARY_PASSWORD, STAFF_PASSWORD).expect("own password");
    let patient = register(&t, session, "Kofi").expect("the same session may now work");
    let found = patients::search(&t.clinic, session, "Mensah", 10).expect("search");
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [patient]);
    assert_eq!(denials_of(&t, id).len(), 4, "no refusal after the change");
    // The role still decides the rest, with the role's own message.
    let e = accounts::list_staff(&t.clinic, session).expect_err("receptionists do not manage staff");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(!e.message.contains("temporary password"), "{}", e.message);

    let again = accounts::login(&t.clinic, "f.ndiaye", STAFF_PASSWORD).expect("next sign-in");
    assert!(!again.must_change_password);
    patients::search(&t.clinic, again.session_id, "Mensah", 10).expect("allowed from the start");
}

#[test]
fn every_session_of_the_person_is_freed_by_the_change_and_signing_out_needs_no_change() {
    let t = TestClinic::new();
    make_account(&t, "k.owusu", Role::Nurse);
    let first = accounts::login(&t.clinic, "k.owusu", TEMPORARY_PASSWORD).expect("first").session_id;
    let second = accounts::login(&t.clinic, "k.owusu", TEMPORARY_PASSWORD).expect("second").session_id;
    let leaving = accounts::login(&t.clinic, "k.owusu", TEMPORARY_PASSWORD).expect("third").session_id;
    accounts::logout(&t.clinic, leaving).expect("sign out with the temporary password");
    assert_eq!(t.clinic.touch(leaving).expect_err("ended").code, ErrorCode::Unauthenticated);

    accounts::change_own_password(&t.clinic, first, TEMPORARY_PASSWORD, STAFF_PASSWORD).expect("own password");
    patients::search(&t.clinic, first, "Mensah", 10).expect("first session");
    patients::search(&t.clinic, second, "Mensah", 10).expect("other session of the same person");
}

#[test]
fn an_administrator_made_by_an_administrator_is_held_back_too() {
    let t = TestClinic::new();
    make_account(&t, "second.admin", Role::Administrator);
    let session = accounts::login(&t.clinic, "second.admin", TEMPORARY_PASSWORD).expect("sign in").session_id;
    let staff_before = accounts::list_staff(&t.clinic, t.admin).expect("list").len();
    let new = NewStaff {
        username: "made.too.early".into(),
        display_name: "Too Early".into(),
        role: Role::Doctor,
        password: TEMPORARY_PASSWORD.into(),
    };
    assert_password_change_required(&accounts::create_staff(&t.clinic, session, &new).expect_err("create"));
    assert_password_change_required(&accounts::list_staff(&t.clinic, session).expect_err("list"));
    assert_eq!(accounts::list_staff(&t.clinic, t.admin).expect("list").len(), staff_before);
}

#[test]
fn a_password_reset_puts_the_restriction_back() {
    let t = TestClinic::new();
    let id = make_account(&t, "d.asante", Role::Doctor);
    let session = common::first_sign_in(&t.clinic, "d.asante");
    register(&t, session, "Ama").expect("works after choosing");

    accounts::reset_password(&t.clinic, t.admin, id, "another temporary one").expect("reset");
    assert_eq!(
        t.clinic.touch(session).expect_err("the signed-in session ends").code,
        ErrorCode::Unauthenticated,
        "a reset ends the person's sessions: none keeps working on the old password"
    );
    let info = accounts::login(&t.clinic, "d.asante", "another temporary one").expect("sign in with the reset");
    assert!(info.must_change_password);
    let before = footprint(&t);
    assert_password_change_required(&register(&t, info.session_id, "Yaw").expect_err("refused again"));
    assert_eq!(footprint(&t), before);
    assert_eq!(denials_of(&t, id).len(), 1);

    accounts::change_own_password(&t.clinic, info.session_id, "another temporary one", "a brand new pass phrase")
        .expect("own password");
    register(&t, info.session_id, "Yaw").expect("works again");
}

#[test]
fn the_first_administrator_chose_their_password_at_setup_and_is_not_held_back() {
    let t = TestClinic::new();
    let info = accounts::login(&t.clinic, "admin", ADMIN_PASSWORD).expect("sign in");
    assert!(!info.must_change_password);
    let admin = accounts::list_staff(&t.clinic, info.session_id).expect("staff")[0].clone();
    assert!(!admin.must_change_password);
    register(&t, info.session_id, "Esi").expect("register");
    assert!(denials_of(&t, admin.id).is_empty());
}
