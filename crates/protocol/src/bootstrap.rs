//! Bootstrap: a new device's first download of a clinic's current records, resumable page by page.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::pull::{Change, Cursor};

/// `GET /v1/bootstrap?snapshot=…&after_entity=…&after_id=…&limit=…`.
///
/// The first page is asked for without `snapshot`; the server answers with the change sequence the
/// snapshot starts from. Later pages pass it back, with the last `(entity, entity_id)` received, so the
/// download resumes where it stopped after a crash or a cut. When the last page has arrived the client
/// pulls from `snapshot` to pick up what changed meanwhile.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapQuery {
    /// The snapshot the first page returned, written `<epoch>:<seq>` in the query string
    /// ([`Cursor::to_param`]) so the whole query stays flat.
    #[serde(default, with = "crate::pull::cursor_param")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, example = "0190f3a0-7c1e-7000-8000-000000000000:42"))]
    pub snapshot: Option<Cursor>,
    #[serde(default)]
    pub after_entity: Option<String>,
    #[serde(default)]
    pub after_id: Option<Uuid>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of current records, in `(entity, entity_id)` order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapPage {
    /// The cursor to pull from once every page is in.
    pub snapshot: Cursor,
    pub records: Vec<Change>,
    /// More pages follow; ask again after the last record of this one.
    pub has_more: bool,
}
