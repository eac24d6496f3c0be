//! Staff accounts: setup, sign-in, brute-force delay across restarts, idle lock, staff management.

mod common;

use clinic_core::ErrorCode;
use clinic_core::accounts::{self, NewStaff};
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::rbac::Role;
use clinic_core::setup;
use common::{ADMIN_PASSWORD, STAFF_PASSWORD, TestClinic};

#[test]
fn setup_happens_once_and_creates_an_administrator() {
    let t = TestClinic::new();
    assert!(setup::is_set_up(&t.clinic).expect("status"));
    let again = setup::initialize(
        &t.clinic,
        &common::settings(),
        &setup::FirstAdministrator {
            username: "other".into(),
            display_name: "Other".into(),
            password: ADMIN_PASSWORD.into(),
        },
    )
    .expect_err("second setup refused");
    assert_eq!(again.code, ErrorCode::Conflict);
    let staff = accounts::list_staff(&t.clinic, t.admin).expect("list");
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].role, Role::Administrator);
}

#[test]
fn setup_rejects_bad_settings_field_by_field() {
    let t = TestClinic::new();
    type Change = Box<dyn Fn(&mut setup::ClinicSettings)>;
    let cases: Vec<(&str, Change)> = vec![
        ("name", Box::new(|s| s.name = "  ".into())),
        ("time_zone", Box::new(|s| s.time_zone = "Mars/Olympus".into())),
        ("currency", Box::new(|s| s.currency = "XYZ".into())),
        ("code", Box::new(|s| s.code = "has space".into())),
        ("idle_lock_minutes", Box::new(|s| s.idle_lock_minutes = 0)),
    ];
    for (field, change) in cases {
        let mut s = common::settings();
        change(&mut s);
        let err = setup::update_settings(&t.clinic, t.admin, &s).expect_err(field);
        assert_eq!(err.code, ErrorCode::Validation, "{field}");
        assert_eq!(err.field.as_deref(), Some(field));
    }
    assert_eq!(setup::settings(&t.clinic, t.admin).expect("settings"), common::settings(), "nothing changed");
}

#[test]
fn unknown_and_known_user_names_get_the_same_answer() {
    let t = TestClinic::new();
    let unknown = accounts::login(&t.clinic, "nobody", "whatever password").expect_err("unknown");
    let wrong = accounts::login(&t.clinic, "admin", "wrong password here").expect_err("wrong password");
    assert_eq!(unknown.code, ErrorCode::Unauthenticated);
    assert_eq!(unknown.code, wrong.code);
    assert_eq!(unknown.message, wrong.message);
}

#[test]
fn repeated_failures_block_sign_in_even_after_a_restart() {
    let t = TestClinic::new();
    for _ in 0..5 {
        let e = accounts::login(&t.clinic, "admin", "wrong password here").expect_err("wrong");
        assert_eq!(e.code, ErrorCode::Unauthenticated);
    }
    let t = {
        // Reopen without signing in (the admin is blocked).
        let common::TestClinic { dir, data, keys, clock, clinic, recovery, admin } = t;
        drop(clinic);
        let clinic = clinic_core::Clinic::unlock(&data, &keys, clinic_core::clock::Env::with_clock(clock.clone()))
            .expect("reopen");
        common::TestClinic { dir, data, keys, clock, clinic, recovery, admin }
    };
    let blocked =
        accounts::login(&t.clinic, "admin", ADMIN_PASSWORD).expect_err("blocked even with the right password");
    assert_eq!(blocked.code, ErrorCode::Throttled);
    // Unknown names are throttled the same way.
    for _ in 0..5 {
        accounts::login(&t.clinic, "ghost", "wrong password here").expect_err("unknown");
    }
    assert_eq!(accounts::login(&t.clinic, "ghost", "wrong password here").expect_err("x").code, ErrorCode::Throttled);

    t.clock.advance_secs(31);
    accounts::login(&t.clinic, "admin", ADMIN_PASSWORD).expect("allowed after the delay");
}

#[test]
fn the_delay_grows_with_each_further_failure() {
    let t = TestClinic::new();
    for _ in 0..5 {
        accounts::login(&t.clinic, "admin", "wrong password here").expect_err("wrong");
    }
    t.clock.advance_secs(31);
    accounts::login(&t.clinic, "admin", "wrong password here").expect_err("sixth failure");
    t.clock.advance_secs(31);
    assert_eq!(
        accounts::login(&t.clinic, "admin", ADMIN_PASSWORD).expect_err("still blocked: the delay doubled").code,
        ErrorCode::Throttled
    );
    t.clock.advance_secs(30);
    accounts::login(&t.clinic, "admin", ADMIN_PASSWORD).expect("after 60 s");
}

#[test]
fn idle_sessions_lock_and_unlock_with_the_password() {
    let t = TestClinic::new();
    t.clock.advance_secs(14 * 60);
    accounts::list_staff(&t.clinic, t.admin).expect("still active after 14 minutes");
    t.clock.advance_secs(15 * 60);
    let locked = accounts::list_staff(&t.clinic, t.admin).expect_err("locked after 15 idle minutes");
    assert_eq!(locked.code, ErrorCode::Locked);
    let wrong = accounts::unlock(&t.clinic, t.admin, "wrong password here").expect_err("wrong");
    assert_eq!(
        (wrong.code, wrong.field.as_deref()),
        (ErrorCode::Validation, Some("password")),
        "a typo, not an ended session"
    );
    accounts::unlock(&t.clinic, t.admin, ADMIN_PASSWORD).expect("unlock");
    accounts::list_staff(&t.clinic, t.admin).expect("works again");
    let locks =
        audit::list(&t.clinic, t.admin, &AuditFilter { action: Some(AuditAction::SessionLock), ..Default::default() })
            .expect("audit");
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].detail, "idle");
}

#[test]
fn the_idle_limit_follows_the_clinic_setting() {
    let t = TestClinic::new();
    let mut s = common::settings();
    s.idle_lock_minutes = 5;
    setup::update_settings(&t.clinic, t.admin, &s).expect("update");
    t.clock.advance_secs(5 * 60);
    assert_eq!(accounts::list_staff(&t.clinic, t.admin).expect_err("locked").code, ErrorCode::Locked);
}

#[test]
fn deactivation_ends_sessions_and_blocks_sign_in() {
    let t = TestClinic::new();
    let nurse = t.sign_in_as(Role::Nurse);
    let members = accounts::list_staff(&t.clinic, t.admin).expect("list");
    let nurse_member = members.iter().find(|m| m.role == Role::Nurse).expect("nurse");
    accounts::deactivate_staff(&t.clinic, t.admin, nurse_member.id).expect("deactivate");
    assert_eq!(t.clinic.touch(nurse).expect_err("session ended").code, ErrorCode::Unauthenticated);
    let e = accounts::login(&t.clinic, &nurse_member.username, STAFF_PASSWORD).expect_err("deactivated");
    assert_eq!(e.code, ErrorCode::Forbidden);
    accounts::reactivate_staff(&t.clinic, t.admin, nurse_member.id).expect("reactivate");
    accounts::login(&t.clinic, &nurse_member.username, STAFF_PASSWORD).expect("back");
}

#[test]
fn the_last_administrator_cannot_be_demoted_or_deactivated() {
    let t = TestClinic::new();
    let admin_id = accounts::list_staff(&t.clinic, t.admin).expect("list")[0].id;
    assert_eq!(
        accounts::change_role(&t.clinic, t.admin, admin_id, Role::Doctor).expect_err("last admin").code,
        ErrorCode::Conflict
    );
    assert_eq!(
        accounts::deactivate_staff(&t.clinic, t.admin, admin_id).expect_err("last admin").code,
        ErrorCode::Conflict
    );
}

#[test]
fn role_changes_apply_to_signed_in_sessions_at_once() {
    let t = TestClinic::new();
    let session = t.sign_in_as(Role::Receptionist);
    let member = accounts::list_staff(&t.clinic, t.admin)
        .expect("list")
        .into_iter()
        .find(|m| m.role == Role::Receptionist)
        .expect("r");
    accounts::change_role(&t.clinic, t.admin, member.id, Role::Administrator).expect("promote");
    accounts::list_staff(&t.clinic, session).expect("now an administrator");
}

#[test]
fn staff_input_is_validated_with_field_errors() {
    let t = TestClinic::new();
    let base = NewStaff {
        username: "amina.k".into(),
        display_name: "Amina K".into(),
        role: Role::Doctor,
        password: STAFF_PASSWORD.into(),
    };
    let cases = [
        ("username", NewStaff { username: "a b".into(), ..base.clone() }),
        ("username", NewStaff { username: "ADMIN".into(), ..base.clone() }),
        ("display_name", NewStaff { display_name: " ".into(), ..base.clone() }),
        ("password", NewStaff { password: "short".into(), ..base.clone() }),
        ("password", NewStaff { password: "password123".into(), ..base.clone() }),
    ];
    for (field, new) in cases {
        let e = accounts::create_staff(&t.clinic, t.admin, &new).expect_err(field);
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Validation, Some(field)), "{}", e.message);
    }
    assert_eq!(accounts::list_staff(&t.clinic, t.admin).expect("list").len(), 1, "nothing was created");
}

#[test]
fn an_account_an_administrator_makes_chooses_its_own_password_at_first_sign_in() {
    let t = TestClinic::new();
    let new = accounts::NewStaff {
        username: "f.ndiaye".into(),
        display_name: "Fatou Ndiaye".into(),
        role: Role::Receptionist,
        password: "given by the administrator".into(),
    };
    let member = accounts::create_staff(&t.clinic, t.admin, &new).expect("create");
    assert!(member.must_change_password);
    let info = accounts::login(&t.clinic, "f.ndiaye", "given by the administrator").expect("first sign-in");
    assert!(info.must_change_password, "asked to choose a password");
    accounts::change_own_password(&t.clinic, info.session_id, "given by the administrator", "her own pass phrase")
        .expect("change");
    assert!(!accounts::login(&t.clinic, "f.ndiaye", "her own pass phrase").expect("login").must_change_password);
}

#[test]
fn password_reset_forces_a_change_and_own_change_needs_the_current_password() {
    let t = TestClinic::new();
    let session = t.sign_in_as(Role::Doctor);
    let member = accounts::list_staff(&t.clinic, t.admin)
        .expect("list")
        .into_iter()
        .find(|m| m.role == Role::Doctor)
        .expect("d");
    accounts::reset_password(&t.clinic, t.admin, member.id, "temporary pass 42").expect("reset");
    assert_eq!(t.clinic.touch(session).expect_err("sessions ended").code, ErrorCode::Unauthenticated);
    let info = accounts::login(&t.clinic, &member.username, "temporary pass 42").expect("login");
    assert!(info.must_change_password);
    let e = accounts::change_own_password(&t.clinic, info.session_id, "not it at all", "my new pass phrase")
        .expect_err("wrong current");
    assert_eq!(e.field.as_deref(), Some("current_password"));
    accounts::change_own_password(&t.clinic, info.session_id, "temporary pass 42", "my new pass phrase")
        .expect("change");
    let info = accounts::login(&t.clinic, &member.username, "my new pass phrase").expect("login with new");
    assert!(!info.must_change_password);
}
