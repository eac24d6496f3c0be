//! Shared set-up for clinic-core integration tests: a temporary encrypted clinic with staff of every role.
#![allow(dead_code)]

use std::sync::Arc;

use clinic_core::Clinic;
use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::clock::{Env, ManualClock};
use clinic_core::keys::{MemoryKeyStore, RecoveryKey};
use clinic_core::rbac::Role;
use clinic_core::setup::{self, ClinicSettings, DateFormat, FirstAdministrator};
use clinic_core::store::DataDir;

pub const ADMIN_PASSWORD: &str = "admin pass phrase 1";
/// The password staff choose at their first sign-in (see [`first_sign_in`]).
pub const STAFF_PASSWORD: &str = "staff pass phrase 1";
/// The temporary password an administrator gives the accounts the tests make.
pub const TEMPORARY_PASSWORD: &str = "temporary pass phrase 1";

/// A temporary clinic: the directory lives as long as this value.
pub struct TestClinic {
    pub dir: tempfile::TempDir,
    pub data: DataDir,
    pub keys: MemoryKeyStore,
    pub clock: Arc<ManualClock>,
    pub clinic: Clinic,
    pub recovery: RecoveryKey,
    pub admin: SessionId,
}

pub fn start_time() -> jiff::Timestamp {
    "2026-03-02T08:00:00Z".parse().expect("timestamp")
}

pub fn settings() -> ClinicSettings {
    ClinicSettings {
        name: "Riverside Clinic".into(),
        code: "MAIN".into(),
        address: "1 River Road".into(),
        time_zone: "Europe/Paris".into(),
        currency: "EUR".into(),
        invoice_prefix: "RIV".into(),
        date_format: DateFormat::DayMonthYear,
        idle_lock_minutes: 15,
    }
}

impl TestClinic {
    /// A set-up clinic with an administrator signed in.
    pub fn new() -> TestClinic {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = DataDir::new(dir.path().join("data"));
        let keys = MemoryKeyStore::default();
        let clock = ManualClock::new(start_time());
        let (clinic, recovery) = Clinic::create(&data, &keys, Env::with_clock(clock.clone()), "D01").expect("create");
        setup::initialize(
            &clinic,
            &settings(),
            &FirstAdministrator {
                username: "admin".into(),
                display_name: "Ada Admin".into(),
                password: ADMIN_PASSWORD.into(),
            },
        )
        .expect("setup");
        let admin = accounts::login(&clinic, "admin", ADMIN_PASSWORD).expect("admin login").session_id;
        TestClinic { dir, data, keys, clock, clinic, recovery, admin }
    }

    pub fn env(&self) -> Env {
        Env::with_clock(self.clock.clone())
    }

    /// Adds a member of staff with this role and signs them in, their own password chosen.
    pub fn sign_in_as(&self, role: Role) -> SessionId {
        let username = format!("{}-{}", role.as_str().replace('_', ""), uuid_suffix());
        accounts::create_staff(
            &self.clinic,
            self.admin,
            &NewStaff {
                username: username.clone(),
                display_name: format!("Test {}", role.as_str()),
                role,
                password: TEMPORARY_PASSWORD.into(),
            },
        )
        .expect("create staff");
        first_sign_in(&self.clinic, &username)
    }

    /// Closes and reopens the clinic from disk (as after a restart). Sessions are gone.
    pub fn reopen(self) -> TestClinic {
        let TestClinic { dir, data, keys, clock, clinic, recovery, .. } = self;
        drop(clinic);
        let clinic = Clinic::unlock(&data, &keys, Env::with_clock(clock.clone())).expect("reopen");
        let admin = accounts::login(&clinic, "admin", ADMIN_PASSWORD).expect("admin login");
        TestClinic { dir, data, keys, clock, clinic, recovery, admin: admin.session_id }
    }
}

/// The first sign-in of an account an administrator made with [`TEMPORARY_PASSWORD`]: signs in and chooses
/// [`STAFF_PASSWORD`], after which the session may work (until then every permission is refused).
pub fn first_sign_in(clinic: &Clinic, username: &str) -> SessionId {
    let session = accounts::login(clinic, username, TEMPORARY_PASSWORD).expect("first sign-in").session_id;
    accounts::change_own_password(clinic, session, TEMPORARY_PASSWORD, STAFF_PASSWORD).expect("own password chosen");
    session
}

fn uuid_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::SeqCst).to_string()
}
