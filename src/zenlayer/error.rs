use std::fmt;

/// A documented error answer from the API: a non-200 status with `code` and `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    /// e.g. `INVALID_NIC_STATUS`; match on this, never on `message`.
    pub code: String,
    pub message: String,
    pub request_id: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (HTTP {}): {} [request id {}]",
            self.code, self.http_status, self.message, self.request_id
        )
    }
}

impl std::error::Error for ApiError {}

/// Why a call to the Zenlayer API did not produce its documented success answer.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// The API refused the call with a documented error code.
    #[error("{action}: {source}")]
    Api {
        action: &'static str,
        source: ApiError,
    },
    /// Something answered, but not with the API's JSON (a proxy page, a block, a cut-off body).
    #[error("{action}: unexpected answer (HTTP {http_status}): {what}")]
    UnexpectedResponse {
        action: &'static str,
        http_status: u16,
        /// What came back, in words, e.g. "an HTML page titled \"Bad Gateway\"".
        what: String,
    },
    /// No answer, and the request certainly changed nothing (connect failed, or a read).
    /// `Client::new` also uses it, with action [`CONFIGURATION`], for settings that cannot be
    /// put on the wire.
    #[error("{}", network_text(.action, .message))]
    Network {
        action: &'static str,
        message: String,
    },
    /// A write was sent but its answer was lost: it may or may not have taken effect.
    /// Never resent blindly; the caller reconciles by reading.
    #[error(
        "{action}: the request was sent but its answer was lost ({message}); it may have taken effect"
    )]
    OutcomeUnknown {
        action: &'static str,
        message: String,
    },
    /// The caller's deadline passed, or Terraform asked the provider to stop.
    #[error("{action}: gave up after {attempts} attempt(s): {reason}")]
    GaveUp {
        action: &'static str,
        attempts: u32,
        /// e.g. "the operation's timeout was reached" or "Terraform asked the provider to stop".
        reason: String,
        last: Option<Box<Error>>,
    },
}

/// `Error::Network`'s action when the client refuses its configuration.
pub const CONFIGURATION: &str = "configuration";

fn network_text(action: &str, message: &str) -> String {
    if action == CONFIGURATION {
        format!("the API client cannot use this configuration: {message}")
    } else {
        format!("{action}: could not reach the Zenlayer API: {message}")
    }
}

impl Error {
    /// The API error code, when the API answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { source, .. } => Some(&source.code),
            Error::GaveUp { last: Some(e), .. } => e.code(),
            _ => None,
        }
    }

    /// The documented API error, when there is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api { source, .. } => Some(source),
            Error::GaveUp { last: Some(e), .. } => e.api_error(),
            _ => None,
        }
    }
}
