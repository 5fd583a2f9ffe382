//! Extractors whose every rejection is an [`ApiError`] with the envelope: JSON bodies, query
//! strings (with the SDK's `name[]=…` lists and `created_at[gt]=…` bounds), path ids, and the
//! caller's identity.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use lucid_storage::{PageRequest, TimeRange, ids};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::{AppState, AuthMode, Caller};

/// A JSON request body. An empty body reads as `{}`; bad JSON, wrong types and missing fields
/// are 400s that say what is wrong; a body over the limit is 413.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(Body)
            .map_err(|error| ApiError::invalid(format!("invalid request body: {error}")))
    }
}

pub(crate) fn body_rejection(rejection: BytesRejection) -> ApiError {
    let status = rejection.status();
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the request body is larger than this server accepts")
    } else if status.is_client_error() {
        ApiError::invalid(format!("cannot read the request body: {rejection}"))
    } else {
        ApiError::internal(format!("reading a request body: {rejection}"))
    }
}

/// The raw bytes of a request body (transcript uploads).
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(body_rejection)
    }
}

/// The query string as ordered pairs, read leniently: unknown parameters are ignored, known
/// ones are validated by the accessors (a bad value is a 400 naming the parameter).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Params {
    /// The last value of `name` (or `name[]`).
    pub fn str(&self, name: &str) -> Option<&str> {
        let bracketed = format!("{name}[]");
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name || *k == bracketed)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every value of `name`, `name[]` or `name[N]`, comma lists split.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| {
                k == name
                    || k.strip_prefix(name)
                        .and_then(|rest| rest.strip_prefix('['))
                        .and_then(|rest| rest.strip_suffix(']'))
                        .is_some_and(|inner| inner.chars().all(|c| c.is_ascii_digit()))
            })
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The whole number `name`, `None` when absent; a 400 naming it when it is not a number from
    /// `min` to `max`.
    pub fn usize(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, ApiError> {
        match self.str(name) {
            None => Ok(None),
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::invalid(format!(
                    "{name} must be an integer from {min} to {max}, not {text:?}"
                ))),
            },
        }
    }

    /// The flag `name` (`true`, `false`, `1` or `0`, any case), `None` when absent; anything else
    /// is a 400.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.str(name) {
            None => Ok(None),
            Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(ApiError::invalid(format!(
                    "{name} must be true or false, not {text:?}"
                ))),
            },
        }
    }

    /// The time `name` in canonical form (RFC 3339, a date-time without offset taken as UTC, or a
    /// bare date), `None` when absent; anything else is a 400.
    pub fn time(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.str(name) {
            None => Ok(None),
            Some(text) => ids::parse_time(text).map(Some).ok_or_else(|| {
                ApiError::invalid(format!("{name} must be an RFC 3339 time, not {text:?}"))
            }),
        }
    }

    /// `field[gt]`, `field[gte]`, `field[lt]`, `field[lte]` (also `field_gt` …).
    pub fn time_range(&self, field: &str) -> Result<TimeRange, ApiError> {
        let bound = |op: &str| -> Result<Option<String>, ApiError> {
            match self.time(&format!("{field}[{op}]"))? {
                Some(t) => Ok(Some(t)),
                None => self.time(&format!("{field}_{op}")),
            }
        };
        Ok(TimeRange {
            gt: bound("gt")?,
            gte: bound("gte")?,
            lt: bound("lt")?,
            lte: bound("lte")?,
        })
    }

    /// `limit` (1–100, default 20) and `page`.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            limit: self.usize("limit", 1, 100)?.unwrap_or(20),
            page: self.str("page").map(str::to_string),
        })
    }

    /// `view=basic|full`, with the route's default.
    pub fn full_view(&self, default_full: bool) -> Result<bool, ApiError> {
        match self.str("view") {
            None => Ok(default_full),
            Some("full") => Ok(true),
            Some("basic") => Ok(false),
            Some(other) => Err(ApiError::invalid(format!(
                "view must be basic or full, not {other:?}"
            ))),
        }
    }

    /// `order=asc|desc`.
    pub fn order(&self, default: lucid_storage::Order) -> Result<lucid_storage::Order, ApiError> {
        match self.str("order") {
            None => Ok(default),
            Some("asc") => Ok(lucid_storage::Order::Asc),
            Some("desc") => Ok(lucid_storage::Order::Desc),
            Some(other) => Err(ApiError::invalid(format!(
                "order must be asc or desc, not {other:?}"
            ))),
        }
    }
}

/// Path parameters, with bad percent-encoding as a 400 instead of axum's plain-text reply.
pub struct Ids<T>(pub T);

impl<T, S> FromRequestParts<S> for Ids<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Ids(value))
            .map_err(|rejection| ApiError::invalid(format!("bad path: {rejection}")))
    }
}

/// The API key a request presents (`x-api-key`, else `Authorization: Bearer`), if any.
pub(crate) fn presented_key(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or_else(|| {
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let key = presented_key(headers);
        let mode = state.current_auth().await?;
        let caller = match (key, &mode) {
            (Some(key), AuthMode::Keys) => state.caller_for_key(key).await?.ok_or_else(|| {
                ApiError::unauthenticated("invalid API key (create one with `lucid keys create`)")
            })?,
            // Without configured keys any key is accepted (SDKs always send one); a real key
            // still selects its own workspace.
            (Some(key), AuthMode::Open { workspace_id }) => {
                match state.caller_for_key(key).await? {
                    Some(caller) => caller,
                    None => Caller {
                        workspace_id: workspace_id.clone(),
                        api_key_id: None,
                    },
                }
            }
            (None, AuthMode::Keys) => {
                return Err(ApiError::unauthenticated(
                    "missing API key: send it in the x-api-key header or as Authorization: \
                     Bearer",
                ));
            }
            (None, AuthMode::Open { workspace_id }) => Caller {
                workspace_id: workspace_id.clone(),
                api_key_id: None,
            },
        };
        // A workspace named by header must be the key's own.
        if let Some(named) = headers
            .get("anthropic-workspace-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            && named != caller.workspace_id
        {
            return Err(ApiError::forbidden(format!(
                "this key belongs to workspace {}, not {named}",
                caller.workspace_id
            )));
        }
        Ok(caller)
    }
}
