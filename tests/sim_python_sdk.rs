//! The vendor's own client against zenlayer-sim: the official Zenlayer Python SDK
//! (`zenlayercloud-sdk-python`, in the Python at `TPZ_PYTHON`) lists, attaches, detaches and
//! gets every documented refusal. This proves the simulator's signing and JSON shapes match
//! Zenlayer's, independently of our own client. Needs `TPZ_PYTHON` (source `.tools/env`,
//! made by `scripts/install-tools.sh`); fails loudly without it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use tpz::sim::{BackgroundSim, SimConfig};
use tpz::zenlayer::codes;

fn python() -> String {
    let python = std::env::var("TPZ_PYTHON").unwrap_or_default();
    assert!(
        !python.is_empty(),
        "TPZ_PYTHON is not set. It must name a Python with zenlayercloud-sdk-python installed: \
         run scripts/install-tools.sh, then `. .tools/env`."
    );
    let probe = Command::new(&python)
        .args([
            "-c",
            "import zenlayercloud; print(zenlayercloud.__version__)",
        ])
        .output()
        .unwrap_or_else(|e| panic!("TPZ_PYTHON={python} cannot be run: {e}"));
    assert!(
        probe.status.success(),
        "TPZ_PYTHON={python} has no Zenlayer SDK (import zenlayercloud failed): {}\n\
         Run scripts/install-tools.sh to install zenlayercloud-sdk-python.",
        String::from_utf8_lossy(&probe.stderr)
    );
    python
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk")
        .join(name)
}

/// Each check's outcome, by name, from the script's JSON lines.
fn run_checks(sim: &BackgroundSim) -> BTreeMap<String, Value> {
    let python = python();
    let out = Command::new(python)
        .arg(script("sim_sdk_check.py"))
        .arg(sim.domain())
        .arg(sim.sim().access_key_id())
        .arg(sim.sim().access_key_password())
        .arg(
            sim.sim()
                .access_token()
                .expect("the default config has a token"),
        )
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .expect("the SDK script runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut checks = BTreeMap::new();
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!("unexpected script output {line:?}: {e}\nstderr:\n{stderr}")
        });
        let name = v["check"].as_str().expect("each line names its check");
        checks.insert(name.to_owned(), v);
    }
    let failed: Vec<String> = (checks.values())
        .filter(|v| v["ok"] != true)
        .map(|v| {
            format!(
                "{}: expected {}, got {}",
                v["check"], v["expected"], v["got"]
            )
        })
        .collect();
    assert!(
        failed.is_empty() && out.status.success(),
        "the official SDK disagrees with the simulator:\n{}\nexit: {}\nstderr:\n{stderr}",
        failed.join("\n"),
        out.status
    );
    checks
}

#[test]
fn the_official_python_sdk_lists_attaches_detaches_and_gets_every_documented_code() {
    let sim = BackgroundSim::start(SimConfig::default()).expect("simulator starts");
    let checks = run_checks(&sim);

    for check in [
        "list.zones",
        "list.instances.nics",
        "list.nics",
        "list.nics.unattached_instance",
        "attach.transition",
        "detach.transition",
        "auth.token",
        "fault.429",
        "fault.503",
        "fault.drop",
    ] {
        assert!(checks.contains_key(check), "the SDK script skipped {check}");
    }
    let got_codes = |prefix: &str| -> Vec<String> {
        (checks.iter())
            .filter(|(name, _)| name.starts_with(prefix))
            .filter_map(|(_, v)| v["got"].as_str().map(str::to_owned))
            .collect()
    };
    let not_simulated = [
        codes::INVALID_INSTANCE_PRECHECK_ABNORMAL,
        codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
        codes::INVALID_NIC_LB_ASSOCIATED,
    ];
    let attach = got_codes("attach.");
    for code in codes::ATTACH_CODES
        .iter()
        .filter(|c| !not_simulated.contains(c))
    {
        assert!(
            attach.iter().any(|c| c == code),
            "no SDK check received {code} from Attach"
        );
    }
    let detach = got_codes("detach.");
    for code in codes::DETACH_CODES
        .iter()
        .filter(|c| !not_simulated.contains(c))
    {
        assert!(
            detach.iter().any(|c| c == code),
            "no SDK check received {code} from Detach"
        );
    }
    let other = [got_codes("params."), got_codes("auth.")].concat();
    for code in [
        codes::MISSING_PARAMETER,
        codes::INVALID_PARAMETER_TYPE,
        codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
        codes::AUTHFAILURE_SIGNATURE_FAILURE,
    ] {
        assert!(
            other.iter().any(|c| c == code),
            "no SDK check received {code}"
        );
    }

    let calls = sim.sim().calls();
    assert!(calls.action("AttachNetworkInterface").succeeded >= 1);
    assert_eq!(
        calls.faults.drop, 1,
        "the drop fault reached the SDK as a network error"
    );
}
