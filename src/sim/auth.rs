//! Request authentication as the API does it: a ZC2-HMAC-SHA256 signature over the received
//! Content-Type, Host and body bytes with a timestamp within five minutes, or a bearer token.
//! Refusals never echo a secret or a signature.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};

use super::failure::Failure;
use crate::zenlayer::codes;
use crate::zenlayer::signer::{self, SigningInput};

/// Largest accepted distance between `X-ZC-Timestamp` and the simulator's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 5 * 60;

/// The credentials the simulator accepts.
#[derive(Clone)]
pub(crate) struct Accepted {
    pub(crate) access_key_id: String,
    pub(crate) access_key_password: String,
    pub(crate) access_token: Option<String>,
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accepted")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_password", &"<redacted>")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Who made an authenticated call, for the log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Caller {
    AccessKey(String),
    Token,
}

fn header(headers: &HeaderMap, name: impl axum::http::header::AsHeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(codes::AUTHFAILURE_INVALID_AUTHORIZATION, message)
}

fn signature_failure(message: impl Into<String>) -> Failure {
    Failure::new(codes::AUTHFAILURE_SIGNATURE_FAILURE, message)
}

/// An optionally signed run of ASCII digits: a number, however large.
fn is_whole_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Checks one request's credentials against `accepted`; `now` is Unix seconds.
pub(crate) fn authenticate(
    accepted: &Accepted,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Caller, Failure> {
    let authorization = header(headers, AUTHORIZATION);
    if authorization.is_empty() {
        return Err(invalid("The Authorization header is missing."));
    }
    if let Some(token) = authorization.strip_prefix("Bearer ") {
        return match &accepted.access_token {
            Some(expected) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
                Ok(Caller::Token)
            }
            _ => Err(signature_failure("The access token is not recognised.")),
        };
    }

    let Some(parsed) = signer::parse_authorization(authorization) else {
        return Err(invalid(format!(
            "The Authorization header is malformed; expected `{} Credential=<AccessKeyId>, SignedHeaders={}, Signature=<hex>` or `Bearer <token>`.",
            signer::ALGORITHM,
            signer::SIGNED_HEADERS
        )));
    };
    if parsed.signed_headers != signer::SIGNED_HEADERS {
        return Err(invalid(format!(
            "SignedHeaders must be `{}`.",
            signer::SIGNED_HEADERS
        )));
    }
    let method = header(headers, "x-zc-signature-method");
    if method != signer::ALGORITHM {
        return Err(invalid(format!(
            "The X-ZC-Signature-Method header must be `{}`.",
            signer::ALGORITHM
        )));
    }
    let expired = || {
        Failure::new(
            codes::AUTHFAILURE_SIGNATURE_EXPIRED,
            "The request timestamp is more than 5 minutes away from the server time; check the clock.",
        )
    };
    let text = header(headers, "x-zc-timestamp");
    let timestamp = match text.parse::<i64>() {
        Ok(timestamp) => timestamp,
        // Whole seconds too many for 64 bits are far from now, not malformed.
        Err(_) if is_whole_number(text) => return Err(expired()),
        Err(_) => {
            return Err(invalid(
                "The X-ZC-Timestamp header must be the Unix time in seconds.",
            ));
        }
    };
    // `abs_diff` cannot overflow, whatever the two values (`now - i64::MIN` would).
    if now.abs_diff(timestamp) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(expired());
    }
    if parsed.credential != accepted.access_key_id {
        return Err(signature_failure(format!(
            "The access key id `{}` is not recognised.",
            parsed.credential
        )));
    }
    let Ok(claimed) = hex::decode(&parsed.signature) else {
        return Err(signature_failure("The signature does not match."));
    };
    let input = SigningInput {
        content_type: header(headers, CONTENT_TYPE),
        host: header(headers, HOST),
        body,
        timestamp,
    };
    if !signer::verify(&accepted.access_key_password, &input, &claimed) {
        return Err(signature_failure(
            "The signature does not match; check the access key password, and that Content-Type, Host and the body reach the server unchanged.",
        ));
    }
    Ok(Caller::AccessKey(parsed.credential))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const NOW: i64 = 1_700_000_000;

    fn accepted() -> Accepted {
        Accepted {
            access_key_id: "id".into(),
            access_key_password: "pw".into(),
            access_token: Some("tok".into()),
        }
    }

    fn signed(body: &[u8], timestamp: i64, password: &str) -> HeaderMap {
        let input = SigningInput {
            content_type: "application/json",
            host: "127.0.0.1:8089",
            body,
            timestamp,
        };
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:8089"));
        h.insert(
            "x-zc-signature-method",
            HeaderValue::from_static(signer::ALGORITHM),
        );
        h.insert("x-zc-timestamp", HeaderValue::from(timestamp));
        let auth = signer::authorization("id", password, &input);
        h.insert(AUTHORIZATION, HeaderValue::from_str(&auth).unwrap());
        h
    }

    fn code(r: Result<Caller, Failure>) -> &'static str {
        r.expect_err("must be refused").code
    }

    #[test]
    fn a_correct_signature_is_accepted() {
        let h = signed(b"{}", NOW - 10, "pw");
        assert_eq!(
            authenticate(&accepted(), &h, b"{}", NOW),
            Ok(Caller::AccessKey("id".into()))
        );
    }

    #[test]
    fn a_changed_body_or_header_breaks_the_signature() {
        let h = signed(b"{}", NOW, "pw");
        assert_eq!(
            code(authenticate(&accepted(), &h, b"{ }", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
        let mut h2 = h.clone();
        h2.insert(HOST, HeaderValue::from_static("localhost:8089"));
        assert_eq!(
            code(authenticate(&accepted(), &h2, b"{}", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
    }

    #[test]
    fn wrong_password_and_unknown_key_are_signature_failures() {
        let h = signed(b"{}", NOW, "wrong");
        assert_eq!(
            code(authenticate(&accepted(), &h, b"{}", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
        let other = Accepted {
            access_key_id: "other".into(),
            ..accepted()
        };
        let h = signed(b"{}", NOW, "pw");
        assert_eq!(
            code(authenticate(&other, &h, b"{}", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
    }

    #[test]
    fn timestamps_more_than_five_minutes_off_are_expired() {
        for ts in [NOW - 301, NOW + 301] {
            let h = signed(b"{}", ts, "pw");
            assert_eq!(
                code(authenticate(&accepted(), &h, b"{}", NOW)),
                codes::AUTHFAILURE_SIGNATURE_EXPIRED
            );
        }
        let h = signed(b"{}", NOW + 300, "pw");
        assert!(authenticate(&accepted(), &h, b"{}", NOW).is_ok());
    }

    #[test]
    fn timestamps_at_the_ends_of_the_range_are_expired_without_overflow() {
        for ts in [i64::MAX, i64::MIN, i64::MIN + 1, -1, 0, NOW * 1000] {
            let h = signed(b"{}", ts, "pw");
            assert_eq!(
                code(authenticate(&accepted(), &h, b"{}", NOW)),
                codes::AUTHFAILURE_SIGNATURE_EXPIRED,
                "{ts}"
            );
            // Whatever the server's clock says.
            for now in [i64::MIN, i64::MAX, 0] {
                if now.abs_diff(ts) > 300 {
                    assert_eq!(
                        code(authenticate(&accepted(), &h, b"{}", now)),
                        codes::AUTHFAILURE_SIGNATURE_EXPIRED,
                        "{ts} at {now}"
                    );
                }
            }
        }
        // Numbers too large for 64 bits are far away too, not malformed.
        for huge in ["99999999999999999999999999", "-99999999999999999999999999"] {
            let mut h = signed(b"{}", NOW, "pw");
            h.insert("x-zc-timestamp", HeaderValue::from_static(huge));
            assert_eq!(
                code(authenticate(&accepted(), &h, b"{}", NOW)),
                codes::AUTHFAILURE_SIGNATURE_EXPIRED,
                "{huge}"
            );
        }
    }

    #[test]
    fn malformed_headers_are_invalid_authorization() {
        let base = signed(b"{}", NOW, "pw");
        type Change = Box<dyn Fn(&mut HeaderMap)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "no Authorization",
                Box::new(|h| {
                    h.remove(AUTHORIZATION);
                }),
            ),
            (
                "garbage Authorization",
                Box::new(|h| {
                    h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
                }),
            ),
            (
                "other signed headers",
                Box::new(|h| {
                    h.insert(
                        AUTHORIZATION,
                        HeaderValue::from_static(
                            "ZC2-HMAC-SHA256 Credential=id, SignedHeaders=host, Signature=00",
                        ),
                    );
                }),
            ),
            (
                "no signature method",
                Box::new(|h| {
                    h.remove("x-zc-signature-method");
                }),
            ),
            (
                "timestamp not a number",
                Box::new(|h| {
                    h.insert("x-zc-timestamp", HeaderValue::from_static("yesterday"));
                }),
            ),
        ];
        for (what, change) in cases {
            let mut h = base.clone();
            change(&mut h);
            assert_eq!(
                code(authenticate(&accepted(), &h, b"{}", NOW)),
                codes::AUTHFAILURE_INVALID_AUTHORIZATION,
                "{what}"
            );
        }
    }

    #[test]
    fn bearer_tokens_must_match_the_configured_one() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer tok"));
        assert_eq!(authenticate(&accepted(), &h, b"{}", NOW), Ok(Caller::Token));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer nope"));
        assert_eq!(
            code(authenticate(&accepted(), &h, b"{}", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
        let no_token = Accepted {
            access_token: None,
            ..accepted()
        };
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer tok"));
        assert_eq!(
            code(authenticate(&no_token, &h, b"{}", NOW)),
            codes::AUTHFAILURE_SIGNATURE_FAILURE
        );
    }
}
