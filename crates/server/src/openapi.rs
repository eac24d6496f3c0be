//! The OpenAPI document of `/v1`, generated from the handlers' annotations and the protocol types. It is
//! served at `GET /v1/openapi.json` and committed as `crates/server/openapi.json` (a test fails on drift).

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers;

/// Adds the device credential scheme: `Authorization: Bearer <device uuid>.<secret>`.
#[derive(Debug)]
struct DeviceCredential;

impl Modify for DeviceCredential {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("The device credential from enrollment: `<device uuid>.<secret>`".into());
        components.add_security_scheme("device", SecurityScheme::Http(scheme));
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Clinic Desk server",
        description = "Device enrollment and offline-first sync (push, pull, bootstrap) for Clinic Desk. Errors carry `{code, message, field?}` with a closed set of codes.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        handlers::enroll::enroll,
        handlers::push::push,
        handlers::pull::pull,
        handlers::bootstrap::bootstrap,
        handlers::calendar::export_feed,
        handlers::operations::check_health,
        handlers::operations::export_metrics,
        handlers::operations::describe_api,
    ),
    components(schemas(
        clinic_protocol::ApiError,
        clinic_protocol::ApiErrorCode,
        clinic_protocol::review::ReviewItem,
        clinic_protocol::review::ResolveArgs,
    )),
    modifiers(&DeviceCredential),
    tags(
        (name = "devices", description = "Enrollment"),
        (name = "sync", description = "Push, pull and bootstrap"),
        (name = "calendar", description = "Calendar subscription feeds (the token in the address is the credential)"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
