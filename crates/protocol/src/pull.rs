//! Pull: the changes a clinic's server holds after a cursor, in the server's commit order.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::Hlc;

/// Where a device is in the server's change stream: `seq` is the last change it has, within `epoch`.
/// A server restored from a backup gets a new epoch, and every cursor of the old epoch is refused with
/// [`crate::ApiErrorCode::EpochChanged`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub epoch: Uuid,
    pub seq: i64,
}

impl Cursor {
    /// The cursor as one query-string value, `<epoch>:<seq>`.
    pub fn to_param(&self) -> String {
        format!("{}:{}", self.epoch, self.seq)
    }

    /// Reads [`Cursor::to_param`]'s form back.
    pub fn from_param(text: &str) -> Option<Cursor> {
        let (epoch, seq) = text.split_once(':')?;
        Some(Cursor { epoch: epoch.parse().ok()?, seq: seq.parse().ok()? })
    }
}

/// Serde for an optional cursor carried as one query-string value (see [`Cursor::to_param`]).
pub(crate) mod cursor_param {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Cursor;

    pub fn serialize<S: Serializer>(cursor: &Option<Cursor>, s: S) -> Result<S::Ok, S::Error> {
        match cursor {
            Some(c) => s.serialize_str(&c.to_param()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cursor>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| {
            Cursor::from_param(&t).ok_or_else(|| serde::de::Error::custom("expected <epoch uuid>:<seq> for snapshot"))
        })
        .transpose()
    }
}

/// `GET /v1/pull?epoch=…&after=…&limit=…`.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    pub epoch: Uuid,
    /// The last `seq` the client has; 0 for none.
    pub after: i64,
    /// Page size, at most [`crate::MAX_PAGE_SIZE`]; [`crate::DEFAULT_PAGE_SIZE`] when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One record as the server now holds it: its whole current state, not a diff.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The clinic's change sequence number of this version (commit order on the server).
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub row_version: i64,
    /// The record's fields; for a tombstone, its last state.
    pub data: serde_json::Value,
    /// RFC 3339 UTC, server time of the change.
    pub updated_at: String,
    pub updated_by: Option<Uuid>,
    /// Set when the record is deleted (soft delete; clinical data is never removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The HLC of the mutation that made this version.
    pub hlc: Hlc,
    /// The device whose mutation made this version, so a device can recognise its own changes.
    pub origin_device: Option<Uuid>,
    /// That mutation's id.
    pub origin_mutation: Option<Uuid>,
}

/// One page of changes. Apply `changes` and store `next` in one local transaction.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor after this page (unchanged when `changes` is empty).
    pub next: Cursor,
    /// More changes wait after `next`.
    pub has_more: bool,
    pub server_hlc: Hlc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_through_its_query_form() {
        let cursor = Cursor { epoch: Uuid::from_u128(7), seq: 42 };
        assert_eq!(Cursor::from_param(&cursor.to_param()), Some(cursor));
        assert_eq!(Cursor::from_param("not-a-uuid:1"), None);
        assert_eq!(Cursor::from_param("00000000-0000-0000-0000-000000000007"), None);
    }
}
