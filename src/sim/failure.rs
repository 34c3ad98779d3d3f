//! An API refusal: a documented code, its HTTP status, and a message for people.

use crate::zenlayer::codes;

/// A refusal the simulator answers with `{"requestId","code","message"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// Where one action's page documents another status for this code than `http_status`.
    status: Option<u16>,
}

impl Failure {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            status: None,
        }
    }

    /// The same refusal with the status the action's own documentation gives it.
    pub(crate) fn with_status(mut self, status: u16) -> Failure {
        self.status = Some(status);
        self
    }

    pub(crate) fn http_status(&self) -> u16 {
        self.status.unwrap_or_else(|| http_status(self.code))
    }
}

/// The HTTP status the simulator sends with each code. Where Zenlayer's documentation versions
/// disagree, the first version's status is used, except where an action answers otherwise
/// (`Failure::with_status`: AttachNetworkInterface's `OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT`
/// is 400, as its current page lists it); codes with no documented status get the
/// conventional one for their class (401 for signature problems, 400 for parameters).
pub fn http_status(code: &str) -> u16 {
    match code {
        codes::INVALID_NIC_NOT_FOUND
        | codes::INVALID_INSTANCE_NOT_FOUND
        | codes::OPERATION_FAILED_RESOURCE_NOT_FOUND => 404,
        codes::INVALID_NIC_INSTANCE_REGION_MISMATCH
        | codes::INVALID_NIC_PRIMARY_CANT_DETACH
        | codes::INVALID_NIC_LB_ASSOCIATED => 409,
        codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT
        | codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE
        | codes::AUTHFAILURE_UNAUTHORIZED_OPERATION => 403,
        codes::AUTHFAILURE_INVALID_AUTHORIZATION
        | codes::AUTHFAILURE_SIGNATURE_FAILURE
        | codes::AUTHFAILURE_SIGNATURE_EXPIRED => 401,
        codes::REQUEST_LIMIT_EXCEEDED => 429,
        codes::INTERNAL_SERVER_ERROR => 500,
        codes::SERVICE_TEMPORARY_UNAVAILABLE => 503,
        codes::REQUEST_TIMED_OUT => 504,
        _ => 400,
    }
}
