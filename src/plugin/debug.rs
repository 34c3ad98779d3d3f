//! `--debug`: the provider runs on its own (under a debugger, say) and Terraform reattaches to
//! it through `TF_REATTACH_PROVIDERS` instead of starting it.

use std::path::Path;

use serde_json::json;

/// The address Terraform resolves `source = "zenlayer/zenlayer"` to.
pub(crate) const PROVIDER_ADDRESS: &str = "registry.terraform.io/zenlayer/zenlayer";

/// What to show the user: `#` comment lines (debug mode, what the server's plaintext means
/// and who can connect: `owner` is the user ID owning the socket's private directory), then
/// the line to paste into their shell.
///
/// `Test: true` tells Terraform not to own the process: it never calls Shutdown or kills it,
/// so one debug server outlives many Terraform commands.
pub(crate) fn reattach_instructions(socket: &Path, pid: u32, owner: Option<u32>) -> String {
    let config = json!({
        PROVIDER_ADDRESS: {
            "Protocol": "grpc",
            "ProtocolVersion": super::handshake::APP_PROTOCOL,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket.to_string_lossy() },
        }
    });
    // Single-quoted for the shell; a quote inside (from the socket path) is closed, escaped
    // and reopened.
    let quoted = config.to_string().replace('\'', r"'\''");
    let who = match owner {
        Some(uid) => format!("user ID {uid} (you) and root"),
        None => "you and root".to_owned(),
    };
    format!(
        "# Provider serving in debug mode (Ctrl-C stops it).\n\
         # The server is PLAINTEXT: no TLS and no client certificate. Any process running as \
         {who} can connect to {} (its directory is private, mode 0700) and use the provider \
         with the credentials Terraform gives it.\n\
         # Paste this into the shell where you run Terraform:\n\
         export TF_REATTACH_PROVIDERS='{quoted}'",
        socket.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_line_is_terraforms_json_keyed_by_the_provider_address() {
        let text = reattach_instructions(Path::new("/tmp/zenlayer-x/plugin.sock"), 4242, None);
        let mut lines = text.lines();
        let line = lines.by_ref().find(|l| !l.starts_with("# ")).unwrap();
        assert!(lines.next().is_none());
        let json = line
            .strip_prefix("export TF_REATTACH_PROVIDERS='")
            .and_then(|s| s.strip_suffix('\''))
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            value,
            json!({"registry.terraform.io/zenlayer/zenlayer": {
                "Protocol": "grpc", "ProtocolVersion": 5, "Pid": 4242, "Test": true,
                "Addr": {"Network": "unix", "String": "/tmp/zenlayer-x/plugin.sock"}}})
        );
    }

    #[test]
    fn the_banner_says_the_server_is_plaintext_and_who_can_connect() {
        let text = reattach_instructions(Path::new("/tmp/zenlayer-x/plugin.sock"), 1, Some(1000));
        let banner: Vec<&str> = text.lines().filter(|l| l.starts_with("# ")).collect();
        let banner = banner.join("\n");
        for needle in [
            "PLAINTEXT",
            "no TLS",
            "user ID 1000 (you) and root",
            "/tmp/zenlayer-x/plugin.sock",
            "0700",
        ] {
            assert!(banner.contains(needle), "no {needle:?} in:\n{banner}");
        }
    }

    #[test]
    fn a_quote_in_the_socket_path_survives_the_shell() {
        let text = reattach_instructions(Path::new("/tmp/it's/plugin.sock"), 1, None);
        assert!(text.contains(r"/tmp/it'\''s/plugin.sock"), "{text}");
    }
}
