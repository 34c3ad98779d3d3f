//! ZC2-HMAC-SHA256 request signing. The simulator verifies with the same code, and the
//! official Python SDK proves both against the vendor's own implementation in the tests.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The value of `X-ZC-Signature-Method` and the `Authorization` scheme.
pub const ALGORITHM: &str = "ZC2-HMAC-SHA256";

/// The headers covered by the signature, in signing order.
pub const SIGNED_HEADERS: &str = "content-type;host";

/// What a signature covers: the exact header values and body bytes that go on the wire.
#[derive(Clone, Copy, Debug)]
pub struct SigningInput<'a> {
    pub content_type: &'a str,
    pub host: &'a str,
    pub body: &'a [u8],
    /// Unix seconds, as sent in `X-ZC-Timestamp`.
    pub timestamp: i64,
}

/// The canonical request: method, URI `/`, empty query, the two signed headers, payload hash.
pub fn canonical_request(input: &SigningInput<'_>) -> String {
    format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\n{}\n{}",
        input.content_type,
        input.host,
        SIGNED_HEADERS,
        hex::encode(Sha256::digest(input.body)),
    )
}

/// The string the HMAC is computed over.
pub fn string_to_sign(input: &SigningInput<'_>) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}",
        input.timestamp,
        hex::encode(Sha256::digest(canonical_request(input).as_bytes())),
    )
}

/// The lowercase hex signature, keyed by the raw access key password.
pub fn signature(access_key_password: &str, input: &SigningInput<'_>) -> String {
    keyed_mac(access_key_password, input)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// True when `claimed` (the signature's raw bytes) signs `input` with this password; the
/// comparison takes the same time wherever the bytes differ, as a server's must.
pub fn verify(access_key_password: &str, input: &SigningInput<'_>, claimed: &[u8]) -> bool {
    keyed_mac(access_key_password, input).is_some_and(|mac| mac.verify_slice(claimed).is_ok())
}

/// The HMAC over the string to sign. HMAC accepts keys of any length, so this is never None.
fn keyed_mac(access_key_password: &str, input: &SigningInput<'_>) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_password.as_bytes()).ok()?;
    mac.update(string_to_sign(input).as_bytes());
    Some(mac)
}

/// The full `Authorization` header value.
pub fn authorization(
    access_key_id: &str,
    access_key_password: &str,
    input: &SigningInput<'_>,
) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id}, SignedHeaders={SIGNED_HEADERS}, Signature={}",
        signature(access_key_password, input)
    )
}

/// The parts of a ZC2 `Authorization` header, as the server reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub credential: String,
    pub signed_headers: String,
    pub signature: String,
}

/// Parses `ZC2-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; None if malformed.
pub fn parse_authorization(header: &str) -> Option<ParsedAuthorization> {
    let rest = header.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v.to_owned()),
            "SignedHeaders" => signed_headers = Some(v.to_owned()),
            "Signature" => signature = Some(v.to_owned()),
            _ => return None,
        }
    }
    Some(ParsedAuthorization {
        credential: credential?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Zenlayer's signing documentation.
    fn doc_example() -> SigningInput<'static> {
        SigningInput {
            content_type: "application/json; charset=utf-8",
            host: "console.zenlayer.com",
            body: br#"{"pageSize":10,"pageNum":1,"zoneId":"HKG-A"}"#,
            timestamp: 1673361177,
        }
    }

    #[test]
    fn documented_example_signature_matches() {
        let input = doc_example();
        assert_eq!(
            hex::encode(Sha256::digest(input.body)),
            "5f714687ba91c606d503467766151206392474accd137ffea6dce2420b67c29a"
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical_request(&input).as_bytes())),
            "29396f9dfa0f03820b931e8aa06e20cda197e73285ebd76aceb83f7dede493ee"
        );
        assert_eq!(
            signature("Gu5t9xGARNpq86cd98joQYCN3", &input),
            "efb356c32e55c781e10dc676da59462c22596d82e91c57803666243379555b2f"
        );
    }

    #[test]
    fn content_type_is_part_of_the_signature() {
        let input = SigningInput {
            content_type: "application/json",
            ..doc_example()
        };
        assert!(signature("Gu5t9xGARNpq86cd98joQYCN3", &input).starts_with("9fdd5117"));
    }

    #[test]
    fn authorization_header_round_trips_through_the_parser() {
        let header = authorization("AKID", "pw", &doc_example());
        let parsed = parse_authorization(&header).expect("well-formed header");
        assert_eq!(parsed.credential, "AKID");
        assert_eq!(parsed.signed_headers, SIGNED_HEADERS);
        assert_eq!(parsed.signature, signature("pw", &doc_example()));
    }

    #[test]
    fn malformed_authorization_headers_are_rejected() {
        for h in [
            "",
            "Bearer x",
            "ZC2-HMAC-SHA256",
            "ZC2-HMAC-SHA256 Credential=a",
            "ZC2-HMAC-SHA256 Foo=1, Credential=a, SignedHeaders=b, Signature=c",
        ] {
            assert_eq!(parse_authorization(h), None, "{h:?}");
        }
    }
}
