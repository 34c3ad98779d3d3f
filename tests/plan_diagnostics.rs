//! Plan diagnostics, the way a user meets them: a configuration, `terraform plan` (and `-json`),
//! and what Terraform prints: which attribute, which config line, which words. Every row of the
//! plan-check table, every status the table names, the `plan_checks` modes, unknown IDs,
//! replacements and tainted objects, an API that cannot be read, and the promise that an apply
//! says the same as the plan, plus the request id. Each test runs every Terraform under test,
//! each with its own simulator and working directory.

mod support;

use support::closed_port::ClosedPort;
use support::diagnostics::{Expect, Severity, assert_plan_reports, from_human, from_json, line_of};
use support::lifecycle::{self, attachment};
use support::{Feature, Outcome, Sim, Terraform, Workdir};
use support::{Versions, for_each_terraform};
use tpz::sim::{FaultConfig, FaultKind, NewInstances, NicPatch};
use tpz::zenlayer::models::{InstanceStatus, NicStatus};

const NIC: &str = "nic_id";
const INSTANCE: &str = "instance_id";

/// `zenlayer_nic_attachment.<name>`.
fn addr(name: &str) -> String {
    format!("zenlayer_nic_attachment.{name}")
}

/// A provider block and one attachment per `(name, nic, instance)`.
fn main_tf(provider: &str, attachments: &[(&str, &str, &str)]) -> String {
    let blocks: Vec<String> = attachments
        .iter()
        .map(|(name, nic, instance)| attachment(name, nic, instance, ""))
        .collect();
    lifecycle::main_tf(provider, &blocks)
}

fn set_nic(sim: &Sim, nic: &str, status: NicStatus, on: Option<&str>) {
    sim.api()
        .patch_nic(
            nic,
            NicPatch {
                status: Some(status),
                instance_id: Some(on.map(str::to_owned)),
                ..NicPatch::default()
            },
        )
        .unwrap_or_else(|e| panic!("patch {nic}: {e}"));
}

/// A new instance in `asia-east-1a` (the region of `nic-app-*`) in `status`; returns its ID.
fn new_instance(sim: &Sim, status: InstanceStatus) -> String {
    let prefix = format!("ins-{}-", status.as_str().to_lowercase().replace('_', "-"));
    let created = sim
        .api()
        .create_instances(NewInstances {
            count: 1,
            prefix,
            first: 1,
            zone_id: "asia-east-1a".into(),
            status: Some(status.clone()),
            nic_limit: None,
        })
        .unwrap_or_else(|e| panic!("create a {status} instance: {e}"));
    created.instance_ids[0].clone()
}

/// `terraform plan -json`.
fn plan_json(dir: &Workdir) -> Outcome {
    dir.run(&["plan", "-json", "-input=false"])
}

/// `terraform apply -json`.
fn apply_json(dir: &Workdir) -> Outcome {
    dir.run(&["apply", "-json", "-input=false", "-auto-approve"])
}

/// Asserts a run showed no diagnostic from the provider, in either output.
#[track_caller]
fn assert_no_provider_diagnostics(human: &Outcome, json: &Outcome) {
    human.assert_success();
    json.assert_success();
    let h = from_human(human);
    assert!(h.is_empty(), "{}: {h:#?}", human.command);
    let j = from_json(json);
    assert!(j.is_empty(), "{}: {j:#?}", json.command);
}

/// The note a replacement that keeps its NIC carries: `create_before_destroy` cannot do it.
const KEEPS_NIC: &str =
    "This replacement attaches the same NIC again: it cannot be created before destroy";

/// Asserts the plan of a replacement that keeps its NIC shows that note at `address`, once,
/// as a warning, and nothing else from the provider, in either output.
#[track_caller]
fn assert_only_the_keeps_nic_note(human: &Outcome, json: &Outcome, address: &str) {
    human.assert_success();
    json.assert_success();
    for shown in [from_human(human), from_json(json)] {
        assert_eq!(shown.len(), 1, "{shown:#?}");
        assert_eq!(shown[0].severity, Severity::Warning);
        assert_eq!(shown[0].summary, KEEPS_NIC);
        assert_eq!(shown[0].address.as_deref(), Some(address));
    }
}

// ---- The plan-check table, one row a case ------------------------------------------------------

/// One case of the plan-check table: the world, the configuration, what the plan shows.
struct Row {
    /// The behaviour the row proves; named in every failure.
    behaviour: &'static str,
    /// Changes to the simulator's default world before the plan.
    setup: fn(&Sim),
    /// Settings added to the provider block.
    provider: &'static str,
    /// One attachment per `(name, nic, instance)`.
    attachments: &'static [(&'static str, &'static str, &'static str)],
    /// Every diagnostic the provider shows, in `terraform plan` and `plan -json`.
    findings: fn() -> Vec<Expect>,
}

/// No change to the simulator's default world.
fn as_shipped(_: &Sim) {}

const TABLE: &[Row] = &[
    Row {
        behaviour: "a missing NIC fails the plan at nic_id",
        setup: as_shipped,
        provider: "",
        attachments: &[("app", "nic-missing-1", "ins-web-1")],
        findings: || {
            vec![
                Expect::error(&addr("app"), NIC, "The NIC does not exist").mentioning(&[
                    "no NIC with the ID nic-missing-1",
                    "Check `nic_id`",
                    "Zenlayer API code: INVALID_NIC_NOT_FOUND",
                ]),
            ]
        },
    },
    Row {
        behaviour: "a missing instance fails the plan at instance_id",
        setup: as_shipped,
        provider: "",
        attachments: &[("app", "nic-app-1", "ins-missing-1")],
        findings: || {
            vec![
                Expect::error(&addr("app"), INSTANCE, "The instance does not exist").mentioning(&[
                    "no ZEC instance with the ID ins-missing-1",
                    "Check `instance_id`",
                    "Zenlayer API code: INVALID_INSTANCE_NOT_FOUND",
                ]),
            ]
        },
    },
    Row {
        behaviour: "a NIC in another region fails the plan naming both regions",
        setup: as_shipped,
        provider: "",
        attachments: &[("app", "nic-eu-app-1", "ins-web-1")],
        findings: || {
            vec![
                Expect::error(&addr("app"), NIC, "The NIC is in another region").mentioning(&[
                    "NIC nic-eu-app-1 is in region europe-west-1",
                    "instance ins-web-1 is in region asia-east-1",
                    "Zenlayer API code: INVALID_NIC_INSTANCE_REGION_MISMATCH",
                ]),
            ]
        },
    },
    Row {
        behaviour: "a NIC that failed to create or is being deleted fails the plan",
        setup: as_shipped,
        provider: "",
        attachments: &[
            ("failed", "nic-failed-1", "ins-web-1"),
            ("deleting", "nic-deleting-1", "ins-web-2"),
        ],
        findings: || {
            let summary = "The NIC cannot be attached in its state";
            vec![
                Expect::error(&addr("failed"), NIC, summary).mentioning(&[
                    "NIC nic-failed-1 is in the CREATE_FAILED state",
                    "Create a new NIC",
                    "Zenlayer API code: INVALID_NIC_STATUS",
                ]),
                Expect::error(&addr("deleting"), NIC, summary).mentioning(&[
                    "NIC nic-deleting-1 is in the DELETING state",
                    "Create a new NIC",
                    "Zenlayer API code: INVALID_NIC_STATUS",
                ]),
            ]
        },
    },
    Row {
        behaviour: "a pending or detaching NIC only warns that apply will wait",
        setup: |sim| set_nic(sim, "nic-app-3", NicStatus::Detaching, Some("ins-web-2")),
        provider: "",
        attachments: &[
            ("pending", "nic-pending-1", "ins-web-1"),
            ("detaching", "nic-app-3", "ins-web-1"),
        ],
        findings: || {
            let summary = "The NIC is still changing state";
            vec![
                Expect::warning(&addr("pending"), NIC, summary).mentioning(&[
                    "NIC nic-pending-1 is in the PENDING state (still being created)",
                    "apply waits",
                    "Zenlayer API code: INVALID_NIC_STATUS",
                ]),
                Expect::warning(&addr("detaching"), NIC, summary).mentioning(&[
                    "NIC nic-app-3 is in the DETACHING state (being detached from instance ins-web-2)",
                    "apply waits",
                    "Zenlayer API code: INVALID_NIC_STATUS",
                ]),
            ]
        },
    },
    Row {
        behaviour: "a stopped or vanishing instance fails the plan in every such status",
        setup: |sim| {
            for status in [
                InstanceStatus::Stopping,
                InstanceStatus::Releasing,
                InstanceStatus::Recycle,
                InstanceStatus::Recycling,
                InstanceStatus::CreateFailed,
            ] {
                new_instance(sim, status);
            }
        },
        provider: "",
        attachments: &[
            ("stopped", "nic-app-1", "ins-stopped-1"),
            ("stopping", "nic-app-2", "ins-stopping-1"),
            ("releasing", "nic-app-3", "ins-releasing-1"),
            ("recycle", "nic-app-4", "ins-recycle-1"),
            ("recycling", "nic-app-5", "ins-recycling-1"),
            ("failed", "nic-app-6", "ins-create-failed-1"),
        ],
        findings: || {
            // Each status with the words of the fix that fits it.
            [
                ("stopped", "ins-stopped-1", "STOPPED", "Start the instance"),
                (
                    "stopping",
                    "ins-stopping-1",
                    "STOPPING",
                    "Start it again once it is STOPPED",
                ),
                (
                    "releasing",
                    "ins-releasing-1",
                    "RELEASING",
                    "Use another instance in `instance_id`",
                ),
                (
                    "recycle",
                    "ins-recycle-1",
                    "RECYCLE",
                    "Restore and start it in zenConsole",
                ),
                (
                    "recycling",
                    "ins-recycling-1",
                    "RECYCLING",
                    "Use another instance in `instance_id`",
                ),
                (
                    "failed",
                    "ins-create-failed-1",
                    "CREATE_FAILED",
                    "will never run",
                ),
            ]
            .map(|(name, instance, status, fix)| {
                Expect::error(&addr(name), INSTANCE, "The instance is not running").mentioning(&[
                    &format!("Instance {instance} is in the {status} state"),
                    fix,
                    "Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
                ])
            })
            .into()
        },
    },
    Row {
        behaviour: "a busy instance only warns that apply will wait in every such status",
        setup: |sim| {
            for status in [
                InstanceStatus::Deploying,
                InstanceStatus::Reboot,
                InstanceStatus::Rebuilding,
                InstanceStatus::Resizing,
                InstanceStatus::Imaging,
            ] {
                new_instance(sim, status);
            }
        },
        provider: "",
        attachments: &[
            ("booting", "nic-app-1", "ins-booting-1"),
            ("deploying", "nic-app-2", "ins-deploying-1"),
            ("reboot", "nic-app-3", "ins-reboot-1"),
            ("rebuilding", "nic-app-4", "ins-rebuilding-1"),
            ("resizing", "nic-app-5", "ins-resizing-1"),
            ("imaging", "nic-app-6", "ins-imaging-1"),
        ],
        findings: || {
            [
                ("booting", "ins-booting-1", "BOOTING"),
                ("deploying", "ins-deploying-1", "DEPLOYING"),
                ("reboot", "ins-reboot-1", "REBOOT"),
                ("rebuilding", "ins-rebuilding-1", "REBUILDING"),
                ("resizing", "ins-resizing-1", "RESIZING"),
                ("imaging", "ins-imaging-1", "IMAGING"),
            ]
            .map(|(name, instance, status)| {
                Expect::warning(
                    &addr(name),
                    INSTANCE,
                    "The instance is still changing state",
                )
                .mentioning(&[
                    &format!("Instance {instance} is in the {status} state"),
                    "apply waits",
                    "Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
                ])
            })
            .into()
        },
    },
    Row {
        behaviour: "three failing attachments give three errors in one plan",
        setup: as_shipped,
        provider: "",
        attachments: &[
            ("fine", "nic-app-1", "ins-web-1"),
            ("ghost_nic", "nic-missing-1", "ins-web-1"),
            ("ghost_instance", "nic-app-2", "ins-missing-1"),
            ("stopped", "nic-app-3", "ins-stopped-1"),
        ],
        findings: || {
            vec![
                Expect::error(&addr("ghost_nic"), NIC, "The NIC does not exist")
                    .mentioning(&["INVALID_NIC_NOT_FOUND"]),
                Expect::error(
                    &addr("ghost_instance"),
                    INSTANCE,
                    "The instance does not exist",
                )
                .mentioning(&["INVALID_INSTANCE_NOT_FOUND"]),
                Expect::error(&addr("stopped"), INSTANCE, "The instance is not running")
                    .mentioning(&["OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"]),
            ]
        },
    },
    Row {
        behaviour: "one attachment with two problems gets both errors",
        setup: as_shipped,
        provider: "",
        attachments: &[("both", "nic-eu-app-1", "ins-stopped-1")],
        findings: || {
            vec![
                Expect::error(&addr("both"), NIC, "The NIC is in another region")
                    .mentioning(&["europe-west-1", "asia-east-1"]),
                Expect::error(&addr("both"), INSTANCE, "The instance is not running")
                    .mentioning(&["Instance ins-stopped-1 is in the STOPPED state"]),
            ]
        },
    },
    Row {
        behaviour: "plan_checks = \"warn\" turns every error into a warning and the plan succeeds",
        setup: as_shipped,
        provider: "plan_checks = \"warn\"",
        attachments: &[
            ("ghost_nic", "nic-missing-1", "ins-web-1"),
            ("ghost_instance", "nic-app-1", "ins-missing-1"),
            ("far_nic", "nic-eu-app-1", "ins-web-1"),
            ("failed_nic", "nic-failed-1", "ins-web-1"),
            ("deleting_nic", "nic-deleting-1", "ins-web-2"),
            ("taken_nic", "nic-db-1", "ins-web-2"),
            ("stopped", "nic-app-2", "ins-stopped-1"),
            ("here", "nic-stopped-1-data", "ins-stopped-1"),
        ],
        findings: || {
            let mut warned: Vec<Expect> = error_row_findings()
                .into_iter()
                .map(Expect::warned)
                .collect();
            warned.extend([
                Expect::warning(
                    &addr("here"),
                    NIC,
                    "The NIC is already attached to this instance",
                )
                .mentioning(&["terraform import"]),
                Expect::warning(&addr("here"), INSTANCE, "The instance is not running")
                    .mentioning(&["STOPPED"]),
            ]);
            warned
        },
    },
];

/// Plans one row on one Terraform, in a simulator and working directory of its own.
fn plan_row(tf: &Terraform, row: &Row) {
    let sim = Sim::start();
    (row.setup)(&sim);
    let provider = if row.provider.is_empty() {
        sim.provider_block()
    } else {
        sim.provider_block_with(row.provider)
    };
    let config = main_tf(&provider, row.attachments);
    let dir = tf.workdir().config(&config);
    assert_plan_reports(&dir, &config, &(row.findings)());
}

#[test]
fn every_row_of_the_plan_check_table_shows_its_findings_in_plan_and_plan_json() {
    for_each_terraform(Versions::All, |tf| {
        let failed: Vec<&str> = TABLE
            .iter()
            .filter(|row| {
                let planned = std::panic::catch_unwind(|| plan_row(tf, row));
                if planned.is_err() {
                    eprintln!(
                        "row {:?} failed on Terraform {} (see the panic above)",
                        row.behaviour, tf.version
                    );
                }
                planned.is_err()
            })
            .map(|row| row.behaviour)
            .collect();
        assert!(
            failed.is_empty(),
            "on Terraform {}, these rows failed (their panics are above): {failed:#?}",
            tf.version
        );
    });
}

// ---- Followed through: the fix each diagnostic offers --------------------------------------------

#[test]
fn a_nic_attached_elsewhere_outside_terraform_fails_the_plan_and_importing_it_moves_it() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        set_nic(&sim, "nic-app-4", NicStatus::Attaching, Some("ins-web-1"));
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("used", "nic-db-1", "ins-web-2"),
                ("attaching", "nic-app-4", "ins-web-2"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let summary = "The NIC is attached to another instance";
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::error(&addr("used"), NIC, summary).mentioning(&[
                    "NIC nic-db-1 is USED on instance ins-web-1",
                    "cannot be attached to instance ins-web-2",
                    "moving it DETACHES THE NIC FROM INSTANCE ins-web-1, which someone else may \
                     be running",
                    "terraform import zenlayer_nic_attachment.<name> nic-db-1:ins-web-1",
                    "Zenlayer API code: INVALID_NIC_ATTACHED",
                ]),
                Expect::error(&addr("attaching"), NIC, summary).mentioning(&[
                    "NIC nic-app-4 is ATTACHING on instance ins-web-1",
                    "Zenlayer API code: INVALID_NIC_ATTACHED",
                ]),
            ],
        );

        // The fix the message offers: import the attachment as it is, and let Terraform move it.
        let config = main_tf(&sim.provider_block(), &[("used", "nic-db-1", "ins-web-2")]);
        dir.write("main.tf", &config);
        dir.import(&addr("used"), "nic-db-1:ins-web-1")
            .assert_success();
        let human = dir.plan();
        human.assert_stdout_contains("1 to add, 0 to change, 1 to destroy");
        assert_only_the_keeps_nic_note(&human, &plan_json(&dir), &addr("used"));
        dir.apply().assert_success();
        assert_eq!(
            sim.attached_instance("nic-db-1").as_deref(),
            Some("ins-web-2")
        );
    });
}

#[test]
fn a_nic_attached_here_outside_terraform_fails_the_plan_and_the_suggested_import_works() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let config = main_tf(&sim.provider_block(), &[("db", "nic-db-1", "ins-web-1")]);
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[Expect::error(
                &addr("db"),
                NIC,
                "The NIC is already attached to this instance",
            )
            .mentioning(&[
                "NIC nic-db-1 is already USED on instance ins-web-1",
                "terraform import zenlayer_nic_attachment.<name> nic-db-1:ins-web-1",
                "Zenlayer API code: INVALID_NIC_ATTACHED",
            ])],
        );

        dir.import(&addr("db"), "nic-db-1:ins-web-1")
            .assert_success();
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
    });
}

#[test]
fn a_nic_held_by_another_object_in_state_warns_and_depends_on_makes_the_apply_work() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let provider = sim.provider_block();
        let dir = tf
            .workdir()
            .config(&main_tf(&provider, &[("old", "nic-app-2", "ins-web-1")]));
        dir.apply().assert_success();

        // `old` takes another NIC; `new` takes old's NIC to another instance, after `old`.
        let config = format!(
            "{}\n{}\nresource \"zenlayer_nic_attachment\" \"new\" {{\n  nic_id      = \"nic-app-2\"\n  instance_id = \"ins-web-2\"\n  depends_on  = [zenlayer_nic_attachment.old]\n}}\n",
            provider,
            attachment("old", "nic-app-3", "ins-web-1", ""),
        );
        dir.write("main.tf", &config);
        assert_plan_reports(
            &dir,
            &config,
            &[Expect::warning(
                &addr("new"),
                NIC,
                "The NIC is held by another attachment in state",
            )
            .mentioning(&[
                "NIC nic-app-2 is USED on instance ins-web-1",
                "depends_on",
                "Zenlayer API code: INVALID_NIC_ATTACHED",
            ])],
        );
        dir.apply().assert_success();
        assert_eq!(
            sim.attached_instance("nic-app-2").as_deref(),
            Some("ins-web-2")
        );
        assert_eq!(
            sim.attached_instance("nic-app-3").as_deref(),
            Some("ins-web-1")
        );
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
    });
}

#[test]
fn a_nic_held_by_an_attachment_being_removed_warns_and_the_suggested_targeted_removal_works() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let provider = sim.provider_block();
        let dir = tf
            .workdir()
            .config(&main_tf(&provider, &[("old", "nic-app-2", "ins-web-1")]));
        dir.apply().assert_success();

        let config = main_tf(&provider, &[("new", "nic-app-2", "ins-web-2")]);
        dir.write("main.tf", &config);
        assert_plan_reports(
            &dir,
            &config,
            &[Expect::warning(
                &addr("new"),
                NIC,
                "The NIC is held by another attachment in state",
            )
            .mentioning(&[
                "NIC nic-app-2 is USED on instance ins-web-1",
                "terraform apply -target=zenlayer_nic_attachment.<other>",
            ])],
        );
        dir.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            &format!("-target={}", addr("old")),
        ])
        .assert_success();
        assert_eq!(sim.attached_instance("nic-app-2"), None);
        let applied = dir.apply();
        applied.assert_success();
        assert!(from_human(&applied).is_empty(), "{applied:#?}");
        assert_eq!(
            sim.attached_instance("nic-app-2").as_deref(),
            Some("ins-web-2")
        );
    });
}

// ---- Found across the configuration ---------------------------------------------------------

#[test]
fn two_attachments_of_one_nic_get_one_error_before_either_is_applied() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("web", "nic-app-1", "ins-web-1"),
                ("web_again", "nic-app-1", "ins-web-2"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let plan = dir.run(&["plan", "-json"]);
        assert!(!plan.success(), "{}: the plan must fail", tf.version);
        let shown = from_json(&plan);
        assert_eq!(
            shown.len(),
            1,
            "{}: exactly one error: {shown:#?}",
            tf.version
        );
        let d = &shown[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            d.summary,
            "Two attachments in this configuration use the same NIC"
        );
        // Whichever of the two Terraform planned second is the one told.
        let address = d.address.as_deref().unwrap_or_default();
        assert!(
            [addr("web"), addr("web_again")]
                .iter()
                .any(|a| a == address),
            "{}: {address}",
            tf.version
        );
        let line = d.line.expect("the diagnostic points at a config line");
        assert_eq!(line, line_of(&config, address, Some(NIC)), "{}", tf.version);
        for word in ["nic-app-1", "ins-web-1", "ins-web-2"] {
            assert!(
                d.detail.contains(word),
                "{}: {word}: {}",
                tf.version,
                d.detail
            );
        }
        assert_eq!(
            sim.attached_instance("nic-app-1"),
            None,
            "nothing was attached"
        );
    });
}

// ---- Unknown IDs ----------------------------------------------------------------------------

#[test]
fn with_one_id_unknown_until_apply_the_known_side_is_still_checked_and_both_unknown_costs_no_call()
{
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        // `seed` is planned by a provider with checks off; the attachments below take one or
        // both IDs from its `region_id`, unknown until apply.
        let mut config = format!(
            "{}\nprovider \"zenlayer\" {{\n  alias               = \"quiet\"\n  domain              = \"{}\"\n  scheme              = \"http\"\n  access_key_id       = \"{}\"\n  access_key_password = \"{}\"\n  plan_checks         = \"off\"\n}}\n\nresource \"zenlayer_nic_attachment\" \"seed\" {{\n  provider    = zenlayer.quiet\n  nic_id      = \"nic-app-7\"\n  instance_id = \"ins-web-1\"\n}}\n\nresource \"zenlayer_nic_attachment\" \"later_instance\" {{\n  nic_id      = \"nic-missing-1\"\n  instance_id = zenlayer_nic_attachment.seed.region_id == \"\" ? \"ins-missing-1\" : \"ins-web-1\"\n}}\n\nresource \"zenlayer_nic_attachment\" \"later_nic\" {{\n  nic_id      = replace(zenlayer_nic_attachment.seed.region_id, \"asia-east-1\", \"nic-app-8\")\n  instance_id = \"ins-stopped-1\"\n}}\n\nresource \"zenlayer_nic_attachment\" \"both_later\" {{\n  nic_id      = replace(zenlayer_nic_attachment.seed.region_id, \"asia-east-1\", \"nic-missing-2\")\n  instance_id = replace(zenlayer_nic_attachment.seed.region_id, \"asia-east-1\", \"ins-missing-2\")\n}}\n",
            sim.provider_block(),
            sim.domain(),
            sim.api().access_key_id(),
            sim.api().access_key_password(),
        );
        if tf.has(Feature::TerraformData) {
            config.push_str(
                "\nresource \"terraform_data\" \"instance\" {\n  input = \"ins-missing-1\"\n}\n\nresource \"zenlayer_nic_attachment\" \"from_terraform_data\" {\n  nic_id      = \"nic-missing-1\"\n  instance_id = terraform_data.instance.output\n}\n",
            );
        }
        let dir = tf.workdir().config(&config);
        let human = dir.plan();
        let err = &human.stderr;
        assert!(
            !human.success(),
            "{}: known sides are checked: {err}",
            human.command
        );
        for (address, id) in [
            ("zenlayer_nic_attachment.later_instance", "nic-missing-1"),
            ("zenlayer_nic_attachment.later_nic", "ins-stopped-1"),
        ] {
            assert!(
                err.contains(&format!("with {address},")) && err.contains(id),
                "{}: {address} is reported with {id}: {err}",
                human.command
            );
        }
        if tf.has(Feature::TerraformData) {
            assert!(
                err.contains("with zenlayer_nic_attachment.from_terraform_data,"),
                "{err}"
            );
        }
        // What was not checked is not presented as checked: the unknown side is named so.
        assert!(err.contains("(known after apply)"), "{err}");
        assert!(
            !err.contains("both_later") && !err.contains("nic-missing-2"),
            "{}: nothing about the fully unknown attachment: {err}",
            human.command
        );
        let nic_reads = sim
            .api()
            .calls()
            .action("DescribeNetworkInterfaces")
            .received;
        let instance_reads = sim.api().calls().action("DescribeInstances").received;
        assert!(
            nic_reads >= 1 && instance_reads >= 1 && sim.api().calls().total_received() <= 6,
            "{}: the known sides are read, and only they: {:?}",
            human.command,
            sim.api().calls()
        );
    });
}

// ---- plan_checks -----------------------------------------------------------------------------

/// One attachment per error row (the attachments `apply_says_what_plan_said…` also uses).
const ERROR_ROWS: &[(&str, &str, &str)] = &[
    ("ghost_nic", "nic-missing-1", "ins-web-1"),
    ("ghost_instance", "nic-app-1", "ins-missing-1"),
    ("far_nic", "nic-eu-app-1", "ins-web-1"),
    ("failed_nic", "nic-failed-1", "ins-web-1"),
    ("deleting_nic", "nic-deleting-1", "ins-web-2"),
    ("taken_nic", "nic-db-1", "ins-web-2"),
    ("stopped", "nic-app-2", "ins-stopped-1"),
];

fn error_row_findings() -> Vec<Expect> {
    vec![
        Expect::error(&addr("ghost_nic"), NIC, "The NIC does not exist")
            .mentioning(&["INVALID_NIC_NOT_FOUND"]),
        Expect::error(
            &addr("ghost_instance"),
            INSTANCE,
            "The instance does not exist",
        )
        .mentioning(&["INVALID_INSTANCE_NOT_FOUND"]),
        Expect::error(&addr("far_nic"), NIC, "The NIC is in another region")
            .mentioning(&["INVALID_NIC_INSTANCE_REGION_MISMATCH"]),
        Expect::error(
            &addr("failed_nic"),
            NIC,
            "The NIC cannot be attached in its state",
        )
        .mentioning(&["CREATE_FAILED", "INVALID_NIC_STATUS"]),
        Expect::error(
            &addr("deleting_nic"),
            NIC,
            "The NIC cannot be attached in its state",
        )
        .mentioning(&["DELETING", "INVALID_NIC_STATUS"]),
        Expect::error(
            &addr("taken_nic"),
            NIC,
            "The NIC is attached to another instance",
        )
        .mentioning(&["INVALID_NIC_ATTACHED"]),
        Expect::error(&addr("stopped"), INSTANCE, "The instance is not running")
            .mentioning(&["OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"]),
    ]
}

#[test]
fn plan_checks_off_makes_no_api_call_during_plan_in_the_block_or_the_environment() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block_with("plan_checks = \"off\""),
            ERROR_ROWS,
        );
        let dir = tf.workdir().config(&config);
        assert_no_provider_diagnostics(&dir.plan(), &plan_json(&dir));
        assert_eq!(
            sim.api().calls().total_received(),
            0,
            "{:?}",
            sim.api().calls()
        );

        let config = main_tf(&sim.provider_block(), ERROR_ROWS);
        let dir = tf
            .workdir()
            .config(&config)
            .env("ZENLAYERCLOUD_PLAN_CHECKS", "off");
        assert_no_provider_diagnostics(&dir.plan(), &plan_json(&dir));
        assert_eq!(
            sim.api().calls().total_received(),
            0,
            "{:?}",
            sim.api().calls()
        );
    });
}

// ---- Replacements and tainted objects --------------------------------------------------------

#[test]
fn moving_an_attachment_to_another_instance_plans_and_applies_cleanly() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let provider = sim.provider_block();
        let dir = tf
            .workdir()
            .config(&main_tf(&provider, &[("app", "nic-app-1", "ins-web-1")]));
        dir.apply().assert_success();

        dir.write(
            "main.tf",
            &main_tf(&provider, &[("app", "nic-app-1", "ins-web-2")]),
        );
        let human = dir.plan();
        human.assert_stdout_contains("1 to add, 0 to change, 1 to destroy");
        assert_only_the_keeps_nic_note(&human, &plan_json(&dir), &addr("app"));
        let applied = dir.apply();
        applied.assert_success();
        let notes = from_human(&applied);
        assert!(notes.iter().all(|d| d.summary == KEEPS_NIC), "{applied:#?}");
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-2")
        );
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
    });
}

#[test]
fn replacing_an_attachment_onto_a_bad_target_reports_each_problem_once() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let provider = sim.provider_block();
        let dir = tf.workdir().config(&main_tf(
            &provider,
            &[
                ("to_stopped", "nic-app-1", "ins-web-1"),
                ("to_ghost", "nic-app-2", "ins-web-1"),
            ],
        ));
        dir.apply().assert_success();

        let config = main_tf(
            &provider,
            &[
                ("to_stopped", "nic-app-1", "ins-stopped-1"),
                ("to_ghost", "nic-missing-1", "ins-web-1"),
            ],
        );
        dir.write("main.tf", &config);
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::new(Severity::Warning, &addr("to_stopped"), None, KEEPS_NIC),
                Expect::error(&addr("to_stopped"), INSTANCE, "The instance is not running")
                    .mentioning(&["Instance ins-stopped-1 is in the STOPPED state"]),
                Expect::error(&addr("to_ghost"), NIC, "The NIC does not exist")
                    .mentioning(&["nic-missing-1"]),
            ],
        );
    });
}

#[test]
fn a_tainted_or_replaced_attachment_plans_and_applies_cleanly() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let dir = tf.workdir().config(&main_tf(
            &sim.provider_block(),
            &[("app", "nic-app-1", "ins-web-1")],
        ));
        dir.apply().assert_success();

        dir.run(&["taint", "-no-color", &addr("app")])
            .assert_success();
        let human = dir.plan();
        human.assert_stdout_contains("1 to add, 0 to change, 1 to destroy");
        assert_no_provider_diagnostics(&human, &plan_json(&dir));
        let applied = dir.apply();
        applied.assert_success();
        assert!(from_human(&applied).is_empty(), "{applied:#?}");
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-1")
        );

        let replace = format!("-replace={}", addr("app"));
        let human = dir.run(&["plan", "-no-color", "-input=false", &replace]);
        human.assert_stdout_contains("1 to add, 0 to change, 1 to destroy");
        let json = dir.run(&["plan", "-json", "-input=false", &replace]);
        assert_no_provider_diagnostics(&human, &json);
        let applied = dir.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            &replace,
        ]);
        applied.assert_success();
        assert!(from_human(&applied).is_empty(), "{applied:#?}");
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-1")
        );
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
    });
}

// ---- When the API cannot be read ------------------------------------------------------------

/// A provider block for `domain` with the given password.
fn provider_for(domain: &str, sim: &Sim, password: &str) -> String {
    format!(
        "provider \"zenlayer\" {{\n  domain              = \"{domain}\"\n  scheme              = \"http\"\n  access_key_id       = \"{}\"\n  access_key_password = \"{password}\"\n}}\n",
        sim.api().access_key_id()
    )
}

/// The single provider diagnostic of a human and a `-json` run, checked to be the same.
#[track_caller]
fn the_one_diagnostic(human: &Outcome, json: &Outcome) -> support::diagnostics::Shown {
    let h = from_human(human);
    assert_eq!(h.len(), 1, "{}: {h:#?}\n{human:#?}", human.command);
    let j = from_json(json);
    assert_eq!(j.len(), 1, "{}: {j:#?}", json.command);
    assert_eq!(h[0].severity, j[0].severity);
    assert_eq!(h[0].summary, j[0].summary);
    assert!(
        j[0].address
            .as_deref()
            .is_some_and(|a| a.starts_with("zenlayer_nic_attachment.")),
        "{:#?}",
        j[0]
    );
    j.into_iter().next().expect("one")
}

#[test]
fn wrong_credentials_are_one_error_naming_the_credential_settings() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let password = "not-the-password-1234";
        let config = main_tf(
            &provider_for(&sim.domain(), &sim, password),
            &[
                ("a", "nic-app-1", "ins-web-1"),
                ("b", "nic-missing-1", "ins-web-1"),
                ("c", "nic-app-2", "ins-stopped-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let human = dir.plan();
        let json = plan_json(&dir);
        assert!(!human.success() && !json.success(), "{human:#?}");
        let d = the_one_diagnostic(&human, &json);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.summary, "The API rejected the credentials");
        for words in [
            "access_key_id",
            "access_key_password",
            "access_token",
            "ZENLAYERCLOUD_ACCESS_KEY_ID",
            "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
            "ZENLAYERCLOUD_ACCESS_TOKEN",
            "AUTHFAILURE_SIGNATURE_FAILURE",
            "request id: SIM",
        ] {
            assert!(d.detail.contains(words), "lacks {words:?}: {}", d.detail);
        }
        human.assert_not_contains(password);
        json.assert_not_contains(password);
    });
}

#[test]
fn an_unreachable_api_is_one_warning_and_the_plan_succeeds() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let closed = ClosedPort::reserve();
        let domain = closed.addr().to_string();
        let config = main_tf(
            &provider_for(&domain, &sim, sim.api().access_key_password()),
            &[
                ("a", "nic-app-1", "ins-web-1"),
                ("b", "nic-missing-1", "ins-web-1"),
                ("c", "nic-app-2", "ins-stopped-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let human = dir.plan();
        let json = plan_json(&dir);
        human.assert_stdout_contains("Plan: 3 to add");
        json.assert_success();
        let d = the_one_diagnostic(&human, &json);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.summary, "Plan checks were skipped for this run");
        for words in [
            "the connection could not be established",
            "`domain`",
            "plan_checks = \"off\"",
        ] {
            assert!(d.detail.contains(words), "lacks {words:?}: {}", d.detail);
        }
    });
}

#[test]
fn throttling_that_passes_is_retried_and_the_plan_shows_the_real_findings() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("fine", "nic-app-1", "ins-web-1"),
                ("ghost_nic", "nic-missing-1", "ins-web-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let burst = || {
            sim.api()
                .set_faults(FaultConfig {
                    seed: Some(7),
                    ..FaultConfig::always(&[FaultKind::RateLimited], &[], Some(2))
                })
                .expect("a valid fault plan");
        };
        burst();
        let human = dir.plan();
        burst();
        let json = plan_json(&dir);
        assert_eq!(
            sim.api().faults().injected.rate_limited,
            4,
            "two throttled calls per plan: {:?}",
            sim.api().faults()
        );
        support::diagnostics::assert_reported(
            &human,
            &json,
            &config,
            &[
                Expect::error(&addr("ghost_nic"), NIC, "The NIC does not exist")
                    .mentioning(&["INVALID_NIC_NOT_FOUND"]),
            ],
        );
    });
}

#[test]
fn throttling_that_persists_is_one_warning_and_the_plan_succeeds() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        sim.api()
            .set_faults(FaultConfig {
                seed: Some(7),
                ..FaultConfig::always(&[FaultKind::RateLimited], &[], None)
            })
            .expect("a valid fault plan");
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("a", "nic-app-1", "ins-web-1"),
                ("b", "nic-missing-1", "ins-web-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let human = dir.plan();
        let json = plan_json(&dir);
        human.assert_stdout_contains("Plan: 2 to add");
        json.assert_success();
        let d = the_one_diagnostic(&human, &json);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.summary, "Plan checks were skipped for this run");
        assert!(d.detail.contains("REQUEST_LIMIT_EXCEEDED"), "{}", d.detail);
    });
}

// ---- Apply says what plan said -------------------------------------------------------------

#[test]
fn apply_says_what_plan_said_plus_the_request_id_and_the_apis_own_message() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::start();
        let checked = main_tf(&sim.provider_block(), ERROR_ROWS);
        let dir = tf.workdir().config(&checked);
        let predicted = assert_plan_reports(&dir, &checked, &error_row_findings());

        // The same attachments, each at the same line, planned without checks and applied.
        let unchecked = main_tf(
            &sim.provider_block_with("plan_checks = \"off\""),
            ERROR_ROWS,
        );
        assert_eq!(checked.lines().count(), unchecked.lines().count());
        dir.write("main.tf", &unchecked);
        let applied = apply_json(&dir);
        assert!(!applied.success(), "{applied:#?}");
        let answered = from_json(&applied);
        assert_eq!(answered.len(), predicted.len(), "{answered:#?}");
        for plan in &predicted {
            let apply = answered
                .iter()
                .find(|a| a.address == plan.address)
                .unwrap_or_else(|| {
                    panic!("apply said nothing about {:?}: {answered:#?}", plan.address)
                });
            let what = format!("{} ({:?})", applied.command, plan.address);
            assert_eq!(apply.severity, Severity::Error, "{what}");
            assert_eq!(apply.summary, plan.summary, "{what}");
            assert_eq!((&apply.file, apply.line), (&plan.file, plan.line), "{what}");
            let rest = apply
                .detail
                .strip_prefix(plan.detail.as_str())
                .unwrap_or_else(|| {
                    panic!("{what}: apply's detail differs from plan's:\n--- plan ---\n{}\n--- apply ---\n{}", plan.detail, apply.detail)
                });
            let (rid, said) = rest
                .strip_prefix(", request id: ")
                .and_then(|r| r.split_once("\nThe API said: "))
                .unwrap_or_else(|| panic!("{what}: after the plan's text comes {rest:?}"));
            assert!(
                rid.starts_with("SIM") && !rid.contains(char::is_whitespace),
                "{what}: {rid:?}"
            );
            assert!(
                said.starts_with('"') && said.ends_with('"') && !said.contains('\n'),
                "{what}: the API's message is not one quoted line: {said:?}"
            );
            assert!(
                !plan.detail.contains("The API said"),
                "{what}: a prediction shows an API message"
            );
        }
        assert_eq!(sim.attached_instance("nic-app-1"), None);
        assert_eq!(
            sim.attached_instance("nic-db-1").as_deref(),
            Some("ins-web-1")
        );
    });
}
