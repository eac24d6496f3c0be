//! Calendar subscription links (ADR 12): a secret per clinician that lets Google Calendar, Outlook or Apple
//! Calendar subscribe to their appointments on the clinic server (`GET /v1/calendar/<token>.ics`).
//!
//! The token is made here, offline if need be: 32 bytes from the operating system's random generator, written in
//! URL-safe base64. It is kept in this desk's encrypted database so the link can be shown again; the server only
//! ever receives its SHA-256 (`calendar_feed.issue {clinician_id, token_hash}`). Issuing again revokes the
//! previous link, here and on the server; `calendar_feed.revoke {clinician_id}` stops whatever link the
//! clinician has on the server, even one made on another desk. Both mutations are about the entity
//! `calendar_feed` whose id is the clinician's staff id: a clinician has at most one live link.
//!
//! Who may: administrators for any clinician, a doctor or nurse for themselves. Every issue and revoke is audited
//! (never the token).

use clinic_protocol::calendar::{FEED_PATH_PREFIX, FEED_PATH_SUFFIX, feed_token_hash};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::clinicians::{self, Clinician};
use super::record::{self, Change, bad_column, now_text};
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::{AuditAction, AuditOutcome};
use crate::rbac::{Permission, Role};
use crate::sync::ServerUrl;
use crate::{Clinic, CoreError, CoreResult};

/// The entity both feed mutations are about; its id is the clinician's.
const ENTITY: &str = "calendar_feed";

/// One link made on this desk, live or revoked. The token itself is only in [`FeedLink`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CalendarFeed {
    pub id: Uuid,
    pub clinician_id: Uuid,
    pub clinician_name: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub issued_at: Timestamp,
    pub issued_by: Uuid,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<Uuid>,
}

/// A live link: the address to paste into a calendar application. It is a secret: whoever has it sees the
/// clinician's appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FeedLink {
    pub feed: CalendarFeed,
    pub url: String,
}

const SELECT: &str = "SELECT f.id, f.clinician_id, s.display_name, f.issued_at, f.issued_by, f.revoked_at, f.revoked_by, \
     f.token FROM calendar_feeds f JOIN staff s ON s.id = f.clinician_id";

fn read(r: &Row<'_>) -> rusqlite::Result<(CalendarFeed, Option<String>)> {
    let uuid = |i: usize| -> rusqlite::Result<Option<Uuid>> {
        r.get::<_, Option<String>>(i)?.map(|t| Uuid::parse_str(&t).map_err(|e| bad_column(i, e))).transpose()
    };
    let time = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        r.get::<_, Option<String>>(i)?.map(|t| t.parse().map_err(|e| bad_column(i, e))).transpose()
    };
    let required = |i: usize| rusqlite::Error::InvalidColumnType(i, "NULL".into(), rusqlite::types::Type::Null);
    Ok((
        CalendarFeed {
            id: uuid(0)?.ok_or_else(|| required(0))?,
            clinician_id: uuid(1)?.ok_or_else(|| required(1))?,
            clinician_name: r.get(2)?,
            issued_at: time(3)?.ok_or_else(|| required(3))?,
            issued_by: uuid(4)?.ok_or_else(|| required(4))?,
            revoked_at: time(5)?,
            revoked_by: uuid(6)?,
        },
        r.get(7)?,
    ))
}

/// The clinic server's address this desk syncs with; a link needs one.
fn server_url(conn: &Connection) -> CoreResult<ServerUrl> {
    let stored: Option<String> =
        conn.query_row("SELECT server_url FROM sync_state", [], |r| r.get(0)).optional()?.flatten();
    let stored = stored.ok_or_else(|| {
        CoreError::unavailable(
            "This computer is not connected to a clinic server, and calendar links are served by it. \
             Join the clinic server first (Sync screen), then make the link.",
        )
    })?;
    ServerUrl::parse(&stored)
}

fn link(server: &ServerUrl, token: &str) -> String {
    server.join(&[FEED_PATH_PREFIX, token, FEED_PATH_SUFFIX].concat())
}

/// A new token: 32 bytes from the OS's random generator (256 bits), URL-safe base64 without padding.
fn new_token() -> CoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| CoreError::internal(e.to_string()))?;
    Ok(data_encoding::BASE64URL_NOPAD.encode(&bytes))
}

/// Checks the session and that it may manage `clinician_id`'s link: administrators for any clinician, a doctor or
/// nurse for themselves. A refusal for someone else's link is audited.
fn authorize_for(clinic: &Clinic, session: SessionId, clinician_id: Uuid) -> CoreResult<Actor> {
    let actor = clinic.authorize(session, Permission::AppointmentRead)?;
    if actor.role != Role::Administrator && clinician_id != actor.staff_id {
        clinic.audit_alone(
            &actor
                .event(AuditAction::AccessDenied, AuditOutcome::Denied)
                .on("staff", clinician_id)
                .detail("calendar link of another clinician"),
        )?;
        return Err(CoreError::forbidden(
            "You can manage only your own calendar link. An administrator can manage it for any clinician.",
        ));
    }
    Ok(actor)
}

/// The clinician, who must be a doctor or nurse of this clinic.
fn clinician(conn: &Connection, id: Uuid) -> CoreResult<Clinician> {
    clinicians::find(conn, id)?.ok_or_else(|| {
        CoreError::validation("clinician_id", "Calendar links are for doctors and nurses: choose one of them.")
    })
}

fn live(conn: &Connection, clinician_id: Uuid) -> CoreResult<Option<(CalendarFeed, Option<String>)>> {
    let sql = [SELECT, " WHERE f.clinician_id = ?1 AND f.revoked_at IS NULL"].concat();
    Ok(conn.prepare_cached(&sql)?.query_row([clinician_id.to_string()], read).optional()?)
}

/// Marks the live link of a clinician revoked and forgets its token. Returns whether there was one.
fn revoke_live(conn: &Connection, clinician_id: Uuid, by: Uuid, at: &str) -> CoreResult<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE calendar_feeds SET revoked_at = ?2, revoked_by = ?3, token = NULL
             WHERE clinician_id = ?1 AND revoked_at IS NULL",
        )?
        .execute(params![clinician_id.to_string(), at, by.to_string()])?;
    Ok(changed > 0)
}

/// Makes a new link for a clinician; an earlier one stops working (here at once, on the server when this change
/// reaches it). Works offline; the server learns the link at the next sync.
pub fn issue(clinic: &Clinic, session: SessionId, clinician_id: Uuid) -> CoreResult<FeedLink> {
    let actor = authorize_for(clinic, session, clinician_id)?;
    let token = new_token()?;
    let token_hash = feed_token_hash(&token);
    let id = clinic.env.ids.new_id();
    clinic.write(|tx| {
        let server = server_url(tx)?;
        clinician(tx, clinician_id)?;
        let now = now_text(clinic);
        let replaced = revoke_live(tx, clinician_id, actor.staff_id, &now)?;
        tx.execute(
            "INSERT INTO calendar_feeds (id, clinician_id, token, token_hash, issued_at, issued_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id.to_string(), clinician_id.to_string(), token, token_hash, now, actor.staff_id.to_string()],
        )?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "calendar_feed.issue",
                entity: ENTITY,
                entity_id: clinician_id,
                args: json!({ "clinician_id": clinician_id, "token_hash": token_hash }),
                base_row_version: None,
                action: AuditAction::CalendarFeedIssue,
                patient_id: None,
                detail: if replaced { "replaced the previous link" } else { "" },
            },
        )?;
        let feed = live(tx, clinician_id)?.ok_or_else(|| CoreError::internal("the new link was not stored"))?.0;
        Ok(FeedLink { feed, url: link(&server, &token) })
    })
}

/// The clinician's live link made on this desk, if any. Links made on other desks cannot be shown here (only
/// that desk holds the token): make a new one, which stops the other.
pub fn current_link(clinic: &Clinic, session: SessionId, clinician_id: Uuid) -> CoreResult<Option<FeedLink>> {
    authorize_for(clinic, session, clinician_id)?;
    clinic.read(|conn| {
        let Some((feed, Some(token))) = live(conn, clinician_id)? else { return Ok(None) };
        Ok(Some(FeedLink { feed, url: link(&server_url(conn)?, &token) }))
    })
}

/// Stops the clinician's link: the one made here at once, and on the server whatever link they have (made here
/// or on another desk) when this change reaches it.
pub fn revoke(clinic: &Clinic, session: SessionId, clinician_id: Uuid) -> CoreResult<()> {
    let actor = authorize_for(clinic, session, clinician_id)?;
    clinic.write(|tx| {
        clinician(tx, clinician_id)?;
        let here = revoke_live(tx, clinician_id, actor.staff_id, &now_text(clinic))?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "calendar_feed.revoke",
                entity: ENTITY,
                entity_id: clinician_id,
                args: json!({ "clinician_id": clinician_id }),
                base_row_version: None,
                action: AuditAction::CalendarFeedRevoke,
                patient_id: None,
                detail: if here { "" } else { "no link made on this desk" },
            },
        )
    })
}

/// The links made on this desk, newest first: every clinician's for an administrator, one's own for a doctor or
/// nurse (anyone else sees none). Tokens are not included; [`current_link`] gives the address.
pub fn list(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<CalendarFeed>> {
    let actor = clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let everyone = actor.role == Role::Administrator;
        let sql = [SELECT, " WHERE ?1 OR f.clinician_id = ?2 ORDER BY f.issued_at DESC, f.id DESC"].concat();
        let rows = conn
            .prepare_cached(&sql)?
            .query_map(params![everyone, actor.staff_id.to_string()], read)?
            .map(|r| r.map(|(feed, _)| feed))
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })
}
