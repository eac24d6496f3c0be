//! Every role × every operation: allowed ones work, refused ones fail with `forbidden`, change
//! nothing, and leave an `access_denied` entry in the audit trail.

mod common;

use std::collections::BTreeMap;

use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::audit::{self, AuditFilter};
use clinic_core::patients::{self, PatientDraft, RegisterOutcome};
use clinic_core::rbac::{Permission, Role};
use clinic_core::{Clinic, CoreResult, ErrorCode, setup, sync};
use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::pull::{PullQuery, PullResponse};
use clinic_protocol::push::{PushRequest, PushResponse};
use common::{STAFF_PASSWORD, TestClinic};
use uuid::Uuid;

/// The expected table, written out independently of `Role::can`.
fn expected(role: Role) -> &'static [&'static str] {
    match role {
        Role::Administrator => &[
            "list_staff",
            "create_staff",
            "change_role",
            "deactivate_staff",
            "reset_password",
            "update_settings",
            "read_audit",
            "export_audit",
            "verify_audit",
            "search_patients",
            "view_patient",
            "register_patient",
            "update_patient",
            "delete_patient",
            "merge_patients",
            "import_patients",
            "create_backup",
            "export_recovery_sheet",
            "enroll_sync",
            "sync_now",
            "list_review_items",
            "resolve_review_item",
        ],
        Role::Doctor | Role::Nurse => &[
            "search_patients",
            "view_patient",
            "register_patient",
            "update_patient",
            "sync_now",
            "list_review_items",
            "resolve_review_item",
        ],
        Role::Receptionist => &[
            "search_patients",
            "view_patient",
            "register_patient",
            "update_patient",
            "merge_patients",
            "sync_now",
            "list_review_items",
            "resolve_review_item",
        ],
        Role::BillingClerk => &["search_patients", "view_patient", "sync_now", "list_review_items"],
    }
}

fn draft(given: &str, family: &str) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(jiff::civil::date(1980, 1, 2)),
        ..Default::default()
    }
}

fn register(clinic: &Clinic, session: SessionId, given: &str) -> CoreResult<Uuid> {
    match patients::register(clinic, session, &draft(given, "Matrix"), true)? {
        RegisterOutcome::Registered(p) => Ok(p.id),
        RegisterOutcome::PossibleDuplicates(_) => panic!("confirmed registration cannot be a duplicate prompt"),
    }
}

/// What an operation acts on, made by the administrator before the operation is tried.
struct Targets {
    staff: Uuid,
    patient: Uuid,
    duplicate: Uuid,
    review_item: Uuid,
}

type Operation = fn(&TestClinic, SessionId, &str, &Targets) -> CoreResult<()>;

fn operations() -> BTreeMap<&'static str, Operation> {
    let mut ops: BTreeMap<&'static str, Operation> = BTreeMap::new();
    ops.insert("list_staff", |t, s, _, _| accounts::list_staff(&t.clinic, s).map(drop));
    ops.insert("create_staff", |t, s, tag, _x| {
        let new = NewStaff {
            username: format!("new-{tag}"),
            display_name: "New".into(),
            role: Role::Nurse,
            password: STAFF_PASSWORD.into(),
        };
        accounts::create_staff(&t.clinic, s, &new).map(drop)
    });
    ops.insert("change_role", |t, s, _tag, x| accounts::change_role(&t.clinic, s, x.staff, Role::Doctor).map(drop));
    ops.insert("deactivate_staff", |t, s, _tag, x| accounts::deactivate_staff(&t.clinic, s, x.staff).map(drop));
    ops.insert("reset_password", |t, s, _tag, x| {
        accounts::reset_password(&t.clinic, s, x.staff, "temporary pass 77").map(drop)
    });
    ops.insert("update_settings", |t, s, tag, _x| {
        let mut settings = common::settings();
        settings.address = format!("{tag} Matrix Street");
        setup::update_settings(&t.clinic, s, &settings).map(drop)
    });
    ops.insert("read_audit", |t, s, _, _| audit::list(&t.clinic, s, &AuditFilter::default()).map(drop));
    ops.insert("export_audit", |t, s, _, _| {
        audit::export_csv(&t.clinic, s, &AuditFilter::default(), std::io::sink()).map(drop)
    });
    ops.insert("verify_audit", |t, s, _, _| audit::verify(&t.clinic, s).map(drop));
    ops.insert("search_patients", |t, s, _, _| patients::search(&t.clinic, s, "matrix", 10).map(drop));
    ops.insert("view_patient", |t, s, _tag, x| patients::get(&t.clinic, s, x.patient).map(drop));
    ops.insert("register_patient", |t, s, tag, _x| register(&t.clinic, s, &format!("Reg{tag}")).map(drop));
    ops.insert("update_patient", |t, s, tag, x| {
        let id = x.patient;
        let current = patients::get(&t.clinic, t.admin, id)?;
        let mut edit = current.details.clone();
        edit.notes = format!("edited by {tag}");
        patients::update(&t.clinic, s, id, current.row_version, &edit).map(drop)
    });
    ops.insert("delete_patient", |t, s, _tag, x| {
        patients::delete(&t.clinic, s, x.patient, "registered twice by mistake").map(drop)
    });
    ops.insert("merge_patients", |t, s, _tag, x| {
        patients::merge(&t.clinic, s, x.patient, x.duplicate, "same person, registered twice").map(drop)
    });
    ops.insert("create_backup", |t, s, tag, _x| {
        let out = t.dir.path().join(format!("{tag}.cdbk"));
        clinic_core::store::create_backup(&t.clinic, s, &out, clinic_core::store::BackupKey::NewKey).map(drop)
    });
    ops.insert("export_recovery_sheet", |t, s, tag, _x| {
        let out = t.dir.path().join(format!("{tag}.pdf"));
        clinic_core::recovery_sheet::export_recovery_sheet(&t.clinic, s, &t.keys, &out)
    });
    ops.insert("enroll_sync", |t, s, tag, _x| {
        sync::enroll(&t.clinic, s, &StubServer, &t.keys, "https://clinic.test", tag, "Matrix desk").map(drop)
    });
    ops.insert("sync_now", |t, s, _tag, _x| {
        match sync::sync_now(&t.clinic, s, &StubServer, &t.keys, &Default::default()) {
            // Allowed: the stub server cannot be reached, which is not a refusal.
            Err(e) if e.code == ErrorCode::Forbidden => Err(e),
            _ => Ok(()),
        }
    });
    ops.insert("list_review_items", |t, s, _tag, _x| sync::list_review_items(&t.clinic, s, true).map(drop));
    ops.insert("resolve_review_item", |t, s, _tag, x| {
        sync::resolve_review_item(&t.clinic, s, x.review_item, sync::ReviewDecision::Dismissed, "not a duplicate")
            .map(drop)
    });
    ops.insert("import_patients", |t, s, tag, _x| {
        let csv = format!("given_name,family_name,date_of_birth,sex\nImp{tag},Matrix,1990-05-06,female\n");
        let report = patients::import_csv(&t.clinic, s, csv.as_bytes(), true)?;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        Ok(())
    });
    ops
}

/// A fresh member of staff for operations that change one (created by the administrator).
fn staff_target(t: &TestClinic, tag: &str) -> Uuid {
    let new = NewStaff {
        username: format!("target-{tag}"),
        display_name: "Target".into(),
        role: Role::Nurse,
        password: STAFF_PASSWORD.into(),
    };
    accounts::create_staff(&t.clinic, t.admin, &new).expect("target staff").id
}

/// A fresh patient registered by the administrator.
fn patient_target(t: &TestClinic, tag: &str) -> Uuid {
    register(&t.clinic, t.admin, &format!("Target{}", tag.replace('-', ""))).expect("target patient")
}

/// An open review item, as if pulled from the server.
fn review_item_target(t: &TestClinic, patient: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let data = serde_json::json!({ "kind": "possible_duplicate", "entity": "patient", "entity_ids": [patient], "status": "open" });
    t.clinic
        .with_connection_for_tests(|c| {
            c.execute(
                "INSERT INTO review_items (id, kind, entity, entity_ids, data, status, updated_at)
                 VALUES (?1, 'possible_duplicate', 'patient', ?2, ?3, 'open', '2026-03-02T08:00:00.000Z')",
                rusqlite::params![id.to_string(), serde_json::json!([patient]).to_string(), data.to_string()],
            )
        })
        .expect("conn")
        .expect("review item");
    id
}

/// A clinic server that enrolls anyone and is otherwise unreachable.
struct StubServer;

impl sync::SyncTransport for StubServer {
    fn enroll(&self, _: &sync::ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, sync::TransportError> {
        Ok(EnrollResponse {
            device_id: request.device_id,
            tenant_id: Uuid::from_u128(1),
            clinic_id: Uuid::from_u128(2),
            clinic_name: "Matrix Clinic".into(),
            credential: "matrix-credential".into(),
            epoch: Uuid::from_u128(3),
        })
    }
    fn push(&self, _: &sync::Remote<'_>, _: &PushRequest) -> Result<PushResponse, sync::TransportError> {
        Err(sync::TransportError::Unreachable("stub".into()))
    }
    fn pull(&self, _: &sync::Remote<'_>, _: &PullQuery) -> Result<PullResponse, sync::TransportError> {
        Err(sync::TransportError::Unreachable("stub".into()))
    }
    fn bootstrap(&self, _: &sync::Remote<'_>, _: &BootstrapQuery) -> Result<BootstrapPage, sync::TransportError> {
        Err(sync::TransportError::Unreachable("stub".into()))
    }
}

/// Rows and versions a refused operation could have touched.
fn counts(t: &TestClinic) -> (i64, i64, i64, i64) {
    t.clinic
        .with_connection_for_tests(|c| {
            let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
            (
                n("SELECT count(*) FROM staff"),
                n("SELECT count(*) FROM patients WHERE deleted_at IS NULL AND merged_into IS NULL"),
                n("SELECT count(*) FROM outbox"),
                n("SELECT coalesce(sum(row_version), 0) FROM patients")
                    + n("SELECT coalesce(sum(row_version), 0) FROM staff"),
            )
        })
        .expect("conn")
}

#[test]
fn the_table_matches_what_each_role_is_meant_to_do() {
    // Reception sees demographics but not clinical notes; billing sees invoices; doctors and nurses
    // see the chart; only administrators manage staff and settings.
    assert!(!Role::Receptionist.can(Permission::ChartRead));
    assert!(Role::Receptionist.can(Permission::PatientRead) && Role::Receptionist.can(Permission::AppointmentWrite));
    assert!(Role::BillingClerk.can(Permission::InvoiceWrite) && !Role::BillingClerk.can(Permission::ChartRead));
    assert!(!Role::BillingClerk.can(Permission::AppointmentWrite));
    assert!(Role::Doctor.can(Permission::ChartWrite) && Role::Nurse.can(Permission::ChartRead));
    for role in Role::ALL {
        let manages = role == Role::Administrator;
        assert_eq!(role.can(Permission::StaffManage), manages, "{role:?}");
        assert_eq!(role.can(Permission::SettingsManage), manages, "{role:?}");
        assert_eq!(role.can(Permission::AuditRead), manages, "{role:?}");
        assert_eq!(role.can(Permission::BackupRestore), manages, "{role:?}");
    }
    assert!(!Role::Administrator.can(Permission::ChartRead), "administration does not need clinical notes");
    for role in Role::ALL {
        assert_eq!(role.can(Permission::SyncManage), role == Role::Administrator, "{role:?}");
        assert!(role.can(Permission::SyncRun), "{role:?}: anyone signed in may press sync now");
        assert_eq!(role.can(Permission::ReviewResolve), role.can(Permission::PatientWrite), "{role:?}");
    }
}

#[test]
fn every_role_and_every_operation() {
    let t = TestClinic::new();
    let ops = operations();
    for role in Role::ALL {
        let session = if role == Role::Administrator { t.admin } else { t.sign_in_as(role) };
        for (name, op) in &ops {
            let allowed = expected(role).contains(name);
            let tag = format!("{}-{name}", role.as_str());
            let patient = patient_target(&t, &tag);
            let targets = Targets {
                staff: staff_target(&t, &tag),
                patient,
                duplicate: patient_target(&t, &format!("{tag}-dup")),
                review_item: review_item_target(&t, patient),
            };
            if allowed {
                op(&t, session, &tag, &targets).unwrap_or_else(|e| panic!("{role:?} should be able to {name}: {e}"));
                continue;
            }
            let denied_before = denied_count(&t);
            let before = counts(&t);
            let err = op_refused(&t, session, &tag, &targets, *op);
            assert_eq!(err, ErrorCode::Forbidden, "{role:?} must not {name}");
            assert_eq!(counts(&t), before, "{role:?} {name}: a refusal changes nothing");
            assert_eq!(denied_count(&t), denied_before + 1, "{role:?} {name}: refusal audited");
        }
    }
}

fn op_refused(t: &TestClinic, session: SessionId, tag: &str, targets: &Targets, op: Operation) -> ErrorCode {
    match op(t, session, tag, targets) {
        Ok(()) => ErrorCode::Internal,
        Err(e) => e.code,
    }
}

fn denied_count(t: &TestClinic) -> usize {
    t.clinic
        .with_connection_for_tests(|c| {
            c.query_row("SELECT count(*) FROM audit_log WHERE action = 'access_denied'", [], |r| r.get::<_, i64>(0))
                .expect("count")
        })
        .expect("conn") as usize
}
