//! A stand-in for the Zenlayer API whose words are hostile: every text it sends (error codes,
//! messages, request ids, or the states, regions and zones of its objects) clears the screen,
//! sets the terminal title, slips in a fake "Apply complete!" line after a line break, hides a
//! bidirectional override and a C1 control, and runs on for 3,000 characters. Scenarios point
//! the provider's `domain` at it and check what the user sees.

use axum::http::StatusCode;
use serde_json::json;

use super::scripted_api::ScriptedApi;

/// The fake line the hostile text tries to print on a line of its own.
pub const FAKE_LINE: &str = "Apply complete! Resources: 9 added, 0 changed, 0 destroyed.";

/// The text every hostile field carries: escape sequences, a fake success line after a line
/// break, a bidi override and a C1 control, then 3,000 characters of padding.
pub fn hostile_text() -> String {
    format!(
        "\u{1b}[2J\u{1b}]0;pwned\u{7}boom\n{FAKE_LINE}\r\n\u{202e}gnp.exe\u{9b}31m{}",
        "A".repeat(3000)
    )
}

/// Where the hostile text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// Every call is refused (HTTP 400) with a hostile `code`, `message` and `requestId`.
    ErrorCode,
    /// Every call is refused with the documented `AUTHFAILURE_SIGNATURE_EXPIRED`, its `message`
    /// and `requestId` hostile: the catalogue's message at plan and at apply.
    ErrorMessage,
    /// Describe answers are well formed but the NIC's and instance's `status`, the NIC's
    /// `instanceId` and `regionId`, and the instance's `zoneId` (and so its region) are
    /// hostile; attaches are accepted with a hostile `requestId`.
    StatusFields,
}

impl Hostile {
    /// Every kind, for table-driven scenarios.
    pub const ALL: [Hostile; 3] = [
        Hostile::ErrorCode,
        Hostile::ErrorMessage,
        Hostile::StatusFields,
    ];

    fn answer(self, action: &str) -> (StatusCode, String) {
        let h = hostile_text();
        let refusal = |code: &str| {
            (
                StatusCode::BAD_REQUEST,
                json!({"code": code, "message": h, "requestId": h}).to_string(),
            )
        };
        match self {
            Hostile::ErrorCode => refusal(&h),
            Hostile::ErrorMessage => refusal("AUTHFAILURE_SIGNATURE_EXPIRED"),
            Hostile::StatusFields => {
                let response = match action {
                    "DescribeZones" => json!({"requestId": h, "zoneSet": [
                        {"zoneId": h, "regionId": h}
                    ]}),
                    "DescribeInstances" => json!({"requestId": h, "totalCount": 1, "dataSet": [
                        {"instanceId": "ins-web-1", "zoneId": h, "status": h}
                    ]}),
                    "DescribeNetworkInterfaces" => {
                        json!({"requestId": h, "totalCount": 1, "dataSet": [
                            {"nicId": "nic-app-1", "regionId": h, "status": h,
                             "nicType": "Secondary", "instanceId": h}
                        ]})
                    }
                    _ => json!({"requestId": h}),
                };
                (
                    StatusCode::OK,
                    json!({"requestId": h, "response": response}).to_string(),
                )
            }
        }
    }
}

/// A running hostile API; stops when dropped.
pub type HostileApi = ScriptedApi;

impl Hostile {
    /// Serves hostile answers to every call on 127.0.0.1 (a free port), on its own thread.
    pub fn serve(self) -> HostileApi {
        ScriptedApi::start(move |action| {
            let (status, body) = self.answer(action);
            (status, "application/json", body.into_bytes())
        })
    }
}
