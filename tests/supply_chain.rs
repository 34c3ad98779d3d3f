//! The supply chain of builds and tests: the toolchain is pinned, and every third-party PyPI
//! artifact the test tools come from is pinned by hash, so a changed upload fails the install
//! instead of running. (The release's path remapping is checked in `release.rs`;
//! `scripts/check-reproducible.sh` builds one commit twice and compares the zips.)

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn the_toolchain_is_pinned_to_the_compiler_that_builds_it() {
    let toml = read(&root().join("rust-toolchain.toml"));
    let channel = toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("channel = "))
        .map(|v| v.trim_matches('"'))
        .expect("rust-toolchain.toml names a channel");
    assert!(
        channel.split('.').count() == 3 && channel.split('.').all(|p| p.parse::<u32>().is_ok()),
        "the channel must be an exact version, not {channel:?}"
    );
    for component in ["rustfmt", "clippy"] {
        assert!(
            toml.contains(&format!("\"{component}\"")),
            "{component} missing"
        );
    }
    let rustc = Command::new("rustc")
        .arg("--version")
        .current_dir(root())
        .output()
        .expect("run rustc");
    let version = String::from_utf8_lossy(&rustc.stdout);
    assert!(
        version.starts_with(&format!("rustc {channel} ")),
        "rust-toolchain.toml says {channel}, the checkout's rustc is {version}"
    );
}

#[test]
fn every_pypi_pin_carries_a_sha256_and_every_install_requires_hashes() {
    let tools = root().join("scripts/tools");
    let mut pins = 0;
    for entry in std::fs::read_dir(&tools).expect("scripts/tools") {
        let path = entry.expect("a directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        // Requirement lines, with their `\`-continued hash lines joined.
        let text = read(&path).replace("\\\n", " ");
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            assert!(
                line.contains("==") && line.contains("--hash=sha256:"),
                "{}: an unpinned or unhashed requirement: {line}",
                path.display()
            );
            pins += 1;
        }
    }
    assert!(pins >= 6, "only {pins} pins found in {}", tools.display());
    let script = read(&root().join("scripts/install-tools.sh"));
    assert!(script.contains("--require-hashes"), "install-tools.sh");
    let installs: Vec<&str> = script
        .lines()
        .filter(|l| l.contains("pip") && l.contains(" install "))
        .collect();
    assert!(
        !installs.is_empty(),
        "no pip install found in install-tools.sh"
    );
    for line in installs {
        assert!(
            line.contains("--require-hashes"),
            "an install without hashes: {line}"
        );
    }
}

#[test]
fn an_artifact_whose_hash_changed_fails_the_install() {
    let python = std::env::var("TPZ_PYTHON")
        .expect("TPZ_PYTHON (from .tools/env, written by scripts/install-tools.sh) is not set");
    let dir = tempfile::tempdir().expect("a temp dir");
    let wheel = dir.path().join("tampered-1.0-py3-none-any.whl");
    std::fs::write(&wheel, b"not the artifact that was pinned").expect("write the artifact");
    let pinned = "0".repeat(64);
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(
        &requirements,
        format!("{} --hash=sha256:{pinned}\n", wheel.display()),
    )
    .expect("write the pins");
    let out = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-index",
        ])
        .args(["--no-deps", "--require-hashes", "--target"])
        .arg(dir.path().join("site"))
        .arg("-r")
        .arg(&requirements)
        .output()
        .expect("run pip");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "pip installed it:\n{said}");
    assert!(said.contains("DO NOT MATCH THE HASHES"), "{said}");
    assert!(!dir.path().join("site").join("tampered").exists());
}
