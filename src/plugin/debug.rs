//! `--debug`: the provider runs on its own (under a debugger, say) and Terraform reattaches to
//! it through `TF_REATTACH_PROVIDERS` instead of starting it.

use std::path::Path;

use serde_json::json;

/// The address Terraform resolves `source = "zenlayer/zenlayer"` to.
pub(crate) const PROVIDER_ADDRESS: &str = "registry.terraform.io/zenlayer/zenlayer";

/// What to show the user: a one-line hint, then the line to paste into their shell.
///
/// `Test: true` tells Terraform not to own the process: it never calls Shutdown or kills it,
/// so one debug server outlives many Terraform commands.
pub(crate) fn reattach_instructions(socket: &Path, pid: u32) -> String {
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
    format!(
        "# Provider serving in debug mode (Ctrl-C stops it). Paste this into the shell where you run Terraform:\n\
         export TF_REATTACH_PROVIDERS='{quoted}'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_line_is_terraforms_json_keyed_by_the_provider_address() {
        let text = reattach_instructions(Path::new("/tmp/zenlayer-x/plugin.sock"), 4242);
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("# "));
        let line = lines.next().unwrap();
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
    fn a_quote_in_the_socket_path_survives_the_shell() {
        let text = reattach_instructions(Path::new("/tmp/it's/plugin.sock"), 1);
        assert!(text.contains(r"/tmp/it'\''s/plugin.sock"), "{text}");
    }
}
