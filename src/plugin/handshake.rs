//! go-plugin's start-up contract: the magic cookie, protocol negotiation and the one line on
//! stdout that tells Terraform where and how to connect.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::error::PluginError;

/// The variable go-plugin sets so a plugin can tell it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's fixed cookie value (the same for every provider).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version, the first handshake field.
const CORE_PROTOCOL: u32 = 1;
/// The tfplugin major version this provider serves.
pub(crate) const APP_PROTOCOL: u32 = 5;

/// Whether `cookie` (the value of [`MAGIC_COOKIE_KEY`]) shows Terraform started us.
pub(crate) fn started_by_terraform(cookie: Option<&str>) -> bool {
    cookie == Some(MAGIC_COOKIE_VALUE)
}

/// Accepts `PLUGIN_PROTOCOL_VERSIONS` when it offers protocol 5 ("5,6", "6,5", …); absent
/// means 5.
///
/// Entries that are not numbers are skipped, as go-plugin does, so that one odd entry cannot
/// hide a usable version.
pub(crate) fn negotiate(offered: Option<&str>) -> Result<(), PluginError> {
    let Some(list) = offered.filter(|s| !s.trim().is_empty()) else {
        return Ok(());
    };
    let speaks_ours = list
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == APP_PROTOCOL);
    if speaks_ours {
        Ok(())
    } else {
        Err(PluginError::UnsupportedProtocol {
            offered: list.to_owned(),
        })
    }
}

/// `1|5|unix|<socket>|grpc|<cert>`: what go-plugin's client parses to connect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HandshakeLine<'a> {
    pub(crate) socket: &'a Path,
    /// DER of the server certificate; `None` when serving plaintext (the field stays, empty).
    pub(crate) server_cert: Option<&'a [u8]>,
}

impl HandshakeLine<'_> {
    /// Refuses socket paths that would split the `|`-separated line or end it early.
    pub(crate) fn check(&self) -> Result<(), PluginError> {
        let path = self.socket.to_string_lossy();
        if path.contains(['|', '\n', '\r']) {
            return Err(PluginError::UnannounceablePath {
                path: self.socket.to_owned(),
            });
        }
        Ok(())
    }
}

impl fmt::Display for HandshakeLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go decodes the cert with RawStdEncoding: padding makes TF 1.11 reject it.
        let cert = self
            .server_cert
            .map(|der| STANDARD_NO_PAD.encode(der))
            .unwrap_or_default();
        write!(
            f,
            "{CORE_PROTOCOL}|{APP_PROTOCOL}|unix|{}|grpc|{cert}",
            self.socket.display()
        )
    }
}

/// Writes `text` and a newline to stdout and flushes: the plugin's only stdout writer.
pub(crate) fn announce(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_line_has_go_plugin_field_order_and_unpadded_standard_base64() {
        // 4 bytes encode to 6 characters plus "==" with padding; "+" and "/" prove the
        // standard (not URL-safe) alphabet.
        let der = [0xfb, 0xff, 0xbf, 0x01];
        let line = HandshakeLine {
            socket: Path::new("/tmp/zenlayer-abc/plugin.sock"),
            server_cert: Some(&der),
        };
        assert_eq!(
            line.to_string(),
            "1|5|unix|/tmp/zenlayer-abc/plugin.sock|grpc|+/+/AQ"
        );
    }

    #[test]
    fn plaintext_handshake_line_keeps_an_empty_cert_field() {
        let line = HandshakeLine {
            socket: Path::new("/tmp/s/plugin.sock"),
            server_cert: None,
        };
        assert_eq!(line.to_string(), "1|5|unix|/tmp/s/plugin.sock|grpc|");
    }

    #[test]
    fn handshake_line_is_one_line_without_a_trailing_newline_of_its_own() {
        let der = vec![7u8; 600];
        let line = HandshakeLine {
            socket: Path::new("/tmp/s/plugin.sock"),
            server_cert: Some(&der),
        }
        .to_string();
        assert!(!line.contains('\n') && !line.contains('='));
        assert_eq!(line.split('|').count(), 6);
        assert_eq!(
            STANDARD_NO_PAD
                .decode(line.rsplit('|').next().unwrap())
                .unwrap(),
            der
        );
    }

    #[test]
    fn socket_paths_that_would_break_the_line_are_refused() {
        for bad in ["/tmp/a|b/plugin.sock", "/tmp/a\nb/plugin.sock"] {
            let line = HandshakeLine {
                socket: Path::new(bad),
                server_cert: None,
            };
            assert!(matches!(
                line.check(),
                Err(PluginError::UnannounceablePath { .. })
            ));
        }
    }

    #[test]
    fn protocol_5_is_chosen_whenever_offered() {
        let table: &[(Option<&str>, bool)] = &[
            (None, true),
            (Some(""), true),
            (Some("5"), true),
            (Some("5,6"), true),
            (Some("6,5"), true),
            (Some(" 6 , 5 "), true),
            (Some("4,5,6"), true),
            (Some("x,5"), true),
            (Some("6"), false),
            (Some("4,6"), false),
            (Some("x"), false),
            (Some("55"), false),
        ];
        for (offered, want) in table {
            let got = negotiate(*offered).is_ok();
            assert_eq!(got, *want, "PLUGIN_PROTOCOL_VERSIONS={offered:?}");
        }
    }

    #[test]
    fn unsupported_protocol_error_names_the_offer_and_the_fix() {
        let err = negotiate(Some("6")).unwrap_err().to_string();
        assert!(
            err.contains("\"6\"") && err.contains("only version 5"),
            "{err}"
        );
    }

    #[test]
    fn only_terraforms_cookie_counts_as_started_by_terraform() {
        assert!(started_by_terraform(Some(MAGIC_COOKIE_VALUE)));
        assert!(!started_by_terraform(None));
        assert!(!started_by_terraform(Some("")));
        assert!(!started_by_terraform(Some("d602bf8f")));
    }
}
