//! Commands through Tauri's real IPC path on the mock runtime (no window): argument names, result
//! shapes and the `{ code, message, field }` error contract the UI relies on.

use std::sync::Arc;

use clinic_core::clock::Env;
use clinic_core::keys::MemoryKeyStore;
use clinic_core::store::DataDir;
use clinic_desk::{AppState, bindings};
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct Harness {
    _dir: tempfile::TempDir,
    window: WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let state =
        AppState::new(DataDir::new(dir.path().join("data")), Arc::new(MemoryKeyStore::default()), Env::system());
    harness_with(dir, state)
}

fn harness_with(dir: tempfile::TempDir, state: AppState) -> Harness {
    let app = mock_builder()
        .invoke_handler(
            tauri_specta::Builder::<MockRuntime>::new()
                .commands(clinic_desk::all_commands!(MockRuntime))
                .invoke_handler(),
        )
        .build(mock_context(noop_assets()))
        .expect("mock app");
    app.manage(Arc::new(state));
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    Harness { _dir: dir, window, _app: app }
}

impl Harness {
    /// Invokes a command as the web view would; Ok = the command's value, Err = the error object.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().expect("json"))
    }

    fn set_up(&self) -> String {
        let done = self
            .call(
                "setup_clinic",
                json!({
                    "settings": {
                        "name": "Hillside Clinic", "code": "HILL", "address": "", "time_zone": "Africa/Nairobi",
                        "currency": "KES", "invoice_prefix": "HC", "date_format": "DMY", "idle_lock_minutes": 15
                    },
                    "administrator": { "username": "amina", "display_name": "Amina Odhiambo", "password": "long enough pass phrase" },
                    "deviceCode": "D01"
                }),
            )
            .expect("setup");
        done["recovery_key"].as_str().expect("recovery key").to_owned()
    }

    fn sign_in(&self) -> Value {
        self.call("login", json!({ "username": "amina", "password": "long enough pass phrase" })).expect("login")["session_id"].clone()
    }

    /// The first sign-in of an account the administrator made with `temporary`: the person chooses
    /// `chosen` before anything else (until then every other command is refused).
    fn first_sign_in(&self, username: &str, temporary: &str, chosen: &str) -> Value {
        let info = self.call("login", json!({ "username": username, "password": temporary })).expect("first sign-in");
        assert_eq!(info["must_change_password"], true, "{info}");
        let session = info["session_id"].clone();
        let early = self
            .call("search_patients", json!({ "session": session, "query": "anyone", "limit": 20 }))
            .expect_err("refused before the change");
        assert_eq!(early["code"], "forbidden", "{early}");
        self.call(
            "change_own_password",
            json!({ "session": session, "currentPassword": temporary, "newPassword": chosen }),
        )
        .expect("own password chosen");
        session
    }
}

#[test]
fn first_run_setup_then_sign_in() {
    let h = harness();
    assert_eq!(h.call("app_status", json!({})).expect("status"), json!({ "stage": "setup_needed" }));
    let recovery = h.set_up();
    assert_eq!(recovery.split('-').count(), 11, "recovery key shown once, in groups");
    assert_eq!(
        h.call("app_status", json!({})).expect("status"),
        json!({ "stage": "ready", "clinic_name": "Hillside Clinic" })
    );
    let info = h.call("login", json!({ "username": "amina", "password": "long enough pass phrase" })).expect("login");
    assert_eq!(info["role"], "administrator");
    assert!(info["permissions"].as_array().expect("permissions").contains(&json!("staff_manage")));
    assert!(info.get("password_hash").is_none());
}

#[test]
fn errors_cross_as_code_message_and_field() {
    let h = harness();
    h.set_up();
    let wrong = h.call("login", json!({ "username": "amina", "password": "not the password" })).expect_err("wrong");
    assert_eq!(wrong["code"], "unauthenticated");
    assert!(wrong["message"].as_str().expect("message").contains("not right"));
    assert_eq!(wrong["field"], Value::Null);

    let session = h.sign_in();
    let bad = h
        .call(
            "create_staff",
            json!({ "session": session, "staff": { "username": "a b", "display_name": "X", "role": "nurse", "password": "long enough pass phrase" } }),
        )
        .expect_err("bad user name");
    assert_eq!((bad["code"].as_str(), bad["field"].as_str()), (Some("validation"), Some("username")));

    let unknown_session = json!("0194a000-0000-7000-8000-0000000000ff");
    let ended = h.call("list_staff", json!({ "session": unknown_session })).expect_err("no such session");
    assert_eq!(ended["code"], "unauthenticated");
}

#[test]
fn register_and_search_a_patient_through_ipc() {
    let h = harness();
    h.set_up();
    let session = h.sign_in();
    let draft = json!({ "given_name": "José", "family_name": "García", "date_of_birth": "1980-04-12", "sex": "male",
                        "phones": [{ "kind": "mobile", "number": "+254 712 345 678" }] });
    let future = json!({ "given_name": "José", "family_name": "García", "date_of_birth": "2999-01-01" });
    let err = h
        .call("register_patient", json!({ "session": session, "draft": future, "confirmNotDuplicate": false }))
        .expect_err("future birth date");
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("validation"), Some("date_of_birth")));

    let outcome = h
        .call("register_patient", json!({ "session": session, "draft": draft, "confirmNotDuplicate": false }))
        .expect("register");
    assert_eq!(outcome["outcome"], "registered");
    let mrn = outcome["value"]["mrn"].as_str().expect("mrn").to_owned();
    assert!(mrn.starts_with("HILL-D01-"), "{mrn}");

    let found = h.call("search_patients", json!({ "session": session, "query": "jose", "limit": 20 })).expect("search");
    let found = found.as_array().expect("list");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["mrn"], mrn.as_str());
    let by_phone =
        h.call("search_patients", json!({ "session": session, "query": "0712345678", "limit": 20 })).expect("search");
    assert_eq!(by_phone.as_array().expect("list").len(), 1);
}

#[test]
fn demo_mode_loads_made_up_patients_at_setup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state =
        AppState::new(DataDir::new(dir.path().join("data")), Arc::new(MemoryKeyStore::default()), Env::system())
            .with_demo_patients(clinic_desk::DEMO_PATIENTS);
    let h = harness_with(dir, state);
    h.set_up();
    let session = h.sign_in();
    let found =
        h.call("search_patients", json!({ "session": session, "query": "garc", "limit": 100 })).expect("search");
    assert!(!found.as_array().expect("list").is_empty(), "demo patients are there");
}

#[test]
fn sync_commands_report_status_and_refuse_bad_enrollments_without_the_network() {
    let h = harness();
    h.set_up();
    let session = h.sign_in();
    let status = h.call("sync_status", json!({ "session": session })).expect("status");
    assert_eq!(status["enrolled"], false);
    assert_eq!(status["pending_count"].as_u64().map(|n| n > 0), Some(true), "setup itself waits to be sent");

    let refused = h
        .call(
            "enroll_device",
            json!({ "session": session, "serverUrl": "ftp://clinic.example.org", "code": "ABCD-EFGH", "deviceName": "Desk 1" }),
        )
        .expect_err("not a web address");
    assert_eq!(refused["code"], "validation");
    assert_eq!(refused["field"], "server_url");

    let not_enrolled = h.call("sync_now", json!({ "session": session })).expect_err("not enrolled");
    assert_eq!(not_enrolled["code"], "unavailable");
    assert_eq!(h.call("list_review_items", json!({ "session": session, "includeClosed": true })), Ok(json!([])));
    assert_eq!(h.call("list_rejected_changes", json!({ "session": session })), Ok(json!([])));
    let unknown = h
        .call("discard_rejected_change", json!({ "session": session, "deviceSeq": 999_999, "reason": "typed twice" }))
        .expect_err("no such change");
    assert_eq!(unknown["code"], "not_found");
}

#[test]
fn joining_an_unreachable_server_says_so_and_leaves_the_computer_ready_for_setup() {
    let h = harness();
    let bad = h
        .call(
            "join_clinic",
            json!({ "serverUrl": "clinic.example.org", "code": "ABCD", "deviceName": "Desk 2", "deviceCode": "D02" }),
        )
        .expect_err("not a web address");
    assert_eq!((bad["code"].as_str(), bad["field"].as_str()), (Some("validation"), Some("server_url")));
    // Port 9 on the loopback: nothing listens, so the connection is refused at once.
    let offline = h
        .call(
            "join_clinic",
            json!({ "serverUrl": "http://127.0.0.1:9", "code": "ABCD", "deviceName": "Desk 2", "deviceCode": "D02" }),
        )
        .expect_err("unreachable");
    assert_eq!(offline["code"], "unavailable");
    assert_eq!(h.call("app_status", json!({})), Ok(json!({ "stage": "setup_needed" })));
    assert_eq!(h.call("continue_join", json!({})), Ok(json!({ "stage": "setup_needed" })));
}

#[test]
fn the_committed_typescript_bindings_match_the_commands() {
    let generated = tempfile::NamedTempFile::new().expect("temp file");
    bindings::export_to(generated.path()).expect("export");
    let fresh = std::fs::read_to_string(generated.path()).expect("read generated");
    let committed_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(bindings::BINDINGS_PATH);
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        fresh == committed,
        "ui/src/bindings.ts is out of date: run `cargo run -p clinic-desk --bin export-bindings` and commit the result"
    );
}

/// Records notifications instead of showing them.
#[derive(Debug, Default)]
struct RecordingNotifier(std::sync::Mutex<Vec<(String, String)>>);

impl clinic_desk::arrivals::Notifier for RecordingNotifier {
    fn notify(&self, title: &str, body: &str) -> Result<(), String> {
        self.0.lock().expect("lock").push((title.to_owned(), body.to_owned()));
        Ok(())
    }
}

#[test]
fn a_clinician_is_told_once_when_their_patient_checks_in() {
    // Monday 2 March 2026, 08:00 in Nairobi (UTC+3): the doctor's day is ahead.
    let clock = clinic_core::clock::ManualClock::new("2026-03-02T05:00:00Z".parse().expect("time"));
    let notifier = Arc::new(RecordingNotifier::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(
        DataDir::new(dir.path().join("data")),
        Arc::new(MemoryKeyStore::default()),
        Env::with_clock(clock.clone()),
    )
    .with_notifier(notifier.clone());
    let h = harness_with(dir, state);
    h.set_up();
    let admin = h.sign_in();
    let doctor = h
        .call(
            "create_staff",
            json!({ "session": admin, "staff": { "username": "wanjiru", "display_name": "Dr Wanjiru", "role": "doctor", "password": "long enough pass phrase" } }),
        )
        .expect("doctor")["id"]
        .clone();
    let monday = json!([{ "weekday": 1, "start": "09:00", "end": "17:00", "kind": "work" }]);
    h.call("set_weekly_template", json!({ "session": admin, "clinicianId": doctor, "periods": monday }))
        .expect("template");
    // Setup made the usual appointment types.
    let types = h.call("list_appointment_types", json!({ "session": admin, "includeInactive": false })).expect("types");
    let names: Vec<&str> = types.as_array().expect("list").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["Consultation", "Follow-up", "Procedure", "Telemedicine"]);
    let consultation = types[0]["id"].clone();
    let draft =
        json!({ "given_name": "Achieng", "family_name": "Otieno", "date_of_birth": "1980-04-12", "sex": "female" });
    let patient = h
        .call("register_patient", json!({ "session": admin, "draft": draft, "confirmNotDuplicate": false }))
        .expect("patient")["value"]["id"]
        .clone();
    h.call(
        "create_staff",
        json!({ "session": admin, "staff": { "username": "reception", "display_name": "Reception", "role": "receptionist", "password": "long enough pass phrase" } }),
    )
    .expect("receptionist");
    let reception = h.first_sign_in("reception", "long enough pass phrase", "reception pass phrase");
    let booking = json!({ "patient_id": patient, "clinician_id": doctor, "type_id": consultation, "start": "2026-03-02T10:30:00" });
    let booked = h
        .call("book_appointment", json!({ "session": reception, "draft": booking, "confirmOverbooking": false }))
        .expect("book");
    let appointment = booked["value"]["id"].clone();
    assert_eq!(booked["outcome"], "booked", "{booked}");

    let doctor_session = h.first_sign_in("wanjiru", "long enough pass phrase", "doctor pass phrase");
    let first = h.call("check_arrivals", json!({ "session": doctor_session })).expect("first look");
    assert_eq!(first, json!([]), "nobody has arrived yet");

    h.call("check_in_appointment", json!({ "session": reception, "appointmentId": appointment })).expect("check in");
    let arrived = h.call("check_arrivals", json!({ "session": doctor_session })).expect("arrivals");
    let arrived = arrived.as_array().expect("list");
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    assert_eq!(arrived[0]["patient_name"], "Otieno, Achieng");
    let told = notifier.0.lock().expect("lock").clone();
    assert_eq!(told, vec![("Your 10:30 patient has arrived".to_owned(), "Consultation · Clinic Desk".to_owned())]);
    assert!(!told[0].0.contains("Otieno") && !told[0].1.contains("Otieno"), "no name in the notification");

    let again = h.call("check_arrivals", json!({ "session": doctor_session })).expect("again");
    assert_eq!(again, json!([]), "told once");
    assert_eq!(notifier.0.lock().expect("lock").len(), 1);
    // Reception has no appointments of its own: never told.
    assert_eq!(h.call("check_arrivals", json!({ "session": reception })).expect("reception"), json!([]));
}
