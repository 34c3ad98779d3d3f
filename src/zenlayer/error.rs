use std::fmt;

use crate::untrusted::{quoted, word};

/// A documented error answer from the API: a non-200 status with `code` and `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    /// e.g. `INVALID_NIC_STATUS`; match on this, never on `message`.
    pub code: String,
    pub message: String,
    pub request_id: String,
    /// The credentials the refused request carried, when the client knows (it always does;
    /// unit-test fakes may not). Advice about authentication depends on it.
    pub sent_with: Option<CredentialKind>,
    /// Who sent the refused request, so that with several provider aliases an
    /// authentication error says which one failed. Never holds a secret.
    pub caller: Option<Box<Caller>>,
}

/// The non-secret half of the credentials a request carried, and where it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The access key ID; `None` for an access token.
    pub key_id: Option<String>,
    /// The API domain the request went to.
    pub domain: String,
}

/// Which kind of credentials a request carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// Signed with an access key pair: the request carries this machine's clock.
    AccessKey,
    /// `Authorization: Bearer <token>`: no timestamp, no signature.
    Token,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every field is the API's text: shown by the one rule for outside text, so a hostile
        // answer cannot reach a terminal or a log line raw.
        write!(
            f,
            "{} (HTTP {}): {} [request id {}]",
            word(&self.code),
            self.http_status,
            quoted(&self.message),
            word(&self.request_id)
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
    #[error("{action}: could not reach the Zenlayer API: {message}")]
    Network {
        action: &'static str,
        message: String,
        /// Trying again cannot help: the server's certificate was refused, or the request
        /// could not be built. Waits end at once instead of polling until their timeout.
        lasting: bool,
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
    #[error(
        "{action}: gave up after {attempts} attempt(s): {reason}{}",
        last_text(.last.as_deref())
    )]
    GaveUp {
        action: &'static str,
        attempts: u32,
        /// Why the call ended: its deadline, or Stop.
        reason: GiveUpReason,
        last: Option<Box<Error>>,
    },
}

/// Why a call ended before an answer: a type, so callers match on it instead of on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The caller's deadline (the operation's timeout, or the plan checks' budget) passed.
    Deadline,
    /// Terraform asked the provider to stop.
    Stopped,
}

impl std::fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GiveUpReason::Deadline => "the operation's timeout was reached",
            GiveUpReason::Stopped => "the provider was asked to stop",
        })
    }
}

/// Why `Client::new` refuses its configuration (no request was made); the message names
/// the setting that cannot be put on the wire.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the API client cannot use this configuration: {0}")]
pub struct ConfigError(pub String);

/// What the last attempt met, for a give-up's text: without it a timeout hides the
/// throttling or outage that caused it.
fn last_text(last: Option<&Error>) -> String {
    match last {
        None => String::new(),
        Some(Error::Api { source, .. }) => format!("; the last answer was {source}"),
        Some(Error::UnexpectedResponse {
            http_status, what, ..
        }) => format!("; the last answer was HTTP {http_status} with {what}"),
        Some(Error::Network { message, .. } | Error::OutcomeUnknown { message, .. }) => {
            format!("; the last attempt failed: {message}")
        }
        Some(e @ Error::GaveUp { .. }) => format!("; before that: {e}"),
    }
}

impl Error {
    /// The same error, noting which credentials the request carried if the API refused it.
    pub fn sent_with(mut self, kind: CredentialKind) -> Error {
        if let Error::Api { source, .. } = &mut self {
            source.sent_with = Some(kind);
        }
        self
    }

    /// The same error, noting who sent the request if the API refused it.
    pub fn sent_by(mut self, caller: Caller) -> Error {
        if let Error::Api { source, .. } = &mut self {
            source.caller = Some(Box::new(caller));
        }
        self
    }

    /// The API action the failed call was (for `GaveUp`, the last attempt's).
    pub fn action(&self) -> &'static str {
        match self {
            Error::Api { action, .. }
            | Error::UnexpectedResponse { action, .. }
            | Error::Network { action, .. }
            | Error::OutcomeUnknown { action, .. }
            | Error::GaveUp { action, .. } => action,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn gave_up(last: Option<Error>) -> Error {
        Error::GaveUp {
            action: "DescribeNetworkInterfaces",
            attempts: 3,
            reason: GiveUpReason::Deadline,
            last: last.map(Box::new),
        }
    }

    #[test]
    fn a_give_up_says_what_the_last_attempt_met() {
        let throttled = Error::Api {
            action: "DescribeNetworkInterfaces",
            source: ApiError {
                http_status: 429,
                code: "REQUEST_LIMIT_EXCEEDED".into(),
                message: "Too many requests".into(),
                request_id: "REQ-1".into(),
                sent_with: None,
                caller: None,
            },
        };
        assert_eq!(
            gave_up(Some(throttled)).to_string(),
            "DescribeNetworkInterfaces: gave up after 3 attempt(s): the operation's timeout was \
             reached; the last answer was REQUEST_LIMIT_EXCEEDED (HTTP 429): \"Too many requests\" \
             [request id REQ-1]"
        );
        let reset = Error::Network {
            action: "DescribeNetworkInterfaces",
            message: "connection reset".into(),
            lasting: false,
        };
        assert!(
            gave_up(Some(reset))
                .to_string()
                .ends_with("; the last attempt failed: connection reset")
        );
        assert!(
            gave_up(None)
                .to_string()
                .ends_with("the operation's timeout was reached")
        );
    }
}
