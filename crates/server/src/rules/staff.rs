//! Staff account rules: `staff.create` stores `{member, password_hash}` as sent; `staff.update` overwrites the
//! keys it carries (`password_hash` at the top, the others inside `member`), the last by server order winning.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{ApplyCtx, Checked, Decision, EntityRules, Write, text, unknown_name};
use crate::error::FieldError;
use crate::sync::store;
use crate::{AppError, rules};

#[derive(Debug, Clone, Copy)]
pub(crate) struct StaffRules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Administrator,
    Doctor,
    Nurse,
    Receptionist,
    BillingClerk,
}

/// clinic-core's `StaffMember`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    id: Uuid,
    username: String,
    display_name: String,
    role: Role,
    active: bool,
    must_change_password: bool,
    created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateArgs {
    member: Member,
    password_hash: String,
}

/// The keys a `staff.update` may carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read for validation only; the raw keys are applied
struct UpdateArgs {
    role: Option<Role>,
    active: Option<bool>,
    must_change_password: Option<bool>,
    password_hash: Option<String>,
    display_name: Option<String>,
    username: Option<String>,
}

fn check_username(field: &str, username: &str) -> Result<(), FieldError> {
    text(field, username, 64, true)?;
    let length = username.chars().count();
    if !(3..=64).contains(&length) {
        return Err(FieldError::new(field, "A user name has 3 to 64 characters."));
    }
    Ok(())
}

impl EntityRules for StaffRules {
    const ENTITY: &'static str = "staff";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "staff.create" => {
                let a: CreateArgs = rules::args(&m.args)?;
                if a.member.id != m.entity_id {
                    return Err(FieldError::new(
                        "args.member.id",
                        "The account's id must be the mutation's entity_id.",
                    ));
                }
                check_username("args.member.username", &a.member.username)?;
                text("args.member.display_name", &a.member.display_name, 100, true)?;
                text("args.member.created_at", &a.member.created_at, 64, false)?;
                text("args.password_hash", &a.password_hash, 512, true)?;
                Ok(Checked { creates_active_staff: a.member.active, ..Checked::default() })
            }
            "staff.update" => {
                let a: UpdateArgs = rules::args(&m.args)?;
                let raw = m.args.as_object().cloned().unwrap_or_default();
                if raw.is_empty() {
                    return Err(FieldError::new("args", "An update must change something."));
                }
                if let Some((key, _)) = raw.iter().find(|(_, v)| v.is_null()) {
                    return Err(FieldError::new(["args.", key].concat(), "This must not be empty."));
                }
                if let Some(u) = &a.username {
                    check_username("args.username", u)?;
                }
                text("args.display_name", a.display_name.as_deref().unwrap_or("-"), 100, true)?;
                text("args.password_hash", a.password_hash.as_deref().unwrap_or("-"), 512, true)?;
                if m.base_row_version.is_none() {
                    return Err(FieldError::new(
                        "base_row_version",
                        "An update must say which version it was made on.",
                    ));
                }
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let (m, tenant) = (ctx.mutation, ctx.device.tenant_id);
        let existing = store::load(ctx.tx, tenant, Self::ENTITY, m.entity_id).await?;
        match (m.name.as_str(), existing) {
            ("staff.create", Some(_)) => Ok(Decision::Rejected(
                "The clinic server already has this staff account, so it was not created again.".into(),
            )),
            ("staff.create", None) => {
                let a: CreateArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
                Ok(Decision::Apply {
                    write: Write {
                        entity: Self::ENTITY,
                        entity_id: m.entity_id,
                        replaces: None,
                        data: serde_json::to_value(a)?,
                        field_hlcs: Value::Object(Map::new()),
                        deleted_at: None,
                    },
                    review_items: Vec::new(),
                })
            }
            ("staff.update", None) => Ok(Decision::Rejected(
                "This staff account is not on the clinic server, so the change could not be applied there.".into(),
            )),
            ("staff.update", Some(record)) => {
                let mut data = record.data.as_object().cloned().unwrap_or_default();
                let mut member = data.get("member").and_then(Value::as_object).cloned().unwrap_or_default();
                for (key, value) in m.args.as_object().into_iter().flatten() {
                    if key == "password_hash" {
                        data.insert(key.clone(), value.clone());
                    } else {
                        member.insert(key.clone(), value.clone());
                    }
                }
                data.insert("member".into(), Value::Object(member));
                Ok(Decision::Apply {
                    write: Write {
                        entity: Self::ENTITY,
                        entity_id: m.entity_id,
                        replaces: Some(record.row_version),
                        data: Value::Object(data),
                        field_hlcs: record.field_hlcs,
                        deleted_at: record.deleted_at,
                    },
                    review_items: Vec::new(),
                })
            }
            (other, _) => Err(AppError::internal(["unchecked staff mutation ", other].concat())),
        }
    }
}
