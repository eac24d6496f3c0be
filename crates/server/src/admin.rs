//! Administrative operations behind the CLI: tenants, clinics, enrollment codes, devices and the epoch. They run
//! on a connection as the owner role (which bypasses row-level security), never through the HTTP API.

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::Client;
use uuid::Uuid;

use crate::{AppError, credential};

/// The longest an enrollment code may stay valid.
pub const MAX_CODE_HOURS: i64 = 24 * 30;

fn name(what: &'static str, text: &str) -> Result<String, AppError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 {
        return Err(AppError::validation(what, "Give a name of 1 to 200 characters."));
    }
    Ok(trimmed.to_owned())
}

/// Creates an organisation with its change sequence. Returns its id.
pub async fn create_tenant(client: &mut Client, tenant_name: &str, now: DateTime<Utc>) -> Result<Uuid, AppError> {
    let tenant_name = name("name", tenant_name)?;
    let id = Uuid::now_v7();
    let tx = client.transaction().await?;
    tx.execute("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", &[&id, &tenant_name, &now]).await?;
    tx.execute("INSERT INTO tenant_sequences (tenant_id) VALUES ($1)", &[&id]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a clinic of a tenant. Returns its id.
pub async fn create_clinic(
    client: &Client,
    tenant: Uuid,
    clinic_name: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let clinic_name = name("name", clinic_name)?;
    let known = client.query_opt("SELECT 1 FROM tenants WHERE id = $1", &[&tenant]).await?.is_some();
    if !known {
        return Err(AppError::validation("tenant", "There is no tenant with this id."));
    }
    let id = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO clinics (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4)",
            &[&id, &tenant, &clinic_name, &now],
        )
        .await?;
    Ok(id)
}

/// A clinic as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub name: String,
}

/// Every clinic, by tenant then name.
pub async fn list_clinics(client: &Client) -> Result<Vec<ClinicRow>, AppError> {
    let rows = client
        .query(
            "SELECT c.id, c.tenant_id, t.name, c.name FROM clinics c JOIN tenants t ON t.id = c.tenant_id
             ORDER BY t.name, c.name",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ClinicRow {
                id: r.try_get(0)?,
                tenant_id: r.try_get(1)?,
                tenant_name: r.try_get(2)?,
                name: r.try_get(3)?,
            })
        })
        .collect()
}

/// A new one-time code: shown once, only its hash is stored.
#[derive(Debug, Clone)]
pub struct NewCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// Creates a one-time enrollment code for a clinic, valid for `valid_hours`.
pub async fn create_enrollment_code(
    client: &Client,
    clinic: Uuid,
    valid_hours: i64,
    now: DateTime<Utc>,
) -> Result<NewCode, AppError> {
    if !(1..=MAX_CODE_HOURS).contains(&valid_hours) {
        return Err(AppError::validation("valid_hours", "A code is valid for 1 hour to 30 days."));
    }
    let tenant: Uuid = client
        .query_opt("SELECT tenant_id FROM clinics WHERE id = $1", &[&clinic])
        .await?
        .ok_or_else(|| AppError::validation("clinic", "There is no clinic with this id."))?
        .try_get(0)?;
    let code = credential::new_enrollment_code()?;
    let expires_at = now + Duration::hours(valid_hours);
    client
        .execute(
            "INSERT INTO enrollment_codes (code_hash, tenant_id, clinic_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&credential::code_hash(&code), &tenant, &clinic, &now, &expires_at],
        )
        .await?;
    Ok(NewCode { code, expires_at })
}

/// A device as administrators see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: Uuid,
    pub name: String,
    /// The device code its record numbers carry (none for devices enrolled by older versions).
    pub code: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub protocol_version: Option<i32>,
    pub schema_version: Option<i32>,
}

/// The devices of a clinic, newest enrollment first.
pub async fn list_devices(client: &Client, clinic: Uuid) -> Result<Vec<DeviceRow>, AppError> {
    let rows = client
        .query(
            "SELECT id, name, enrolled_at, last_seen_at, revoked_at, last_protocol_version, last_schema_version, code
             FROM devices WHERE clinic_id = $1 ORDER BY enrolled_at DESC",
            &[&clinic],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DeviceRow {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                enrolled_at: r.try_get(2)?,
                last_seen_at: r.try_get(3)?,
                revoked_at: r.try_get(4)?,
                protocol_version: r.try_get(5)?,
                schema_version: r.try_get(6)?,
                code: r.try_get(7)?,
            })
        })
        .collect()
}

/// Revokes a device: from its next request on it is refused and told so. Returns false when there is no such
/// device or it was already revoked.
pub async fn revoke_device(client: &Client, device: Uuid, now: DateTime<Utc>) -> Result<bool, AppError> {
    let changed = client
        .execute("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&device, &now])
        .await?;
    Ok(changed == 1)
}

/// Gives the server a new epoch (after restoring a backup): every client re-pushes and re-pulls.
pub async fn new_epoch(client: &Client, now: DateTime<Utc>) -> Result<Uuid, AppError> {
    let epoch = Uuid::now_v7();
    client.execute("UPDATE server_epoch SET epoch = $1, changed_at = $2 WHERE singleton", &[&epoch, &now]).await?;
    Ok(epoch)
}
