//! The database key in a real OS keychain: the Linux Secret Service (gnome-keyring) on a private
//! session bus. Each test re-runs this test binary inside `dbus-run-session` with the keyring
//! daemon unlocked, so nothing touches the developer's own keychain.

use std::path::Path;
use std::process::Command;

use clinic_core::clock::Env;
use clinic_core::keys::{DatabaseKey, KeyStore, OsKeychain};
use clinic_core::store::DataDir;
use clinic_core::{Clinic, ErrorCode};

const INNER: &str = "CLINIC_KEYCHAIN_TEST_INNER";

/// What the re-run test finds on its session bus.
#[derive(Clone, Copy, PartialEq)]
enum Keychain {
    /// gnome-keyring running and unlocked, as on a signed-in desktop.
    Unlocked,
    /// A session bus whose keyring was never unlocked (no login password given).
    Locked,
    /// No session bus at all (a bare server, a broken desktop session).
    NoBus,
}

/// Runs `test_name` of this binary again inside a private D-Bus session set up as `keychain` says.
fn run_inside_private_session(test_name: &str, keychain: Keychain) {
    let exe = std::env::current_exe().expect("test binary path");
    let home = tempfile::tempdir().expect("temp home");
    let keyring = if keychain == Keychain::Unlocked {
        "printf 'keychain-test-password' | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && "
    } else {
        ""
    };
    let script = format!("{keyring}exec \"$0\" --exact {test_name} --nocapture --test-threads=1");
    let mut command = if keychain == Keychain::NoBus {
        let mut c = Command::new("bash");
        c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/clinic-desk-test-bus");
        c
    } else {
        let mut c = Command::new("dbus-run-session");
        c.arg("--").arg("bash").env_remove("DBUS_SESSION_BUS_ADDRESS");
        c
    };
    let output = command
        .arg("-c")
        .arg(&script)
        .arg(&exe)
        .env(INNER, "1")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_RUNTIME_DIR", home.path())
        .output()
        .expect("dbus-run-session must be installed (Debian packages dbus and gnome-keyring)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{test_name} failed inside the private keychain session:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn inner() -> bool {
    std::env::var_os(INNER).is_some()
}

fn folder_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_key_round_trips_through_the_secret_service() {
    if !inner() {
        return run_inside_private_session("the_key_round_trips_through_the_secret_service", Keychain::Unlocked);
    }
    let chain = OsKeychain::new("Clinic Desk test", "round-trip");
    assert!(chain.load().expect("reachable").is_none());
    let key = DatabaseKey::generate().expect("key");
    chain.save(&key).expect("save");
    let loaded = OsKeychain::new("Clinic Desk test", "round-trip").load().expect("load").expect("present");
    assert_eq!(loaded.as_bytes(), key.as_bytes());
    chain.delete().expect("delete");
    assert!(chain.load().expect("load").is_none());
}

#[test]
fn a_clinic_reopens_from_the_keychain_and_recovers_when_the_entry_is_lost() {
    if !inner() {
        return run_inside_private_session(
            "a_clinic_reopens_from_the_keychain_and_recovers_when_the_entry_is_lost",
            Keychain::Unlocked,
        );
    }
    let tmp = tempfile::tempdir().expect("temp");
    let data = DataDir::new(tmp.path().join("data"));
    let chain = OsKeychain::for_data_dir(&data);
    let (clinic, recovery) = Clinic::create(&data, &chain, Env::system(), "D01").expect("create");
    let device = clinic.device().clone();
    drop(clinic);

    let reopened =
        Clinic::unlock(&data, &OsKeychain::for_data_dir(&data), Env::system()).expect("unlock from keychain");
    assert_eq!(reopened.device(), &device);
    drop(reopened);

    chain.delete().expect("lose the keychain entry");
    let before = std::fs::read(data.db_path()).expect("db bytes");
    let missing = Clinic::unlock(&data, &chain, Env::system()).expect_err("no key");
    assert_eq!(missing.code, ErrorCode::KeyRejected);
    assert!(missing.message.contains("recovery key"), "{}", missing.message);
    assert_eq!(std::fs::read(data.db_path()).expect("db bytes"), before, "file untouched");

    let recovered = Clinic::unlock_with_recovery_key(&data, &recovery, &chain, Env::system()).expect("recovery key");
    assert_eq!(recovered.device(), &device);
    drop(recovered);
    Clinic::unlock(&data, &chain, Env::system()).expect("the recovery put the key back into the keychain");
}

#[test]
fn without_a_session_bus_setup_is_refused_and_nothing_is_created() {
    if !inner() {
        return run_inside_private_session(
            "without_a_session_bus_setup_is_refused_and_nothing_is_created",
            Keychain::NoBus,
        );
    }
    setup_is_refused_and_nothing_is_created();
}

#[test]
fn with_a_locked_keyring_setup_is_refused_and_nothing_is_created() {
    if !inner() {
        return run_inside_private_session(
            "with_a_locked_keyring_setup_is_refused_and_nothing_is_created",
            Keychain::Locked,
        );
    }
    setup_is_refused_and_nothing_is_created();
}

/// No fallback store: the key is never kept in memory only or written to a file.
fn setup_is_refused_and_nothing_is_created() {
    let tmp = tempfile::tempdir().expect("temp");
    let data = DataDir::new(tmp.path().join("data"));
    let err = Clinic::create(&data, &OsKeychain::for_data_dir(&data), Env::system(), "D01").expect_err("no keychain");
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(err.message.contains("keychain"), "{}", err.message);
    assert!(!data.db_path().exists(), "no database without a stored key");
    assert!(folder_listing(data.root()).is_empty());
}
