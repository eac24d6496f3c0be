//! `StrictJson` and `StrictQuery`: request bodies and query strings read strictly (unknown fields refused by the
//! protocol types), with errors that name the offending field (`mutations[3].hlc`) instead of a generic 400.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::AppError;

/// A JSON body of type `T`. Syntax errors answer 400, shape errors (unknown fields, wrong types) 422, and a
/// body over the route's limit 413; all with code `validation` (or `payload_too_large`).
#[derive(Debug, Clone)]
pub struct StrictJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Deserializes `bytes` as `T`, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = (path != ".").then_some(path);
        let message = ["The request does not have the expected shape: ", &inner.to_string()].concat();
        if inner.is_data() { AppError::unprocessable(field, message) } else { AppError::malformed(field, message) }
    })?;
    de.end().map_err(|_| AppError::malformed(None, "The request body has more after its JSON value."))?;
    Ok(value)
}

/// A JSON body not yet parsed: the content type checked and the route's size limit applied (413 beyond it).
/// For handlers that record refused requests themselves (take it as `Result<RawJson, AppError>`).
#[derive(Debug, Clone)]
pub struct RawJson(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<RawJson, AppError> {
        if !is_json(req.headers()) {
            return Err(AppError::malformed(None, "Send the request body as JSON (Content-Type: application/json)."));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::payload_too_large()
            } else {
                AppError::malformed(None, "The request body could not be read.")
            }
        })?;
        Ok(RawJson(bytes))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<StrictJson<T>, AppError> {
        let RawJson(bytes) = RawJson::from_request(req, state).await?;
        parse_json(&bytes).map(StrictJson)
    }
}

/// A query string of type `T`; anything it cannot be read as answers 400 `validation`.
#[derive(Debug, Clone)]
pub struct StrictQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for StrictQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<StrictQuery<T>, AppError> {
        Query::<T>::try_from_uri(&parts.uri).map(|Query(q)| StrictQuery(q)).map_err(|rejection| {
            AppError::malformed(None, ["The address's parameters are not valid: ", &rejection.body_text()].concat())
        })
    }
}
