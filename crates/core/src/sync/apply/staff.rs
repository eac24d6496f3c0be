//! Pulled staff accounts: the `staff.create` arguments with later `staff.update` arguments merged in
//! (`{member, password_hash, role?, active?, must_change_password?}`), so staff registered on another desk can
//! sign in here. A deactivation, role change or password change made elsewhere reaches signed-in sessions too.

use clinic_protocol::pull::Change;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use uuid::Uuid;

use super::{ApplyContext, ApplyFailure, Effect, EntityApplier, PendingMutation, db_time, decode};
use crate::CoreResult;
use crate::accounts::login::username_key;
use crate::rbac::Role;

pub(crate) struct StaffApplier;

#[derive(Debug, Deserialize)]
struct MemberData {
    username: String,
    display_name: String,
    role: Role,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    must_change_password: bool,
    #[serde(default)]
    created_at: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct StaffData {
    member: MemberData,
    password_hash: String,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    must_change_password: Option<bool>,
}

/// One account's stored fields that a pull may change.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    role: Role,
    active: bool,
    password_hash: String,
    must_change_password: bool,
}

fn stored(ctx: &ApplyContext<'_>, id: Uuid) -> CoreResult<Option<Account>> {
    let row: Option<(String, bool, String, bool)> = ctx
        .tx
        .prepare_cached("SELECT role, active, password_hash, must_change_password FROM staff WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    row.map(|(role, active, password_hash, must_change_password)| {
        Ok(Account { role: Role::parse(&role)?, active, password_hash, must_change_password })
    })
    .transpose()
}

fn save_account(ctx: &ApplyContext<'_>, id: Uuid, account: &Account) -> CoreResult<()> {
    ctx.tx
        .prepare_cached(
            "UPDATE staff SET role = ?1, active = ?2, password_hash = ?3, must_change_password = ?4 WHERE id = ?5",
        )?
        .execute(params![
            account.role.as_str(),
            account.active,
            account.password_hash,
            account.must_change_password,
            id.to_string()
        ])?;
    Ok(())
}

/// The session consequences of an account changing from `before` to `after`.
fn effects(id: Uuid, before: Option<&Account>, after: &Account) -> Vec<Effect> {
    let Some(before) = before else { return Vec::new() };
    let mut out = Vec::new();
    if (before.active && !after.active) || before.password_hash != after.password_hash {
        out.push(Effect::EndSessions(id));
    } else if before.role != after.role {
        out.push(Effect::RoleChanged(id, after.role));
    }
    out
}

impl EntityApplier for StaffApplier {
    fn entity(&self) -> &'static str {
        "staff"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let data: StaffData = decode(&change.data, "the staff account")?;
        let id = change.entity_id;
        let key = username_key(&data.member.username);
        let taken: Option<String> = ctx
            .tx
            .prepare_cached("SELECT id FROM staff WHERE username_key = ?1 AND id <> ?2")?
            .query_row(params![key, id.to_string()], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(ApplyFailure::Unusable(
                "another account on this computer already has this user name".to_owned(),
            ));
        }
        let updated_at = db_time(&change.updated_at)?;
        let created_at = data.member.created_at.as_deref().map(db_time).transpose()?.unwrap_or(updated_at.clone());
        let deleted_at = change.deleted_at.as_deref().map(db_time).transpose()?;
        let account = Account {
            role: data.role.unwrap_or(data.member.role),
            active: data.active.unwrap_or(data.member.active),
            password_hash: data.password_hash,
            must_change_password: data.must_change_password.unwrap_or(data.member.must_change_password),
        };
        let before = stored(ctx, id)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO staff (id, username, username_key, display_name, role, password_hash, active,
                     must_change_password, created_at, row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (id) DO UPDATE SET username = excluded.username, username_key = excluded.username_key,
                     display_name = excluded.display_name, role = excluded.role,
                     password_hash = excluded.password_hash, active = excluded.active,
                     must_change_password = excluded.must_change_password, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                id.to_string(),
                data.member.username.trim(),
                key,
                data.member.display_name,
                account.role.as_str(),
                account.password_hash,
                account.active,
                account.must_change_password,
                created_at,
                change.row_version,
                updated_at,
                deleted_at,
                change.updated_by.map(|u| u.to_string()),
            ])?;
        ctx.effects.extend(effects(id, before.as_ref(), &account));
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "staff.update" {
            return Ok(());
        }
        let id = change.entity_id;
        let Some(before) = stored(ctx, id)? else { return Ok(()) };
        let mut after = before.clone();
        let args = &pending.args;
        if let Some(role) = args.get("role").and_then(|r| serde_json::from_value::<Role>(r.clone()).ok()) {
            after.role = role;
        }
        if let Some(active) = args.get("active").and_then(|a| a.as_bool()) {
            after.active = active;
        }
        if let Some(hash) = args.get("password_hash").and_then(|h| h.as_str()) {
            after.password_hash = hash.to_owned();
        }
        if let Some(must) = args.get("must_change_password").and_then(|m| m.as_bool()) {
            after.must_change_password = must;
        }
        if after != before {
            save_account(ctx, id, &after)?;
        }
        Ok(())
    }
}
