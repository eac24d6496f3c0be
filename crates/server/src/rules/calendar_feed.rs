//! Calendar feed rules (ADR 12): `calendar_feed.issue {clinician_id, token_hash}` stores the hash of a token a desk
//! made and revokes the clinician's previous feed; `calendar_feed.revoke {clinician_id}` revokes the live one.
//! The entity id is the clinician's staff id (one live feed per clinician). The feeds live in the server-only table
//! `calendar_feeds`, not in `entities`: desks never pull them, and the token itself never reaches the server.
//!
//! Besides the role check every change gets (`appointment_read`), only an administrator may act on another
//! clinician's feed, and feeds are for doctors and nurses.

use chrono::NaiveDate;
use clinic_protocol::calendar::is_feed_token_hash;
use clinic_protocol::push::MutationEnvelope;
use serde::Deserialize;
use uuid::Uuid;

use super::{ApplyCtx, Checked, Decision, EntityRules, unknown_name};
use crate::error::FieldError;
use crate::{AppError, db, rules};

#[derive(Debug, Clone, Copy)]
pub(crate) struct CalendarFeedRules;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueArgs {
    clinician_id: Uuid,
    token_hash: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeArgs {
    clinician_id: Uuid,
}

fn same_clinician(m: &MutationEnvelope, clinician_id: Uuid) -> Result<(), FieldError> {
    if clinician_id != m.entity_id {
        return Err(FieldError::new(
            "args.clinician_id",
            "A calendar feed change is about one clinician: clinician_id must be the change's entity_id.",
        ));
    }
    Ok(())
}

/// A member of staff's role as the server holds it; `None` when unknown or deleted.
async fn role_of(ctx: &ApplyCtx<'_>, staff: Uuid) -> Result<Option<String>, AppError> {
    let row = db::query_opt(
        ctx.tx,
        "SELECT data -> 'member' ->> 'role' FROM entities
         WHERE tenant_id = $1 AND entity = 'staff' AND entity_id = $2 AND deleted_at IS NULL",
        &[&ctx.device.tenant_id, &staff],
    )
    .await?;
    Ok(row.map(|r| r.try_get::<_, Option<String>>(0)).transpose()?.flatten())
}

/// Why this author may not change this clinician's feed, if they may not.
async fn refusal(ctx: &ApplyCtx<'_>, clinician_id: Uuid) -> Result<Option<String>, AppError> {
    let role = role_of(ctx, clinician_id).await?;
    if !matches!(role.as_deref(), Some("doctor" | "nurse")) {
        return Ok(Some(
            "Calendar feeds are for doctors and nurses, and this account is not one on the clinic server, so the \
             change was not applied."
                .into(),
        ));
    }
    let author = ctx.mutation.authored_by;
    if author == Some(clinician_id) {
        return Ok(None);
    }
    let author_role = match author {
        Some(a) => role_of(ctx, a).await?,
        None => None,
    };
    if author_role.as_deref() == Some("administrator") {
        return Ok(None);
    }
    Ok(Some(
        "Only the clinician or an administrator may make or stop a clinician's calendar link, so the change was not \
         applied."
            .into(),
    ))
}

impl EntityRules for CalendarFeedRules {
    const ENTITY: &'static str = "calendar_feed";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "calendar_feed.issue" => {
                let a: IssueArgs = rules::args(&m.args)?;
                same_clinician(m, a.clinician_id)?;
                if !is_feed_token_hash(&a.token_hash) {
                    return Err(FieldError::new(
                        "args.token_hash",
                        "This is not a SHA-256 hash in lower-case hex (64 characters 0-9 and a-f).",
                    ));
                }
            }
            "calendar_feed.revoke" => {
                let a: RevokeArgs = rules::args(&m.args)?;
                same_clinician(m, a.clinician_id)?;
            }
            other => return Err(unknown_name(other)),
        }
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let clinician = m.entity_id;
        if let Some(reason) = refusal(ctx, clinician).await? {
            return Ok(Decision::Rejected(reason));
        }
        let (tenant, now) = (ctx.device.tenant_id, ctx.now);
        // Rolled back to when the hash is already taken, so a refused issue leaves the previous feed live.
        ctx.tx.batch_execute("SAVEPOINT calendar_feed_change").await?;
        db::execute(
            ctx.tx,
            "UPDATE calendar_feeds SET revoked_at = $3, revoked_by = $4
             WHERE tenant_id = $1 AND clinician_id = $2 AND revoked_at IS NULL",
            &[&tenant, &clinician, &now, &m.authored_by],
        )
        .await?;
        if m.name == "calendar_feed.issue" {
            let a: IssueArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
            let hash = hex::decode(&a.token_hash).map_err(AppError::internal)?;
            let inserted = db::execute(
                ctx.tx,
                "INSERT INTO calendar_feeds (id, tenant_id, clinic_id, clinician_id, token_hash, issued_at, issued_by,
                                             issued_device)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (token_hash) DO NOTHING",
                &[
                    &Uuid::now_v7(),
                    &tenant,
                    &ctx.device.clinic_id,
                    &clinician,
                    &hash,
                    &now,
                    &m.authored_by,
                    &ctx.device.device_id,
                ],
            )
            .await?;
            if inserted == 0 {
                ctx.tx.batch_execute("ROLLBACK TO SAVEPOINT calendar_feed_change").await?;
                return Ok(Decision::Rejected(
                    "This calendar link could not be stored on the clinic server. Make a new link.".into(),
                ));
            }
        }
        ctx.tx.batch_execute("RELEASE SAVEPOINT calendar_feed_change").await?;
        Ok(Decision::ServerOnly)
    }
}
