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
use support::{Feature, Outcome, Sim, Workdir, terraforms};
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

// ---- One scenario per row of the table ----------------------------------------------------

#[test]
fn a_missing_nic_fails_the_plan_at_nic_id() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[("app", "nic-missing-1", "ins-web-1")],
        );
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::error(&addr("app"), NIC, "The NIC does not exist").mentioning(&[
                    "no NIC with the ID nic-missing-1",
                    "Check `nic_id`",
                    "Zenlayer API code: INVALID_NIC_NOT_FOUND",
                ]),
            ],
        );
    }
}

#[test]
fn a_missing_instance_fails_the_plan_at_instance_id() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[("app", "nic-app-1", "ins-missing-1")],
        );
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::error(&addr("app"), INSTANCE, "The instance does not exist").mentioning(&[
                    "no ZEC instance with the ID ins-missing-1",
                    "Check `instance_id`",
                    "Zenlayer API code: INVALID_INSTANCE_NOT_FOUND",
                ]),
            ],
        );
    }
}

#[test]
fn a_nic_in_another_region_fails_the_plan_naming_both_regions() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[("app", "nic-eu-app-1", "ins-web-1")],
        );
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::error(&addr("app"), NIC, "The NIC is in another region").mentioning(&[
                    "NIC nic-eu-app-1 is in region europe-west-1",
                    "instance ins-web-1 is in region asia-east-1",
                    "Zenlayer API code: INVALID_NIC_INSTANCE_REGION_MISMATCH",
                ]),
            ],
        );
    }
}

#[test]
fn a_nic_that_failed_to_create_or_is_being_deleted_fails_the_plan() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("failed", "nic-failed-1", "ins-web-1"),
                ("deleting", "nic-deleting-1", "ins-web-2"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let summary = "The NIC cannot be attached in its state";
        assert_plan_reports(
            &dir,
            &config,
            &[
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
            ],
        );
    }
}

#[test]
fn a_pending_or_detaching_nic_only_warns_that_apply_will_wait() {
    for tf in terraforms() {
        let sim = Sim::start();
        set_nic(&sim, "nic-app-3", NicStatus::Detaching, Some("ins-web-2"));
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("pending", "nic-pending-1", "ins-web-1"),
                ("detaching", "nic-app-3", "ins-web-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        let summary = "The NIC is still changing state";
        assert_plan_reports(
            &dir,
            &config,
            &[
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
            ],
        );
    }
}

#[test]
fn a_nic_attached_elsewhere_outside_terraform_fails_the_plan_and_importing_it_moves_it() {
    for tf in terraforms() {
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
    }
}

#[test]
fn a_nic_attached_here_outside_terraform_fails_the_plan_and_the_suggested_import_works() {
    for tf in terraforms() {
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
    }
}

#[test]
fn a_nic_held_by_another_object_in_state_warns_and_depends_on_makes_the_apply_work() {
    for tf in terraforms() {
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
    }
}

#[test]
fn a_nic_held_by_an_attachment_being_removed_warns_and_the_suggested_targeted_removal_works() {
    for tf in terraforms() {
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
    }
}

#[test]
fn a_stopped_or_vanishing_instance_fails_the_plan_in_every_such_status() {
    for tf in terraforms() {
        let sim = Sim::start();
        // Each status with the words of the fix that fits it.
        let mut instances = vec![("ins-stopped-1".to_owned(), "STOPPED", "Start the instance")];
        for (status, fix) in [
            (
                InstanceStatus::Stopping,
                "Start it again once it is STOPPED",
            ),
            (
                InstanceStatus::Releasing,
                "Use another instance in `instance_id`",
            ),
            (
                InstanceStatus::Recycle,
                "Restore and start it in zenConsole",
            ),
            (
                InstanceStatus::Recycling,
                "Use another instance in `instance_id`",
            ),
            (InstanceStatus::CreateFailed, "will never run"),
        ] {
            let text = status.as_str().to_owned().leak();
            instances.push((new_instance(&sim, status), text, fix));
        }
        let names = [
            "stopped",
            "stopping",
            "releasing",
            "recycle",
            "recycling",
            "failed",
        ];
        let nics = (1..=6).map(|i| format!("nic-app-{i}")).collect::<Vec<_>>();
        let rows: Vec<(&str, &str, &str)> = (0..6)
            .map(|i| (names[i], nics[i].as_str(), instances[i].0.as_str()))
            .collect();
        let config = main_tf(&sim.provider_block(), &rows);
        let dir = tf.workdir().config(&config);
        let expected: Vec<Expect> = (0..6)
            .map(|i| {
                let (instance, status, fix) = &instances[i];
                Expect::error(&addr(names[i]), INSTANCE, "The instance is not running").mentioning(
                    &[
                        &format!("Instance {instance} is in the {status} state"),
                        fix,
                        "Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
                    ],
                )
            })
            .collect();
        assert_plan_reports(&dir, &config, &expected);
    }
}

#[test]
fn a_busy_instance_only_warns_that_apply_will_wait_in_every_such_status() {
    for tf in terraforms() {
        let sim = Sim::start();
        let mut instances = vec![("ins-booting-1".to_owned(), "BOOTING")];
        for status in [
            InstanceStatus::Deploying,
            InstanceStatus::Reboot,
            InstanceStatus::Rebuilding,
            InstanceStatus::Resizing,
            InstanceStatus::Imaging,
        ] {
            let text = status.as_str().to_owned().leak();
            instances.push((new_instance(&sim, status), text));
        }
        let names = [
            "booting",
            "deploying",
            "reboot",
            "rebuilding",
            "resizing",
            "imaging",
        ];
        let nics = (1..=6).map(|i| format!("nic-app-{i}")).collect::<Vec<_>>();
        let rows: Vec<(&str, &str, &str)> = (0..6)
            .map(|i| (names[i], nics[i].as_str(), instances[i].0.as_str()))
            .collect();
        let config = main_tf(&sim.provider_block(), &rows);
        let dir = tf.workdir().config(&config);
        let expected: Vec<Expect> = (0..6)
            .map(|i| {
                let (instance, status) = &instances[i];
                Expect::warning(
                    &addr(names[i]),
                    INSTANCE,
                    "The instance is still changing state",
                )
                .mentioning(&[
                    &format!("Instance {instance} is in the {status} state"),
                    "apply waits",
                    "Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
                ])
            })
            .collect();
        assert_plan_reports(&dir, &config, &expected);
    }
}

// ---- Several findings in one plan -----------------------------------------------------------

#[test]
fn three_failing_attachments_give_three_errors_in_one_plan() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[
                ("fine", "nic-app-1", "ins-web-1"),
                ("ghost_nic", "nic-missing-1", "ins-web-1"),
                ("ghost_instance", "nic-app-2", "ins-missing-1"),
                ("stopped", "nic-app-3", "ins-stopped-1"),
            ],
        );
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[
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
            ],
        );
    }
}

#[test]
fn two_attachments_of_one_nic_get_one_error_before_either_is_applied() {
    for tf in terraforms() {
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
    }
}

#[test]
fn one_attachment_with_two_problems_gets_both_errors() {
    for tf in terraforms() {
        let sim = Sim::start();
        let config = main_tf(
            &sim.provider_block(),
            &[("both", "nic-eu-app-1", "ins-stopped-1")],
        );
        let dir = tf.workdir().config(&config);
        assert_plan_reports(
            &dir,
            &config,
            &[
                Expect::error(&addr("both"), NIC, "The NIC is in another region")
                    .mentioning(&["europe-west-1", "asia-east-1"]),
                Expect::error(&addr("both"), INSTANCE, "The instance is not running")
                    .mentioning(&["Instance ins-stopped-1 is in the STOPPED state"]),
            ],
        );
    }
}

// ---- Unknown IDs ----------------------------------------------------------------------------

#[test]
fn with_one_id_unknown_until_apply_the_known_side_is_still_checked_and_both_unknown_costs_no_call()
{
    for tf in terraforms() {
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
    }
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
    for tf in terraforms() {
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
    }
}

#[test]
fn plan_checks_warn_turns_every_error_into_a_warning_and_the_plan_succeeds() {
    for tf in terraforms() {
        let sim = Sim::start();
        let mut rows = ERROR_ROWS.to_vec();
        rows.push(("here", "nic-stopped-1-data", "ins-stopped-1"));
        let config = main_tf(&sim.provider_block_with("plan_checks = \"warn\""), &rows);
        let dir = tf.workdir().config(&config);
        let mut expected: Vec<Expect> = error_row_findings()
            .into_iter()
            .map(Expect::warned)
            .collect();
        expected.extend([
            Expect::warning(
                &addr("here"),
                NIC,
                "The NIC is already attached to this instance",
            )
            .mentioning(&["terraform import"]),
            Expect::warning(&addr("here"), INSTANCE, "The instance is not running")
                .mentioning(&["STOPPED"]),
        ]);
        assert_plan_reports(&dir, &config, &expected);
    }
}

// ---- Replacements and tainted objects --------------------------------------------------------

#[test]
fn moving_an_attachment_to_another_instance_plans_and_applies_cleanly() {
    for tf in terraforms() {
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
    }
}

#[test]
fn replacing_an_attachment_onto_a_bad_target_reports_each_problem_once() {
    for tf in terraforms() {
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
    }
}

#[test]
fn a_tainted_or_replaced_attachment_plans_and_applies_cleanly() {
    for tf in terraforms() {
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
    }
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
    for tf in terraforms() {
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
    }
}

#[test]
fn an_unreachable_api_is_one_warning_and_the_plan_succeeds() {
    for tf in terraforms() {
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
    }
}

#[test]
fn throttling_that_passes_is_retried_and_the_plan_shows_the_real_findings() {
    for tf in terraforms() {
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
    }
}

#[test]
fn throttling_that_persists_is_one_warning_and_the_plan_succeeds() {
    for tf in terraforms() {
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
    }
}

// ---- Apply says what plan said -------------------------------------------------------------

#[test]
fn apply_says_what_plan_said_plus_the_request_id_and_the_apis_own_message() {
    for tf in terraforms() {
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
    }
}
