//! `DeviceAuth`: the device behind `Authorization: Bearer <device uuid>.<secret>`, with the tenant and clinic
//! its credential belongs to — the only source of tenant and clinic for a request.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ClientVersions;
use crate::{AppError, AppState, credential, db};

/// How often a device's `last_seen_at` is written (at most), so reads do not turn into writes.
const TOUCH_EVERY_SECS: i64 = 60;

/// An authenticated, non-revoked device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device_id: Uuid,
    pub tenant_id: Uuid,
    pub clinic_id: Uuid,
}

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<DeviceAuth, AppError> {
        let header =
            parts.headers.get(AUTHORIZATION).and_then(|h| h.to_str().ok()).ok_or_else(AppError::unauthenticated)?;
        let (device_id, secret) = credential::parse_bearer(header).ok_or_else(AppError::unauthenticated)?;
        let mut client = state.pool.get().await?;
        let lookup = client
            .prepare_cached(
                "SELECT tenant_id, clinic_id, secret_hash, revoked, last_seen_at FROM device_credential($1)",
            )
            .await?;
        let row = client.query_opt(&lookup, &[&device_id]).await?.ok_or_else(AppError::unauthenticated)?;
        let stored: Vec<u8> = row.try_get("secret_hash")?;
        // The secret is checked before revocation, so only the device itself learns that it was revoked.
        if !credential::matches(&stored, &secret) {
            return Err(AppError::unauthenticated());
        }
        if row.try_get::<_, bool>("revoked")? {
            return Err(AppError::device_revoked());
        }
        let auth = DeviceAuth { device_id, tenant_id: row.try_get("tenant_id")?, clinic_id: row.try_get("clinic_id")? };
        let last_seen: Option<DateTime<Utc>> = row.try_get("last_seen_at")?;
        let now = state.clock.now();
        if last_seen.is_none_or(|at| (now - at).num_seconds() >= TOUCH_EVERY_SECS) {
            let (protocol, schema) = ClientVersions::read(&parts.headers);
            let protocol = protocol.and_then(|v| i32::try_from(v).ok());
            let schema = schema.and_then(|v| i32::try_from(v).ok());
            let tx = db::tenant_transaction(&mut client, auth.tenant_id).await?;
            db::execute(
                &tx,
                "UPDATE devices SET last_seen_at = $2, last_protocol_version = $3, last_schema_version = $4 WHERE id = $1",
                &[&device_id, &now, &protocol, &schema],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(auth)
    }
}
