//! The provider binary as go-plugin's client sees it: started with Terraform's environment,
//! it announces itself, serves only Terraform's certificate, and goes away when told to.

mod support;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::PROVIDER_BIN;
use support::go_plugin::{self, ClientAuth, Handshake, Launched, TerraformCert, provider_command};

/// go-plugin waits this long after Shutdown before it SIGKILLs a provider.
const TERRAFORMS_PATIENCE: Duration = Duration::from_secs(2);

/// gRPC health's SERVING.
const SERVING: i32 = 1;

fn start_with_tls(cert: &TerraformCert, socket_dir: &Path) -> Launched {
    let mut command = provider_command(Path::new(PROVIDER_BIN), "6,5", Some(cert));
    command.env("PLUGIN_UNIX_SOCKET_DIR", socket_dir);
    Launched::start(command)
}

#[tokio::test]
async fn handshake_announces_protocol_5_on_a_unix_socket_with_an_unpadded_server_cert() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let provider = start_with_tls(&cert, base.path());

    let hs = &provider.handshake;
    assert_eq!((hs.core, hs.app), (1, 5));
    assert_eq!(hs.network, "unix");
    assert_eq!(hs.protocol, "grpc");
    assert!(
        hs.address.starts_with(base.path()),
        "{}",
        hs.address.display()
    );
    assert!(hs.server_cert.as_ref().is_some_and(|der| der.len() > 50));
}

#[tokio::test]
async fn terraforms_certificate_gets_served_and_health_reports_plugin_serving() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());

    assert_serves_then_shuts_down(&mut provider, ClientAuth::Cert(&cert)).await;
}

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());

    let refused = match go_plugin::connect(&provider.handshake, ClientAuth::NoCert).await {
        Ok(channel) => go_plugin::health(channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a client without a certificate was served");
    assert_provider_logged_a_refusal(&mut provider, "peer sent no certificates");
}

#[tokio::test]
async fn a_client_with_another_terraform_like_certificate_is_refused() {
    let cert = TerraformCert::generate();
    let stranger = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());

    let refused = match go_plugin::connect(&provider.handshake, ClientAuth::Cert(&stranger)).await {
        Ok(channel) => go_plugin::health(channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a client with the wrong certificate was served");
    assert_provider_logged_a_refusal(&mut provider, "ApplicationVerificationFailure");
}

/// Stops the provider and checks its stderr holds an hclog warning naming `reason`.
/// The client `auth` gets a SERVING health answer, and Shutdown ends the process cleanly.
async fn assert_serves_then_shuts_down(provider: &mut Launched, auth: ClientAuth<'_>) {
    let channel = go_plugin::connect(&provider.handshake, auth)
        .await
        .expect("connect to the provider");
    assert_eq!(
        go_plugin::health(channel.clone())
            .await
            .expect("health check"),
        SERVING
    );
    go_plugin::shutdown(channel).await.expect("Shutdown RPC");
    assert!(
        provider
            .wait_for_exit(TERRAFORMS_PATIENCE)
            .expect("the provider exits after Shutdown")
            .success()
    );
}

fn assert_provider_logged_a_refusal(provider: &mut Launched, reason: &str) {
    provider.signal("TERM");
    provider
        .wait_for_exit(TERRAFORMS_PATIENCE)
        .expect("the provider exits on SIGTERM");
    let stderr = provider.stderr();
    let refusal = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["@message"] == "refused a connection: TLS handshake failed")
        .unwrap_or_else(|| panic!("no refusal logged; stderr:\n{stderr}"));
    assert_eq!(refusal["@level"], "warn");
    let error = refusal["error"]
        .as_str()
        .expect("the refusal names its error");
    assert!(error.contains(reason), "{refusal}");
}

#[tokio::test]
async fn socket_dir_is_private_while_serving_and_gone_after_shutdown() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());
    let socket_dir = provider.handshake.address.parent().unwrap().to_owned();

    let mode = std::fs::metadata(&socket_dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "socket dir mode {mode:o}");

    let channel = go_plugin::connect(&provider.handshake, ClientAuth::Cert(&cert))
        .await
        .unwrap();
    go_plugin::shutdown(channel).await.unwrap();
    let status = provider.wait_for_exit(TERRAFORMS_PATIENCE);
    assert!(
        status.is_some_and(|s| s.code() == Some(0)),
        "not exited with 0 within 2 s of Shutdown: {status:?}"
    );
    assert!(!socket_dir.exists(), "{} left behind", socket_dir.display());
}

#[tokio::test]
async fn stdout_holds_exactly_the_handshake_line() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());

    let channel = go_plugin::connect(&provider.handshake, ClientAuth::Cert(&cert))
        .await
        .unwrap();
    go_plugin::health(channel.clone()).await.unwrap();
    go_plugin::shutdown(channel).await.unwrap();
    provider.wait_for_exit(TERRAFORMS_PATIENCE).unwrap();

    let mut rest = String::new();
    provider.stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "stdout after the handshake line");
    assert_eq!(provider.line.matches('\n').count(), 1);
}

#[tokio::test]
async fn sigterm_removes_the_socket_dir_and_exits_0() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());
    let socket_dir = provider.handshake.address.parent().unwrap().to_owned();

    provider.signal("TERM");
    let status = provider.wait_for_exit(TERRAFORMS_PATIENCE).unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!socket_dir.exists());
}

#[tokio::test]
async fn sigint_is_ignored_because_terraform_sends_stop_instead() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut provider = start_with_tls(&cert, base.path());

    provider.signal("INT");
    assert!(
        provider.wait_for_exit(Duration::from_millis(300)).is_none(),
        "SIGINT stopped it"
    );
    assert_serves_then_shuts_down(&mut provider, ClientAuth::Cert(&cert)).await;
}

#[tokio::test]
async fn without_plugin_client_cert_it_serves_plaintext_with_an_empty_cert_field() {
    let base = tempfile::tempdir().unwrap();
    let mut command = provider_command(Path::new(PROVIDER_BIN), "5", None);
    command.env("PLUGIN_UNIX_SOCKET_DIR", base.path());
    let mut provider = Launched::start(command);

    assert!(provider.line.ends_with("|grpc|\n"), "{:?}", provider.line);
    assert_eq!(provider.handshake.server_cert, None);
    assert_serves_then_shuts_down(&mut provider, ClientAuth::Plaintext).await;
}

#[tokio::test]
async fn with_tf_log_debug_stderr_carries_hclog_json_lines() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    let mut command = provider_command(Path::new(PROVIDER_BIN), "5", Some(&cert));
    command
        .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
        .env("TF_LOG", "DEBUG");
    let mut provider = Launched::start(command);

    let channel = go_plugin::connect(&provider.handshake, ClientAuth::Cert(&cert))
        .await
        .unwrap();
    go_plugin::shutdown(channel).await.unwrap();
    provider.wait_for_exit(TERRAFORMS_PATIENCE).unwrap();

    let stderr = provider.stderr();
    let line: serde_json::Value = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .find(|l: &serde_json::Value| l["@message"] == "Terraform asked the provider to shut down")
        .unwrap_or_else(|| panic!("no shutdown line in:\n{stderr}"));
    assert_eq!(line["@level"], "debug");
    assert_eq!(line["@module"], "zenlayer");
    assert!(
        !stderr.contains("BEGIN CERTIFICATE"),
        "a certificate reached the log"
    );
}

#[test]
fn started_by_hand_it_explains_it_is_a_terraform_plugin_and_exits_1() {
    let output = Command::new(PROVIDER_BIN)
        .env_remove(go_plugin::MAGIC_COOKIE.0)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"", "nothing on stdout");
    let stderr = String::from_utf8(output.stderr).unwrap();
    for hint in [
        "Terraform provider plugin",
        "dev_overrides",
        "TF_CLI_CONFIG_FILE",
        "--debug",
    ] {
        assert!(stderr.contains(hint), "missing {hint:?} in:\n{stderr}");
    }
}

#[test]
fn a_protocol_list_without_5_is_refused_with_a_clear_error_and_exit_1() {
    let cert = TerraformCert::generate();
    let output = provider_command(Path::new(PROVIDER_BIN), "6", Some(&cert))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"", "no handshake line");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("speaks only version 5"), "{stderr}");
}

/// Runs `command` (the provider started as Terraform would) and expects it to refuse at
/// once: exit 1, no handshake line; returns stderr.
fn refused_start(command: &mut Command) -> String {
    let output = command.output().expect("the provider runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(output.stdout, b"", "no handshake line: {stderr}");
    stderr
}

#[test]
fn a_symlinked_or_world_writable_plugin_unix_socket_dir_is_refused_with_the_reason() {
    let cert = TerraformCert::generate();
    let outer = tempfile::tempdir().unwrap();
    let real = outer.path().join("sockets");
    std::fs::create_dir(&real).unwrap();
    let link = outer.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    let mut command = provider_command(Path::new(PROVIDER_BIN), "5", Some(&cert));
    command.env("PLUGIN_UNIX_SOCKET_DIR", &link);
    let stderr = refused_start(&mut command);
    assert!(
        stderr.contains("PLUGIN_UNIX_SOCKET_DIR") && stderr.contains("symbolic link"),
        "{stderr}"
    );

    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut command = provider_command(Path::new(PROVIDER_BIN), "5", Some(&cert));
    command.env("PLUGIN_UNIX_SOCKET_DIR", &real);
    let stderr = refused_start(&mut command);
    assert!(
        stderr.contains("PLUGIN_UNIX_SOCKET_DIR") && stderr.contains("sticky bit"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(&real).unwrap().count(),
        0,
        "nothing was created in it"
    );
}

#[tokio::test]
async fn a_world_writable_plugin_unix_socket_dir_with_the_sticky_bit_is_served() {
    let cert = TerraformCert::generate();
    let base = tempfile::tempdir().unwrap();
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let mut provider = start_with_tls(&cert, base.path());
    assert_serves_then_shuts_down(&mut provider, ClientAuth::Cert(&cert)).await;
}

#[test]
fn a_plugin_client_cert_that_holds_no_certificate_is_refused_never_pinned_or_plaintext() {
    let base = tempfile::tempdir().unwrap();
    for (what, pem) in [
        ("blank", "  \n"),
        (
            "a key, no certificate",
            "-----BEGIN PRIVATE KEY-----\nAAECAwQ=\n-----END PRIVATE KEY-----\n",
        ),
        (
            "a CERTIFICATE block holding no certificate",
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
        ),
    ] {
        let mut command = provider_command(Path::new(PROVIDER_BIN), "5", None);
        command
            .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
            .env("PLUGIN_CLIENT_CERT", pem);
        let stderr = refused_start(&mut command);
        assert!(
            stderr.contains("PLUGIN_CLIENT_CERT holds no usable PEM certificate"),
            "{what}: {stderr}"
        );
        println!("{what}: {}", stderr.trim());
    }
}

#[test]
fn debug_mode_says_it_is_plaintext_and_who_can_connect_prints_reattach_config_and_stops_on_sigint()
{
    let base = tempfile::tempdir().unwrap();
    let mut command = Command::new(PROVIDER_BIN);
    command
        .arg("--debug")
        .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
        .env_remove(go_plugin::MAGIC_COOKIE.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let mut export = String::new();
    while export.is_empty() {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(
            !line.is_empty(),
            "stdout ended before the export line:\n{banner}"
        );
        if line.starts_with("# ") {
            banner.push_str(&line);
        } else {
            export = line;
        }
    }
    let uid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(base.path()).unwrap());
    for needle in [
        "debug mode".to_owned(),
        "PLAINTEXT".to_owned(),
        "no TLS".to_owned(),
        format!("user ID {uid} (you) and root"),
        base.path().display().to_string(),
        "Terraform".to_owned(),
    ] {
        assert!(banner.contains(&needle), "no {needle:?} in:\n{banner}");
    }
    print!("{banner}");

    let json = export
        .trim_end()
        .strip_prefix("export TF_REATTACH_PROVIDERS='")
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("{export}"));
    let reattach: serde_json::Value = serde_json::from_str(json).unwrap();
    let entry = &reattach["registry.terraform.io/zenlayer/zenlayer"];
    assert_eq!(entry["Pid"], child.id());
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 5);
    let socket = entry["Addr"]["String"].as_str().unwrap().to_owned();
    let handshake = Handshake::parse(&format!("1|5|unix|{socket}|grpc|\n")).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let channel = go_plugin::connect(&handshake, ClientAuth::Plaintext)
            .await
            .unwrap();
        go_plugin::health(channel).await.unwrap()
    });
    assert_eq!(status, SERVING);

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let exited = (0..400).find_map(|_| {
        std::thread::sleep(Duration::from_millis(5));
        child.try_wait().unwrap()
    });
    if exited.is_none() {
        child.kill().unwrap();
    }
    assert_eq!(
        exited.and_then(|s| s.code()),
        Some(0),
        "debug server did not stop on SIGINT"
    );
    assert!(!Path::new(&socket).parent().unwrap().exists());
}
