//! The one error type of the HTTP layer, and the error envelope every failure answers with:
//! `{"type":"error","error":{"type":…,"message":…}}`.
//!
//! 4xx messages say what to fix. 5xx bodies are generic ("internal server error"); the details
//! go to the log with the request id, never to the client.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use lucid_storage::StorageError;
use serde::Serialize;

/// A failed request: the status, `retry-after` and envelope it answers with. Built by the
/// constructors below or from a `StorageError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status answered.
    pub status: StatusCode,
    /// The envelope's `error.type`, one of those [`ErrorBody::kind`] lists, matching the status.
    pub kind: &'static str,
    /// The envelope's `error.message`: what to fix for a 4xx, `internal server error` for a 5xx.
    pub message: String,
    /// Seconds to wait before retrying (`retry-after`), for 429s and 503s.
    pub retry_after: Option<u64>,
}

/// The error envelope (also the OpenAPI schema of every error response).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    /// Always `error`.
    #[serde(rename = "type")]
    pub object: &'static str,
    /// The error's type and message.
    pub error: ErrorBody,
}

/// The `error` object of an error envelope.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `invalid_request_error`, `authentication_error`, `permission_error`, `not_found_error`,
    /// `conflict_error`, `request_too_large`, `rate_limit_error`, `overloaded_error`,
    /// `api_error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What went wrong and, for a 4xx, what to fix; 5xx messages are generic.
    pub message: String,
}

impl ApiError {
    /// An error with this status and `error.type`, without `retry-after`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A 429 (`rate_limit_error`) with `retry-after`: the official SDKs wait and retry it.
    pub fn rate_limited(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limit_error", message);
        // Whole seconds, rounded up: a client retrying sooner would only be refused again.
        let millis = retry_after.as_millis();
        error.retry_after = Some(
            u64::try_from(millis.div_ceil(1000))
                .unwrap_or(u64::MAX)
                .max(1),
        );
        error
    }

    /// A 400 `invalid_request_error`: the request is malformed or breaks a rule.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// A 404 `not_found_error`; the message names what is missing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found_error", message)
    }

    /// A 409 `conflict_error`: the request clashes with the current state (a taken path, a failed
    /// precondition, a store in use …).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict_error", message)
    }

    /// A 401 `authentication_error`: no API key where one is needed, or an unknown one.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
    }

    /// A 403 `permission_error`: the key may not act in the workspace the request names.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "permission_error", message)
    }

    /// A 413 `request_too_large`; the message names the limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", message)
    }

    /// A server-side failure: logged in full, answered generically.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "internal server error",
        )
    }

    /// The envelope as JSON (also used for SSE `error` events).
    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            object: "error",
            error: ErrorBody {
                kind: self.kind,
                message: self.message.clone(),
            },
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound { kind, id } => {
                ApiError::not_found(format!("{kind} {id} not found"))
            }
            StorageError::Conflict(message) => ApiError::conflict(message),
            StorageError::Invalid(message) => ApiError::invalid(message),
            StorageError::Backend(detail) => ApiError::internal(detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.envelope())).into_response();
        if let Some(seconds) = self.retry_after {
            // A 429 does get better by waiting: let the SDK retry it after `retry-after`.
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
            response
                .headers_mut()
                .insert("x-should-retry", HeaderValue::from_static("true"));
        } else if self.status.is_client_error() {
            // The Anthropic SDK retries 409s by default; a lucid 4xx never gets better by
            // retrying, so say so.
            response
                .headers_mut()
                .insert("x-should-retry", HeaderValue::from_static("false"));
        }
        response
    }
}

/// What handlers and helpers return: the value, or the error the client gets.
pub type ApiResult<T> = Result<T, ApiError>;
