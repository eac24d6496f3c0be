//! Enrolling this computer with a clinic server: an administrator types the server's address and a one-time
//! code; the credential the server returns goes to the OS keychain, the rest to `sync_state`. Enrolling again
//! (after a revocation, or to move to another server) is the same call.

use clinic_protocol::enroll::EnrollRequest;
use serde::Serialize;

use super::problem::SyncProblem;
use super::queue;
use super::server_url::ServerUrl;
use super::state::{self, EnrollmentRecord};
use super::transport::{SyncTransport, TransportError};
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::keys::{CredentialStore, SyncCredential};
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// This computer's enrollment, as shown after enrolling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Enrollment {
    pub server_url: String,
    pub clinic_name: String,
    pub device_name: String,
}

fn clean_code(code: &str) -> CoreResult<&str> {
    let code = code.trim();
    if code.is_empty() || code.chars().count() > 200 {
        return Err(CoreError::validation(
            "code",
            "Enter the enrollment code an administrator of the clinic server gave you.",
        ));
    }
    Ok(code)
}

fn clean_device_name(name: &str) -> CoreResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(CoreError::validation(
            "device_name",
            "Give this computer a name colleagues will recognise, e.g. Reception 1 (at most 100 characters).",
        ));
    }
    Ok(name)
}

/// The server's refusal of this computer's device code (another computer of the clinic uses it), as the error
/// on the device code field, with the server's sentence.
fn device_code_refusal(error: &TransportError) -> Option<CoreError> {
    match error {
        TransportError::Api { error, .. } if error.field.as_deref() == Some("device_code") => {
            Some(CoreError::validation("device_code", error.message.clone()))
        }
        _ => None,
    }
}

/// Enrolls this computer (administrators). The keychain is checked before the one-time code is spent. If the
/// server or clinic differs from the one enrolled before, everything this computer holds is sent again and
/// the clinic's records are downloaded again. Audited, without the code or the credential.
pub fn enroll<T: SyncTransport + ?Sized>(
    clinic: &Clinic,
    session: SessionId,
    transport: &T,
    keys: &dyn CredentialStore,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> CoreResult<Enrollment> {
    let actor = clinic.authorize(session, Permission::SyncManage)?;
    enroll_as(clinic, Some(&actor), transport, keys, server_url, code, device_name)
}

/// Enrollment itself, by a signed-in administrator or (joining a clinic, before anyone can sign in here) by
/// the holder of the one-time code alone.
pub(crate) fn enroll_as<T: SyncTransport + ?Sized>(
    clinic: &Clinic,
    actor: Option<&Actor>,
    transport: &T,
    keys: &dyn CredentialStore,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> CoreResult<Enrollment> {
    let event = |outcome| match actor {
        Some(actor) => actor.event(AuditAction::SyncEnroll, outcome),
        None => AuditEvent::new(AuditAction::SyncEnroll, outcome),
    };
    let server = ServerUrl::parse(server_url)?;
    let code = clean_code(code)?;
    let device_name = clean_device_name(device_name)?;
    keys.load_credential()?;
    let device_id = clinic.device().id;
    let request = EnrollRequest {
        code: code.to_owned(),
        device_name: device_name.to_owned(),
        device_id,
        device_code: Some(clinic.device().code.clone()),
    };
    let answer = match transport.enroll(&server, &request) {
        Ok(answer) => answer,
        Err(e) => {
            let problem = SyncProblem::from_transport(&e);
            clinic.audit_alone(&event(AuditOutcome::Failure).detail(problem.code.as_str()))?;
            if let Some(taken) = device_code_refusal(&e) {
                return Err(taken.with_source(e));
            }
            return Err(problem.to_core_error().with_source(e));
        }
    };
    if answer.device_id != device_id {
        return Err(CoreError::internal("the clinic server enrolled another device id"));
    }
    keys.save_credential(&SyncCredential::new(answer.credential.clone()))?;
    let host = server.host();
    clinic.write(|tx| {
        let before = state::read(tx)?;
        let same_clinic =
            before.server_url.as_deref() == Some(server.as_str()) && before.server_clinic_id == Some(answer.clinic_id);
        if !same_clinic {
            queue::requeue_applied(tx)?;
            state::restart_download(tx, Some(answer.epoch))?;
            state::reset_audit_progress(tx)?;
        } else if before.epoch != Some(answer.epoch) {
            queue::requeue_applied(tx)?;
            state::restart_download(tx, Some(answer.epoch))?;
        }
        let record = EnrollmentRecord {
            server_url: server.as_str(),
            device_name,
            tenant_id: answer.tenant_id,
            server_clinic_id: answer.clinic_id,
            clinic_name: &answer.clinic_name,
            enrolled_by: actor.map(|a| a.staff_id),
        };
        state::save_enrollment(tx, &record, clinic.env.clock.now())?;
        clinic.audit_in(tx, &event(AuditOutcome::Success).detail(&host))
    })?;
    Ok(Enrollment {
        server_url: server.as_str().to_owned(),
        clinic_name: answer.clinic_name,
        device_name: device_name.to_owned(),
    })
}
