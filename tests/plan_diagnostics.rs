//! Plan diagnostics, the way a user meets them: a configuration, `terraform plan` (and `-json`),
//! and what Terraform prints: which attribute, which config line, which words. Every row of the
//! plan-check table, every status the table names, the `plan_checks` modes, unknown IDs,
//! replacements and tainted objects, an API that cannot be read, and the promise that an apply
//! says the same as the plan, plus the request id. Each test runs every Terraform under test,
//! each with its own simulator and working directory.

mod support;

use std::panic::RefUnwindSafe;

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

/// Runs `scenario` on every Terraform under test, each with a simulator of its own.
fn on_every_terraform(scenario: impl Fn(&Terraform, &Sim) + Sync) {
    for_each_terraform(Versions::All, |tf| scenario(tf, &Sim::start()));
}

/// Asserts the simulator has `nic` attached to `instance` (`None`: to nothing).
#[track_caller]
fn assert_attached(sim: &Sim, nic: &str, instance: Option<&str>) {
    assert_eq!(sim.attached_instance(nic).as_deref(), instance, "{nic}");
}

/// A working directory where `attachments` are applied under `sim`'s provider block: the
/// state the next configuration changes.
fn applied(tf: &Terraform, sim: &Sim, attachments: &[(&str, &str, &str)]) -> Workdir {
    let dir = tf
        .workdir()
        .config(&main_tf(&sim.provider_block(), attachments));
    dir.apply().assert_success();
    dir
}

/// Asserts a plan in `dir` succeeds with nothing to change.
#[track_caller]
fn assert_no_changes(dir: &Workdir) {
    dir.plan()
        .assert_success()
        .assert_stdout_contains("No changes");
}

/// Applies `old` (nic-app-2 on ins-web-1), then plans `config(provider block)`, which gives
/// that NIC to `new`, in the same directory: the plan must warn at `new`'s `nic_id` that the
/// NIC is still held by an attachment in state, with the words of the `fix` it suggests.
fn plan_giving_olds_nic_to_new(
    tf: &Terraform,
    sim: &Sim,
    config: impl FnOnce(&str) -> String,
    fix: &[&str],
) -> Workdir {
    let dir = applied(tf, sim, &[("old", "nic-app-2", "ins-web-1")]);
    let config = config(&sim.provider_block());
    dir.write("main.tf", &config);
    let held = warning_at(
        "new",
        NIC,
        "The NIC is held by another attachment in state",
        &["NIC nic-app-2 is USED on instance ins-web-1"],
    );
    assert_plan_reports(&dir, &config, &[held.mentioning(fix)]);
    dir
}

/// `main.tf` of `attachments` under `provider`, and a fresh working directory holding it.
fn configured(
    tf: &Terraform,
    provider: &str,
    attachments: &[(&str, &str, &str)],
) -> (String, Workdir) {
    let config = main_tf(provider, attachments);
    let dir = tf.workdir().config(&config);
    (config, dir)
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

/// An error the plan shows at `attr` of attachment `name`, saying each of `words`.
fn error_at(name: &str, attr: &'static str, summary: &str, words: &[&str]) -> Expect {
    Expect::error(&addr(name), attr, summary).mentioning(words)
}

/// A warning the plan shows at `attr` of attachment `name`, saying each of `words`.
fn warning_at(name: &str, attr: &'static str, summary: &str, words: &[&str]) -> Expect {
    Expect::warning(&addr(name), attr, summary).mentioning(words)
}

/// One case of the plan-check table: the world, the configuration, what the plan shows.
struct Row {
    /// The behaviour the row proves; named in every failure.
    behaviour: &'static str,
    /// Changes to the simulator's default world before the plan.
    setup: Box<dyn Fn(&Sim) + Sync + RefUnwindSafe>,
    /// Settings added to the provider block.
    provider: &'static str,
    /// One attachment per `(name, nic, instance)`.
    attachments: Vec<(String, String, String)>,
    /// Every diagnostic the provider shows, in `terraform plan` and `plan -json`.
    findings: Vec<Expect>,
}

impl Row {
    /// A row planned in the simulator's default world under the default provider block.
    fn new(
        behaviour: &'static str,
        attachments: &[(&str, &str, &str)],
        findings: Vec<Expect>,
    ) -> Row {
        Row {
            behaviour,
            setup: Box::new(|_| {}),
            provider: "",
            attachments: attachments
                .iter()
                .map(|(name, nic, instance)| ((*name).into(), (*nic).into(), (*instance).into()))
                .collect(),
            findings,
        }
    }

    /// The same row, with `setup` changing the world first.
    fn after(mut self, setup: impl Fn(&Sim) + Sync + RefUnwindSafe + 'static) -> Row {
        self.setup = Box::new(setup);
        self
    }

    /// The same row, with `settings` added to the provider block.
    fn with_provider(mut self, settings: &'static str) -> Row {
        self.provider = settings;
        self
    }
}

/// A row of one attachment per instance status, `nic-app-1` on the first status's instance,
/// `nic-app-2` on the second's, and so on: each status is `(status, attachment name, words)`,
/// the first status's instance is already in the simulator's world, the others are created,
/// and each attachment is reported as `finding(name, attr, summary, words)` with the words
/// "Instance <id> is in the <STATUS> state", `words` and the API code.
fn status_row(
    behaviour: &'static str,
    statuses: &[(InstanceStatus, &'static str, &'static str)],
    finding: fn(&str, &'static str, &str, &[&str]) -> Expect,
    summary: &'static str,
) -> Row {
    let instance_of = |status: &InstanceStatus| {
        format!("ins-{}-1", status.as_str().to_lowercase().replace('_', "-"))
    };
    let mut attachments = Vec::new();
    let mut findings = Vec::new();
    for (k, (status, name, words)) in statuses.iter().enumerate() {
        let instance = instance_of(status);
        findings.push(finding(
            name,
            INSTANCE,
            summary,
            &[
                &format!("Instance {instance} is in the {status} state"),
                words,
                "Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
            ],
        ));
        attachments.push(((*name).to_owned(), format!("nic-app-{}", k + 1), instance));
    }
    let created: Vec<InstanceStatus> = statuses[1..].iter().map(|(s, ..)| s.clone()).collect();
    Row {
        attachments,
        findings,
        ..Row::new(behaviour, &[], Vec::new())
    }
    .after(move |sim| {
        for status in &created {
            new_instance(sim, status.clone());
        }
    })
}

/// A row of attachments whose NICs are in a state the plan checks name: each
/// `(name, nic, instance, state)` is reported at its `nic_id` as `finding(name, NIC, summary,
/// words)`, with the words "NIC <nic> is in the <state>", `fix` and the API code.
fn nic_state_row(
    behaviour: &'static str,
    attachments: &[(&str, &str, &str, &str)],
    finding: fn(&str, &'static str, &str, &[&str]) -> Expect,
    summary: &str,
    fix: &str,
) -> Row {
    let findings = attachments
        .iter()
        .map(|(name, nic, _, state)| {
            finding(
                name,
                NIC,
                summary,
                &[
                    &format!("NIC {nic} is in the {state}"),
                    fix,
                    "Zenlayer API code: INVALID_NIC_STATUS",
                ],
            )
        })
        .collect();
    let attached: Vec<_> = attachments
        .iter()
        .map(|(name, nic, instance, _)| (*name, *nic, *instance))
        .collect();
    Row::new(behaviour, &attached, findings)
}

fn table() -> Vec<Row> {
    vec![
        Row::new(
            "a missing NIC fails the plan at nic_id",
            &[("app", "nic-missing-1", "ins-web-1")],
            vec![error_at(
                "app",
                NIC,
                "The NIC does not exist",
                &[
                    "no NIC with the ID nic-missing-1",
                    "Check `nic_id`",
                    "Zenlayer API code: INVALID_NIC_NOT_FOUND",
                ],
            )],
        ),
        Row::new(
            "a missing instance fails the plan at instance_id",
            &[("app", "nic-app-1", "ins-missing-1")],
            vec![error_at(
                "app",
                INSTANCE,
                "The instance does not exist",
                &[
                    "no ZEC instance with the ID ins-missing-1",
                    "Check `instance_id`",
                    "Zenlayer API code: INVALID_INSTANCE_NOT_FOUND",
                ],
            )],
        ),
        Row::new(
            "a NIC in another region fails the plan naming both regions",
            &[("app", "nic-eu-app-1", "ins-web-1")],
            vec![error_at(
                "app",
                NIC,
                "The NIC is in another region",
                &[
                    "NIC nic-eu-app-1 is in region europe-west-1",
                    "instance ins-web-1 is in region asia-east-1",
                    "Zenlayer API code: INVALID_NIC_INSTANCE_REGION_MISMATCH",
                ],
            )],
        ),
        nic_state_row(
            "a NIC that failed to create or is being deleted fails the plan",
            &[
                ("failed", "nic-failed-1", "ins-web-1", "CREATE_FAILED state"),
                ("deleting", "nic-deleting-1", "ins-web-2", "DELETING state"),
            ],
            error_at,
            "The NIC cannot be attached in its state",
            "Create a new NIC",
        ),
        nic_state_row(
            "a pending or detaching NIC only warns that apply will wait",
            &[
                (
                    "pending",
                    "nic-pending-1",
                    "ins-web-1",
                    "PENDING state (still being created)",
                ),
                (
                    "detaching",
                    "nic-app-3",
                    "ins-web-1",
                    "DETACHING state (being detached from instance ins-web-2)",
                ),
            ],
            warning_at,
            "The NIC is still changing state",
            "apply waits",
        )
        .after(|sim| set_nic(sim, "nic-app-3", NicStatus::Detaching, Some("ins-web-2"))),
        // Each status with the words of the fix that fits it.
        status_row(
            "a stopped or vanishing instance fails the plan in every such status",
            &[
                (InstanceStatus::Stopped, "stopped", "Start the instance"),
                (
                    InstanceStatus::Stopping,
                    "stopping",
                    "Start it again once it is STOPPED",
                ),
                (
                    InstanceStatus::Releasing,
                    "releasing",
                    "Use another instance in `instance_id`",
                ),
                (
                    InstanceStatus::Recycle,
                    "recycle",
                    "Restore and start it in zenConsole",
                ),
                (
                    InstanceStatus::Recycling,
                    "recycling",
                    "Use another instance in `instance_id`",
                ),
                (InstanceStatus::CreateFailed, "failed", "will never run"),
            ],
            error_at,
            "The instance is not running",
        ),
        status_row(
            "a busy instance only warns that apply will wait in every such status",
            &[
                (InstanceStatus::Booting, "booting", "apply waits"),
                (InstanceStatus::Deploying, "deploying", "apply waits"),
                (InstanceStatus::Reboot, "reboot", "apply waits"),
                (InstanceStatus::Rebuilding, "rebuilding", "apply waits"),
                (InstanceStatus::Resizing, "resizing", "apply waits"),
                (InstanceStatus::Imaging, "imaging", "apply waits"),
            ],
            warning_at,
            "The instance is still changing state",
        ),
        Row::new(
            "three failing attachments give three errors in one plan",
            &[
                ("fine", "nic-app-1", "ins-web-1"),
                ("ghost_nic", "nic-missing-1", "ins-web-1"),
                ("ghost_instance", "nic-app-2", "ins-missing-1"),
                ("stopped", "nic-app-3", "ins-stopped-1"),
            ],
            error_row_findings()
                .into_iter()
                .filter(|e| {
                    ["ghost_nic", "ghost_instance", "stopped"]
                        .map(addr)
                        .contains(&e.address)
                })
                .collect(),
        ),
        Row::new(
            "one attachment with two problems gets both errors",
            &[("both", "nic-eu-app-1", "ins-stopped-1")],
            vec![
                error_at(
                    "both",
                    NIC,
                    "The NIC is in another region",
                    &["europe-west-1", "asia-east-1"],
                ),
                error_at(
                    "both",
                    INSTANCE,
                    "The instance is not running",
                    &["Instance ins-stopped-1 is in the STOPPED state"],
                ),
            ],
        ),
        Row::new(
            "plan_checks = \"warn\" turns every error into a warning and the plan succeeds",
            &[
                ERROR_ROWS,
                &[("here", "nic-stopped-1-data", "ins-stopped-1")],
            ]
            .concat(),
            error_row_findings()
                .into_iter()
                .map(Expect::warned)
                .chain([
                    warning_at(
                        "here",
                        NIC,
                        "The NIC is already attached to this instance",
                        &["terraform import"],
                    ),
                    warning_at(
                        "here",
                        INSTANCE,
                        "The instance is not running",
                        &["STOPPED"],
                    ),
                ])
                .collect(),
        )
        .with_provider("plan_checks = \"warn\""),
    ]
}

/// Plans one row on one Terraform, in a simulator and working directory of its own.
fn plan_row(tf: &Terraform, row: &Row) {
    let sim = Sim::start();
    (row.setup)(&sim);
    let provider = if row.provider.is_empty() {
        sim.provider_block()
    } else {
        sim.provider_block_with(row.provider)
    };
    let attachments: Vec<(&str, &str, &str)> = row
        .attachments
        .iter()
        .map(|(name, nic, instance)| (name.as_str(), nic.as_str(), instance.as_str()))
        .collect();
    let (config, dir) = configured(tf, &provider, &attachments);
    assert_plan_reports(&dir, &config, &row.findings);
}

#[test]
fn every_row_of_the_plan_check_table_shows_its_findings_in_plan_and_plan_json() {
    for_each_terraform(Versions::All, |tf| {
        let failed: Vec<&str> = table()
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
    on_every_terraform(|tf, sim| {
        set_nic(sim, "nic-app-4", NicStatus::Attaching, Some("ins-web-1"));
        let (config, dir) = configured(
            tf,
            &sim.provider_block(),
            &[
                ("used", "nic-db-1", "ins-web-2"),
                ("attaching", "nic-app-4", "ins-web-2"),
            ],
        );
        let summary = "The NIC is attached to another instance";
        assert_plan_reports(
            &dir,
            &config,
            &[
                error_at(
                    "used",
                    NIC,
                    summary,
                    &[
                        "NIC nic-db-1 is USED on instance ins-web-1",
                        "cannot be attached to instance ins-web-2",
                        "moving it DETACHES THE NIC FROM INSTANCE ins-web-1, which someone else may \
                     be running",
                        "terraform import zenlayer_nic_attachment.<name> nic-db-1:ins-web-1",
                        "Zenlayer API code: INVALID_NIC_ATTACHED",
                    ],
                ),
                error_at(
                    "attaching",
                    NIC,
                    summary,
                    &[
                        "NIC nic-app-4 is ATTACHING on instance ins-web-1",
                        "Zenlayer API code: INVALID_NIC_ATTACHED",
                    ],
                ),
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
        assert_attached(sim, "nic-db-1", Some("ins-web-2"));
    });
}

#[test]
fn a_nic_attached_here_outside_terraform_fails_the_plan_and_the_suggested_import_works() {
    on_every_terraform(|tf, sim| {
        let (config, dir) = configured(
            tf,
            &sim.provider_block(),
            &[("db", "nic-db-1", "ins-web-1")],
        );
        assert_plan_reports(
            &dir,
            &config,
            &[error_at(
                "db",
                NIC,
                "The NIC is already attached to this instance",
                &[
                    "NIC nic-db-1 is already USED on instance ins-web-1",
                    "terraform import zenlayer_nic_attachment.<name> nic-db-1:ins-web-1",
                    "Zenlayer API code: INVALID_NIC_ATTACHED",
                ],
            )],
        );

        dir.import(&addr("db"), "nic-db-1:ins-web-1")
            .assert_success();
        assert_no_changes(&dir);
    });
}

#[test]
fn a_nic_held_by_another_object_in_state_warns_and_depends_on_makes_the_apply_work() {
    on_every_terraform(|tf, sim| {
        // `old` takes another NIC; `new` takes old's NIC to another instance, after `old`.
        let dir = plan_giving_olds_nic_to_new(
            tf,
            sim,
            |provider| {
                format!(
                    "{}\n{}\nresource \"zenlayer_nic_attachment\" \"new\" {{\n  nic_id      = \"nic-app-2\"\n  instance_id = \"ins-web-2\"\n  depends_on  = [zenlayer_nic_attachment.old]\n}}\n",
                    provider,
                    attachment("old", "nic-app-3", "ins-web-1", ""),
                )
            },
            &["depends_on", "Zenlayer API code: INVALID_NIC_ATTACHED"],
        );
        dir.apply().assert_success();
        assert_attached(sim, "nic-app-2", Some("ins-web-2"));
        assert_attached(sim, "nic-app-3", Some("ins-web-1"));
        assert_no_changes(&dir);
    });
}

#[test]
fn a_nic_held_by_an_attachment_being_removed_warns_and_the_suggested_targeted_removal_works() {
    on_every_terraform(|tf, sim| {
        let dir = plan_giving_olds_nic_to_new(
            tf,
            sim,
            |provider| main_tf(provider, &[("new", "nic-app-2", "ins-web-2")]),
            &["terraform apply -target=zenlayer_nic_attachment.<other>"],
        );
        dir.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            &format!("-target={}", addr("old")),
        ])
        .assert_success();
        assert_attached(sim, "nic-app-2", None);
        let applied = dir.apply();
        applied.assert_success();
        assert!(from_human(&applied).is_empty(), "{applied:#?}");
        assert_attached(sim, "nic-app-2", Some("ins-web-2"));
    });
}

// ---- Found across the configuration ---------------------------------------------------------

#[test]
fn two_attachments_of_one_nic_get_one_error_before_either_is_applied() {
    on_every_terraform(|tf, sim| {
        let (config, dir) = configured(
            tf,
            &sim.provider_block(),
            &[
                ("web", "nic-app-1", "ins-web-1"),
                ("web_again", "nic-app-1", "ins-web-2"),
            ],
        );
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
    on_every_terraform(|tf, sim| {
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
        error_at(
            "ghost_nic",
            NIC,
            "The NIC does not exist",
            &["INVALID_NIC_NOT_FOUND"],
        ),
        error_at(
            "ghost_instance",
            INSTANCE,
            "The instance does not exist",
            &["INVALID_INSTANCE_NOT_FOUND"],
        ),
        error_at(
            "far_nic",
            NIC,
            "The NIC is in another region",
            &["INVALID_NIC_INSTANCE_REGION_MISMATCH"],
        ),
        error_at(
            "failed_nic",
            NIC,
            "The NIC cannot be attached in its state",
            &["CREATE_FAILED", "INVALID_NIC_STATUS"],
        ),
        error_at(
            "deleting_nic",
            NIC,
            "The NIC cannot be attached in its state",
            &["DELETING", "INVALID_NIC_STATUS"],
        ),
        error_at(
            "taken_nic",
            NIC,
            "The NIC is attached to another instance",
            &["INVALID_NIC_ATTACHED"],
        ),
        error_at(
            "stopped",
            INSTANCE,
            "The instance is not running",
            &["OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"],
        ),
    ]
}

#[test]
fn plan_checks_off_makes_no_api_call_during_plan_in_the_block_or_the_environment() {
    on_every_terraform(|tf, sim| {
        // Off in the provider block, then off in the environment.
        for (provider, env) in [
            (sim.provider_block_with("plan_checks = \"off\""), None),
            (sim.provider_block(), Some("off")),
        ] {
            let (_, mut dir) = configured(tf, &provider, ERROR_ROWS);
            if let Some(mode) = env {
                dir = dir.env("ZENLAYERCLOUD_PLAN_CHECKS", mode);
            }
            assert_no_provider_diagnostics(&dir.plan(), &plan_json(&dir));
            assert_eq!(
                sim.api().calls().total_received(),
                0,
                "{:?}",
                sim.api().calls()
            );
        }
    });
}

// ---- Replacements and tainted objects --------------------------------------------------------

#[test]
fn moving_an_attachment_to_another_instance_plans_and_applies_cleanly() {
    on_every_terraform(|tf, sim| {
        let provider = sim.provider_block();
        let dir = applied(tf, sim, &[("app", "nic-app-1", "ins-web-1")]);

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
        assert_attached(sim, "nic-app-1", Some("ins-web-2"));
        assert_no_changes(&dir);
    });
}

#[test]
fn replacing_an_attachment_onto_a_bad_target_reports_each_problem_once() {
    on_every_terraform(|tf, sim| {
        let dir = applied(
            tf,
            sim,
            &[
                ("to_stopped", "nic-app-1", "ins-web-1"),
                ("to_ghost", "nic-app-2", "ins-web-1"),
            ],
        );

        let config = main_tf(
            &sim.provider_block(),
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
                error_at(
                    "to_stopped",
                    INSTANCE,
                    "The instance is not running",
                    &["Instance ins-stopped-1 is in the STOPPED state"],
                ),
                error_at(
                    "to_ghost",
                    NIC,
                    "The NIC does not exist",
                    &["nic-missing-1"],
                ),
            ],
        );
    });
}

#[test]
fn a_tainted_or_replaced_attachment_plans_and_applies_cleanly() {
    on_every_terraform(|tf, sim| {
        let dir = applied(tf, sim, &[("app", "nic-app-1", "ins-web-1")]);

        dir.run(&["taint", "-no-color", &addr("app")])
            .assert_success();
        let human = dir.plan();
        human.assert_stdout_contains("1 to add, 0 to change, 1 to destroy");
        assert_no_provider_diagnostics(&human, &plan_json(&dir));
        let applied = dir.apply();
        applied.assert_success();
        assert!(from_human(&applied).is_empty(), "{applied:#?}");
        assert_attached(sim, "nic-app-1", Some("ins-web-1"));

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
        assert_attached(sim, "nic-app-1", Some("ins-web-1"));
        assert_no_changes(&dir);
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

/// One attachment that is fine and two that plan checks would refuse: what the scenarios of
/// an API that cannot be read plan.
const CHECKED: &[(&str, &str, &str)] = &[
    ("a", "nic-app-1", "ins-web-1"),
    ("b", "nic-missing-1", "ins-web-1"),
    ("c", "nic-app-2", "ins-stopped-1"),
];

/// Plans `attachments` under `provider` (`terraform plan` and `plan -json`) and checks both
/// show one provider diagnostic, the same, of `severity` and `summary`, whose detail says each
/// of `words`; returns both runs.
fn plan_with_one_diagnostic(
    tf: &Terraform,
    provider: &str,
    attachments: &[(&str, &str, &str)],
    (severity, summary): (Severity, &str),
    words: &[&str],
) -> (Outcome, Outcome) {
    let (_, dir) = configured(tf, provider, attachments);
    let human = dir.plan();
    let json = plan_json(&dir);
    let d = the_one_diagnostic(&human, &json);
    assert_eq!(d.severity, severity);
    assert_eq!(d.summary, summary);
    for words in words {
        assert!(d.detail.contains(words), "lacks {words:?}: {}", d.detail);
    }
    (human, json)
}

/// What a plan shows when the API could not be read for its checks.
const SKIPPED: (Severity, &str) = (Severity::Warning, "Plan checks were skipped for this run");

#[test]
fn wrong_credentials_are_one_error_naming_the_credential_settings() {
    on_every_terraform(|tf, sim| {
        let password = "not-the-password-1234";
        let (human, json) = plan_with_one_diagnostic(
            tf,
            &provider_for(&sim.domain(), sim, password),
            CHECKED,
            (Severity::Error, "The API rejected the credentials"),
            &[
                "access_key_id",
                "access_key_password",
                "access_token",
                "ZENLAYERCLOUD_ACCESS_KEY_ID",
                "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
                "ZENLAYERCLOUD_ACCESS_TOKEN",
                "AUTHFAILURE_SIGNATURE_FAILURE",
                "request id: SIM",
            ],
        );
        assert!(!human.success() && !json.success(), "{human:#?}");
        human.assert_not_contains(password);
        json.assert_not_contains(password);
    });
}

#[test]
fn an_unreachable_api_is_one_warning_and_the_plan_succeeds() {
    on_every_terraform(|tf, sim| {
        let closed = ClosedPort::reserve();
        let domain = closed.addr().to_string();
        let (human, json) = plan_with_one_diagnostic(
            tf,
            &provider_for(&domain, sim, sim.api().access_key_password()),
            CHECKED,
            SKIPPED,
            &[
                "the connection could not be established",
                "`domain`",
                "plan_checks = \"off\"",
            ],
        );
        human.assert_stdout_contains("Plan: 3 to add");
        json.assert_success();
    });
}

#[test]
fn throttling_that_passes_is_retried_and_the_plan_shows_the_real_findings() {
    on_every_terraform(|tf, sim| {
        let (config, dir) = configured(
            tf,
            &sim.provider_block(),
            &[
                ("fine", "nic-app-1", "ins-web-1"),
                ("ghost_nic", "nic-missing-1", "ins-web-1"),
            ],
        );
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
            &[error_at(
                "ghost_nic",
                NIC,
                "The NIC does not exist",
                &["INVALID_NIC_NOT_FOUND"],
            )],
        );
    });
}

#[test]
fn throttling_that_persists_is_one_warning_and_the_plan_succeeds() {
    on_every_terraform(|tf, sim| {
        sim.api()
            .set_faults(FaultConfig {
                seed: Some(7),
                ..FaultConfig::always(&[FaultKind::RateLimited], &[], None)
            })
            .expect("a valid fault plan");
        let (human, json) = plan_with_one_diagnostic(
            tf,
            &sim.provider_block(),
            &CHECKED[..2],
            SKIPPED,
            &["REQUEST_LIMIT_EXCEEDED"],
        );
        human.assert_stdout_contains("Plan: 2 to add");
        json.assert_success();
    });
}

// ---- Apply says what plan said -------------------------------------------------------------

#[test]
fn apply_says_what_plan_said_plus_the_request_id_and_the_apis_own_message() {
    on_every_terraform(|tf, sim| {
        let (checked, dir) = configured(tf, &sim.provider_block(), ERROR_ROWS);
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
        assert_attached(sim, "nic-app-1", None);
        assert_attached(sim, "nic-db-1", Some("ins-web-1"));
    });
}
