//! Release packaging as teams use it on CI runners without a registry: `scripts/release.sh`
//! writes the Registry's files, the zip goes into a `filesystem_mirror`, `terraform init`
//! installs it (recording its hash in the lock file), and `terraform plan` runs it against
//! zenlayer-sim. `--sign` is checked with a throwaway GPG key: the signature verifies, and
//! stops verifying when the sums change.
//!
//! The script packs the debug binary this test run built (`--binary`): the release build (fat
//! LTO, one codegen unit) takes minutes, and everything the script does after building (the
//! version, the names, the zip, the sums, the manifest) is the same for either binary. The
//! build step itself is the one `cargo build --release` the quickstart also runs.
//!
//! What the release build adds, the remapping of build-machine paths, is checked here on a
//! small Rust program and C object built with the script's own flags
//! (`--print-build-env`); the script also scans every binary it builds for those paths, and
//! `scripts/check-reproducible.sh` builds one commit twice and compares the zips.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256};
use support::{PROVIDER_BIN, Sim, Versions, for_each_terraform};
use tempfile::TempDir;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn zip_name() -> String {
    format!("terraform-provider-zenlayer_{VERSION}_linux_amd64.zip")
}

fn manifest_name() -> String {
    format!("terraform-provider-zenlayer_{VERSION}_manifest.json")
}

fn sums_name() -> String {
    format!("terraform-provider-zenlayer_{VERSION}_SHA256SUMS")
}

/// The executable's name inside the zip.
fn entry_name() -> String {
    format!("terraform-provider-zenlayer_v{VERSION}")
}

/// Runs `scripts/release.sh --binary <the debug provider> OUT` and returns OUT.
fn release() -> TempDir {
    release_with(&[], &[])
}

/// [`release`] with extra script arguments and environment (a GPG home for `--sign`).
fn release_with(args: &[&str], envs: &[(&str, &Path)]) -> TempDir {
    let out = tempfile::Builder::new()
        .prefix("tpz-release-")
        .tempdir()
        .expect("a temporary directory");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
    let output = Command::new(&script)
        .env_remove("GPG_FINGERPRINT")
        .envs(envs.iter().copied())
        .arg("--binary")
        .arg(PROVIDER_BIN)
        .args(args)
        .arg(out.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "scripts/release.sh failed\n--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn release_script_writes_the_registry_files_for_the_cargo_version() {
    let out = release();
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .expect("list the output directory")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, vec![sums_name(), zip_name(), manifest_name()]);

    let manifest = read(&out.path().join(manifest_name()));
    let manifest: serde_json::Value =
        serde_json::from_slice(&manifest).expect("the manifest is JSON");
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );

    let sums = String::from_utf8(read(&out.path().join(sums_name()))).expect("UTF-8 sums");
    let expected = format!(
        "{}  {}\n{}  {}\n",
        sha256_hex(&read(&out.path().join(zip_name()))),
        zip_name(),
        sha256_hex(&read(&out.path().join(manifest_name()))),
        manifest_name()
    );
    assert_eq!(sums, expected);

    // The same binary packs to the same bytes, so sums can be reproduced.
    let again = release();
    assert_eq!(
        read(&out.path().join(zip_name())),
        read(&again.path().join(zip_name())),
        "two packings of one binary differ"
    );
}

/// A throwaway GnuPG home holding one passphrase-less signing key, as a CI runner would
/// have; its gpg-agent is stopped when it is dropped.
struct GpgHome {
    dir: TempDir,
    fingerprint: String,
}

impl GpgHome {
    fn with_signing_key() -> GpgHome {
        // Short path: gpg-agent puts its sockets here, and socket paths are limited in length.
        let dir = tempfile::Builder::new()
            .prefix("tpz-gpg-")
            .tempdir_in("/tmp")
            .expect("a temporary directory");
        let mut home = GpgHome {
            dir,
            fingerprint: String::new(),
        };
        home.gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "tpz release test <release-test@example.invalid>",
            "rsa2048",
            "sign",
            "never",
        ])
        .assert_ok("generate a signing key");
        let listing = home.gpg(&["--with-colons", "--list-secret-keys"]);
        let listing = listing.assert_ok("list the secret key");
        home.fingerprint = listing
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|rest| rest.split(':').find(|field| !field.is_empty()))
            .unwrap_or_else(|| panic!("no fingerprint in gpg's listing:\n{listing}"))
            .to_string();
        home
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn gpg(&self, args: &[&str]) -> GpgRun {
        let output = Command::new("gpg")
            .env("GNUPGHOME", self.path())
            .args(["--batch", "--pinentry-mode", "loopback"])
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run gpg ({e}): this test needs GnuPG on PATH \
                     (Debian/Ubuntu: apt-get install gnupg)"
                )
            });
        GpgRun {
            args: args.join(" "),
            output,
        }
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.dir.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

struct GpgRun {
    args: String,
    output: std::process::Output,
}

impl GpgRun {
    fn succeeded(&self) -> bool {
        self.output.status.success()
    }

    fn assert_ok(&self, what: &str) -> String {
        assert!(
            self.succeeded(),
            "gpg {} ({what}) failed:\n{}",
            self.args,
            String::from_utf8_lossy(&self.output.stderr)
        );
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

#[test]
fn release_script_signs_the_sums_with_the_given_gpg_key_so_the_registry_can_verify_them() {
    let gpg = GpgHome::with_signing_key();
    let out = release_with(&["--sign", &gpg.fingerprint], &[("GNUPGHOME", gpg.path())]);
    let sums = out.path().join(sums_name());
    let sig = out.path().join(format!("{}.sig", sums_name()));
    assert!(sig.is_file(), "no {} next to the sums", sig.display());
    let sig_arg = sig.display().to_string();
    let sums_arg = sums.display().to_string();
    gpg.gpg(&["--verify", &sig_arg, &sums_arg])
        .assert_ok("verify the signature over the sums");

    // The signature is over these exact sums: one changed byte and it no longer verifies.
    let tampered = out.path().join("tampered_SHA256SUMS");
    let mut bytes = read(&sums);
    bytes[0] = if bytes[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&tampered, bytes).expect("write the tampered sums");
    let tampered_arg = tampered.display().to_string();
    assert!(
        !gpg.gpg(&["--verify", &sig_arg, &tampered_arg]).succeeded(),
        "the signature also verifies sums it was not made for"
    );
}

#[test]
fn release_script_refuses_a_signing_key_it_does_not_have_and_writes_nothing() {
    let gpg = GpgHome::with_signing_key();
    let out = tempfile::Builder::new()
        .prefix("tpz-release-")
        .tempdir()
        .expect("a temporary directory");
    let missing = "0000000000000000000000000000000000000000";
    let output = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
        .env_remove("GPG_FINGERPRINT")
        .env("GNUPGHOME", gpg.path())
        .args(["--binary", PROVIDER_BIN, "--sign", missing])
        .arg(out.path())
        .output()
        .expect("run scripts/release.sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "signing with a missing key succeeded"
    );
    assert!(
        stderr.contains(&format!("gpg could not sign with key {missing}")),
        "the error does not name the key:\n{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(out.path())
        .expect("list the output directory")
        .collect();
    assert!(
        left.is_empty(),
        "a failed signing left unsigned files behind: {left:?}"
    );
}

/// Terraform's `h1:` package hash of an unpacked provider holding one file, as `terraform init`
/// records it in the lock file (dirhash "Hash1": SHA-256 over `<sha256>  <name>\n` lines).
fn h1_hash(name: &str, contents: &[u8]) -> String {
    let summary = format!("{}  {name}\n", sha256_hex(contents));
    let digest = Sha256::digest(summary.as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn mirror_with(zip: &Path) -> (TempDir, PathBuf) {
    let mirror = tempfile::Builder::new()
        .prefix("tpz-mirror-")
        .tempdir()
        .expect("a temporary directory");
    let dir = mirror
        .path()
        .join("registry.terraform.io/zenlayer/zenlayer");
    std::fs::create_dir_all(&dir).expect("create the mirror's provider directory");
    std::fs::copy(zip, dir.join(zip_name())).expect("copy the zip into the mirror");
    let path = mirror.path().to_path_buf();
    (mirror, path)
}

#[test]
fn release_zip_installs_from_a_filesystem_mirror_and_plans_against_the_simulator() {
    let out = release();
    let (_mirror, mirror_path) = mirror_with(&out.path().join(zip_name()));
    let cli_config = format!(
        r#"provider_installation {{
  filesystem_mirror {{
    path    = {mirror:?}
    include = ["registry.terraform.io/zenlayer/zenlayer"]
  }}
  direct {{
    exclude = ["registry.terraform.io/zenlayer/zenlayer"]
  }}
}}
"#,
        mirror = mirror_path.display().to_string()
    );
    let expected_hash = h1_hash(&entry_name(), &read(Path::new(PROVIDER_BIN)));

    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let sim = Sim::start();
        let dir = tf.workdir().cli_config(&cli_config).config(&format!(
            "{}\nresource \"zenlayer_nic_attachment\" \"app\" {{\n  nic_id      = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}}\n",
            sim.provider_block()
        ));
        dir.write(
            "versions.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    zenlayer = {{\n      source  = \"zenlayer/zenlayer\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n"
            ),
        );

        dir.run(&["init", "-no-color", "-input=false"])
            .assert_success()
            .assert_stdout_contains(&format!(
                "Installed zenlayer/zenlayer v{VERSION} (unauthenticated)"
            ));
        let lock = std::fs::read_to_string(dir.path().join(".terraform.lock.hcl"))
            .expect("terraform init wrote .terraform.lock.hcl");
        assert!(
            lock.contains("provider \"registry.terraform.io/zenlayer/zenlayer\"")
                && lock.contains(&format!("version     = \"{VERSION}\""))
                && lock.contains(&format!("\"{expected_hash}\"")),
            "Terraform {}: the lock file does not record {VERSION} with {expected_hash}:\n{lock}",
            tf.version
        );

        dir.plan()
            .assert_success()
            .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy.")
            .assert_not_contains("development overrides");
        let reads = sim
            .api()
            .calls()
            .action("DescribeNetworkInterfaces")
            .received;
        assert!(
            reads > 0,
            "Terraform {}: the installed provider's plan checks never read the simulator",
            tf.version
        );
    });
}

/// What `scripts/release.sh --print-build-env` says the release build uses.
struct BuildEnv {
    rustflags: Vec<String>,
    cflags: Vec<String>,
    hidden: Vec<String>,
}

fn build_env(target_dir: &Path) -> BuildEnv {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
    let output = Command::new(&script)
        .arg("--print-build-env")
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |key: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(key))
            .flat_map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    };
    BuildEnv {
        rustflags: field("RUSTFLAGS="),
        cflags: field("CFLAGS="),
        hidden: field("HIDDEN="),
    }
}

/// Which of `paths` occur in the file at `binary`.
fn paths_in(binary: &Path, paths: &[String]) -> Vec<String> {
    let bytes = read(binary);
    paths
        .iter()
        .filter(|p| bytes.windows(p.len()).any(|w| w == p.as_bytes()))
        .cloned()
        .collect()
}

#[test]
fn release_build_flags_leave_no_build_machine_path_in_rust_or_c_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // target/debug/terraform-provider-zenlayer → target
    let target_dir = Path::new(PROVIDER_BIN)
        .parent()
        .and_then(Path::parent)
        .expect("the provider binary lives in <target>/debug");
    let env = build_env(target_dir);
    let root_text = root.display().to_string();
    let target_text = target_dir
        .canonicalize()
        .expect("the target dir exists")
        .display()
        .to_string();
    for must in [&root_text, &target_text, &".cargo".to_owned()] {
        assert!(
            env.hidden.iter().any(|h| h.contains(must.as_str())),
            "{must} is not hidden: {:?}",
            env.hidden
        );
    }

    // Sources where the real ones live: in the checkout and in the target dir (build scripts'
    // output), each naming its own path (`file!()`, `__FILE__`) the way a panic or an assert
    // message does.
    for base in [root.to_path_buf(), target_dir.to_path_buf()] {
        let dir = tempfile::Builder::new()
            .prefix("remap-probe-")
            .tempdir_in(&base)
            .expect("a probe dir");
        let rs = dir.path().join("probe.rs");
        std::fs::write(&rs, "fn main() { println!(\"{}\", file!()); }\n").unwrap();
        let c = dir.path().join("probe.c");
        std::fs::write(&c, "const char *where_am_i(void) { return __FILE__; }\n").unwrap();
        let build = |flags: &[String], n: &str| -> (PathBuf, PathBuf) {
            let bin = dir.path().join(format!("probe-{n}"));
            let rustc = Command::new("rustc")
                .current_dir(root)
                .args(flags)
                .args(["-C", "debuginfo=1", "-o"])
                .arg(&bin)
                .arg(&rs)
                .output()
                .expect("run rustc");
            assert!(
                rustc.status.success(),
                "{}",
                String::from_utf8_lossy(&rustc.stderr)
            );
            let obj = dir.path().join(format!("probe-{n}.o"));
            let cflags: &[String] = if flags.is_empty() { &[] } else { &env.cflags };
            let cc = Command::new("cc")
                .args(cflags)
                .args(["-g", "-c", "-o"])
                .arg(&obj)
                .arg(&c)
                .output()
                .expect("run cc");
            assert!(
                cc.status.success(),
                "{}",
                String::from_utf8_lossy(&cc.stderr)
            );
            (bin, obj)
        };
        let probe_dir = dir.path().display().to_string();
        // Without the flags the path is there, so the check below can fail.
        let (bin, obj) = build(&[], "plain");
        assert_eq!(
            paths_in(&bin, std::slice::from_ref(&probe_dir)),
            std::slice::from_ref(&probe_dir)
        );
        assert_eq!(
            paths_in(&obj, std::slice::from_ref(&probe_dir)),
            std::slice::from_ref(&probe_dir)
        );
        // With them, no hidden path remains, in the binary or the C object's debug info.
        let (bin, obj) = build(&env.rustflags, "release");
        let mut hidden = env.hidden.clone();
        hidden.push(probe_dir.clone());
        assert_eq!(
            paths_in(&bin, &hidden),
            Vec::<String>::new(),
            "{}",
            bin.display()
        );
        assert_eq!(
            paths_in(&obj, &hidden),
            Vec::<String>::new(),
            "{}",
            obj.display()
        );
        let said = Command::new(&bin).output().expect("run the probe").stdout;
        let said = String::from_utf8_lossy(&said);
        assert!(said.starts_with("/build/"), "file!() is {said}");
        println!("{} -> {}", rs.display(), said.trim());
    }
}
