//! `GET /v1/calendar/{token}.ics`: a clinician's appointments as an iCalendar subscription feed (ADR 12).
//!
//! The token in the address is the only credential (calendar applications cannot send a device's). Its SHA-256 is
//! looked up through a `SECURITY DEFINER` function, then the tenant's rows are read under row-level security.
//! An unknown, malformed or revoked token gets the same bare 404. The text is rendered by
//! [`clinic_protocol::calendar::render`], the same definition the desk's `.ics` export uses.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use clinic_protocol::ApiError;
use clinic_protocol::calendar::{self, CalendarEvent, CalendarSpec, FEED_PATH_SUFFIX, feed_token_hash, is_feed_token};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use uuid::Uuid;

use crate::{AppError, AppState, db};

/// How far back and ahead a feed reaches.
const DAYS_BACK: i64 = 30;
const DAYS_AHEAD: i64 = 365;

/// The feed a token names.
struct Feed {
    tenant_id: Uuid,
    clinic_id: Uuid,
    clinician_id: Uuid,
}

fn timestamp(at: DateTime<Utc>) -> Result<Timestamp, AppError> {
    Timestamp::from_second(at.timestamp()).map_err(AppError::internal)
}

/// The clinician's appointments from 30 days back to a year ahead, as `text/calendar`.
#[utoipa::path(
    get,
    path = "/v1/calendar/{token}.ics",
    tag = "calendar",
    params(("token" = String, Path, description = "The secret of a calendar subscription link, as the desk made it")),
    responses(
        (status = 200, description = "The clinician's appointments (iCalendar, RFC 5545)",
            content_type = "text/calendar", body = String),
        (status = 404, description = "No live feed at this address (`not_found`): unknown or revoked alike",
            body = ApiError),
    )
)]
pub async fn export_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let token = file.strip_suffix(FEED_PATH_SUFFIX).filter(|t| is_feed_token(t)).ok_or_else(AppError::not_found)?;
    let hash = hex::decode(feed_token_hash(token)).map_err(AppError::internal)?;
    let mut client = state.pool.get().await?;
    let lookup =
        client.prepare_cached("SELECT tenant_id, clinic_id, clinician_id FROM calendar_feed_by_hash($1)").await?;
    let row = client.query_opt(&lookup, &[&hash]).await?.ok_or_else(AppError::not_found)?;
    let feed = Feed { tenant_id: row.try_get(0)?, clinic_id: row.try_get(1)?, clinician_id: row.try_get(2)? };
    let now = state.clock.now();
    let tx = db::tenant_transaction(&mut client, feed.tenant_id).await?;
    let text = render(&tx, &feed, now).await?;
    tx.commit().await?;
    Ok(([(CONTENT_TYPE, "text/calendar; charset=utf-8"), (CACHE_CONTROL, "no-store")], text))
}

/// The clinic's zone (UTC when it has none the time-zone database knows), the name policy and the clinician's name.
async fn settings(tx: &deadpool_postgres::Transaction<'_>, feed: &Feed) -> Result<(String, bool, String), AppError> {
    let zone = db::query_opt(
        tx,
        "SELECT data ->> 'time_zone' FROM entities WHERE tenant_id = $1 AND entity = 'clinic' AND deleted_at IS NULL
         ORDER BY clinic_id = $2 DESC, updated_at DESC LIMIT 1",
        &[&feed.tenant_id, &feed.clinic_id],
    )
    .await?
    .map(|r| r.try_get::<_, Option<String>>(0))
    .transpose()?
    .flatten();
    let names = db::query_opt(
        tx,
        "SELECT data ->> 'calendar_patient_names' FROM entities
         WHERE tenant_id = $1 AND entity = 'scheduling_policy' AND deleted_at IS NULL
         ORDER BY clinic_id = $2 DESC, updated_at DESC LIMIT 1",
        &[&feed.tenant_id, &feed.clinic_id],
    )
    .await?
    .map(|r| r.try_get::<_, Option<String>>(0))
    .transpose()?
    .flatten();
    let clinician = db::query_opt(
        tx,
        "SELECT data -> 'member' ->> 'display_name' FROM entities
         WHERE tenant_id = $1 AND entity = 'staff' AND entity_id = $2",
        &[&feed.tenant_id, &feed.clinician_id],
    )
    .await?
    .map(|r| r.try_get::<_, Option<String>>(0))
    .transpose()?
    .flatten();
    Ok((zone.unwrap_or_default(), names.as_deref() == Some("true"), clinician.unwrap_or_default()))
}

async fn render(tx: &deadpool_postgres::Transaction<'_>, feed: &Feed, now: DateTime<Utc>) -> Result<String, AppError> {
    let (zone_name, patient_names, clinician_name) = settings(tx, feed).await?;
    let (zone_name, zone) = match TimeZone::get(&zone_name) {
        Ok(zone) if !zone_name.is_empty() => (zone_name, zone),
        _ => ("UTC".to_owned(), TimeZone::UTC),
    };
    let (from, to) = (now - Duration::days(DAYS_BACK), now + Duration::days(DAYS_AHEAD));
    // Bounds compared as RFC 3339 text (which sorts like the instants), then each start parsed and checked exactly;
    // ids are cast only when they are UUIDs, so one malformed record cannot fail the whole feed.
    let rows = db::query(
        tx,
        "SELECT a.entity_id, a.data ->> 'starts_at', a.data ->> 'ends_at', a.data ->> 'status', a.data ->> 'meeting_link',
                a.row_version, a.updated_at,
                a.data ->> 'created_at',
                p.data -> 'patient' ->> 'family_name', p.data -> 'patient' ->> 'given_name', t.data ->> 'name'
         FROM entities a
         LEFT JOIN entities p ON p.tenant_id = a.tenant_id AND p.entity = 'patient'
              AND p.entity_id = CASE WHEN a.data ->> 'patient_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN (a.data ->> 'patient_id')::uuid END
         LEFT JOIN entities t ON t.tenant_id = a.tenant_id AND t.entity = 'appointment_type'
              AND t.entity_id = CASE WHEN a.data ->> 'type_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN (a.data ->> 'type_id')::uuid END
         WHERE a.tenant_id = $1 AND a.entity = 'appointment' AND a.deleted_at IS NULL
           AND a.data ->> 'clinician_id' = $2 AND a.data ->> 'starts_at' >= $3 AND a.data ->> 'starts_at' < $4
         ORDER BY a.data ->> 'starts_at', a.entity_id",
        &[
            &feed.tenant_id,
            &feed.clinician_id.to_string(),
            &crate::clock::rfc3339(from - Duration::days(1)),
            &crate::clock::rfc3339(to + Duration::days(1)),
        ],
    )
    .await?;
    let (from, to) = (timestamp(from)?, timestamp(to)?);
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let instant = |i: usize| -> Result<Option<Timestamp>, AppError> {
            Ok(r.try_get::<_, Option<String>>(i)?.and_then(|t| t.parse().ok()))
        };
        let (Some(starts_at), Some(ends_at)) = (instant(1)?, instant(2)?) else {
            tracing::warn!("an appointment with unreadable times was left out of a calendar feed");
            continue;
        };
        if starts_at < from || starts_at >= to {
            continue;
        }
        let updated_at = timestamp(r.try_get(6)?)?;
        let created_at = instant(7)?.unwrap_or(updated_at);
        let family: Option<String> = r.try_get(8)?;
        let given: Option<String> = r.try_get(9)?;
        events.push(CalendarEvent {
            id: r.try_get(0)?,
            patient_name: [family.unwrap_or_default(), given.unwrap_or_default()].join(", "),
            type_name: r.try_get::<_, Option<String>>(10)?.unwrap_or_default(),
            cancelled: r.try_get::<_, Option<String>>(3)?.as_deref() == Some("cancelled"),
            starts_at,
            ends_at,
            created_at,
            updated_at,
            row_version: r.try_get(5)?,
            meeting_link: r.try_get(4)?,
        });
    }
    let spec = CalendarSpec {
        name: &clinician_name,
        zone_name: &zone_name,
        zone: &zone,
        generated_at: timestamp(now)?,
        from,
        to,
        patient_names,
    };
    calendar::render(&spec, &events).map_err(AppError::internal)
}
