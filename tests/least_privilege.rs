//! Least-privilege keys: zenlayer-sim refuses chosen actions to the credentials, as a
//! restricted zenConsole policy does. A plan still runs every check that does not need a
//! refused read and warns once per missing permission; apply, destroy and import name the
//! refused action. And each command calls exactly the actions the company networks guide lists
//! for it, so a security team can write the policy from the docs.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::lifecycle::{assert_used_by, attachment, errors, main_tf};
use support::{Feature, Sim, Terraform, folded_output};
use support::{Versions, for_each_terraform};
use tpz::sim::Policy;

const GUIDE: &str = include_str!("../docs/guides/company-networks.md");
const NOT_PERMITTED: &str = "Some plan checks could not run: a permission is missing";

fn deny(sim: &Sim, actions: &[&str]) {
    sim.api()
        .set_policy(Policy::denying(actions).expect("served actions"))
        .expect("a valid policy");
}

#[test]
fn a_plan_without_describe_zones_runs_every_other_check_and_warns_once() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let sim = Sim::quick();
        deny(&sim, &["DescribeZones"]);
        let config = main_tf(
            &sim.provider_block(),
            &[
                attachment("stopped", "nic-app-1", "ins-stopped-1", ""),
                attachment("other_region", "nic-eu-app-1", "ins-web-1", ""),
                attachment("fine", "nic-app-2", "ins-web-2", ""),
            ],
        );
        let dir = tf.workdir().config(&config);
        let plan = dir.plan();
        let text = folded_output(&plan);
        assert!(
            !plan.success(),
            "{}: the stopped instance must still fail the plan",
            plan.command
        );
        assert!(
            text.contains("Zenlayer API code: OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"),
            "{}: the instance check needs no DescribeZones and must run:\n{text}",
            plan.command
        );
        assert!(
            !text.contains("INVALID_NIC_INSTANCE_REGION_MISMATCH"),
            "{}: the region check needs DescribeZones:\n{text}",
            plan.command
        );
        assert_eq!(
            text.matches(NOT_PERMITTED).count(),
            1,
            "{}: one warning for the missing permission:\n{text}",
            plan.command
        );
        assert!(
            text.contains("may not call the Zenlayer API action DescribeZones")
                && text.contains("whether the NIC and the instance are in the same region"),
            "{}: the warning names the action and the check:\n{text}",
            plan.command
        );
        let errors = errors(&plan);
        assert_eq!(
            errors.len(),
            1,
            "{}: only the stopped instance fails:\n{errors:#?}",
            plan.command
        );

        // Without the stopped instance, the plan succeeds with the warning alone.
        let dir = tf.workdir().config(&main_tf(
            &sim.provider_block(),
            &[attachment("fine", "nic-app-2", "ins-web-2", "")],
        ));
        let plan = dir.plan();
        plan.assert_success();
        assert_eq!(folded_output(&plan).matches(NOT_PERMITTED).count(), 1);
    });
}

#[test]
fn a_plan_without_describe_instances_still_checks_the_nics() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let sim = Sim::quick();
        deny(&sim, &["DescribeInstances"]);
        let config = main_tf(
            &sim.provider_block(),
            &[
                attachment("taken", "nic-db-1", "ins-web-2", ""),
                attachment("stopped", "nic-app-1", "ins-stopped-1", ""),
            ],
        );
        let plan = tf.workdir().config(&config).plan();
        let text = folded_output(&plan);
        assert!(
            !plan.success() && text.contains("Zenlayer API code: INVALID_NIC_ATTACHED"),
            "{}: the NIC attached elsewhere is still found:\n{text}",
            plan.command
        );
        assert!(
            !text.contains("OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"),
            "{}: instance checks cannot run:\n{text}",
            plan.command
        );
        assert_eq!(text.matches(NOT_PERMITTED).count(), 1, "{text}");
        assert!(
            text.contains("may not call the Zenlayer API action DescribeInstances"),
            "{text}"
        );
    });
}

#[test]
fn apply_destroy_and_import_name_the_refused_action_and_its_permission() {
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let sim = Sim::quick();
        let config = main_tf(
            &sim.provider_block(),
            &[attachment("app", "nic-app-3", "ins-web-1", "")],
        );
        let dir = tf.workdir().config(&config);
        let refused = |out: &support::Outcome, action: &str| {
            let error = errors(out).join("\n");
            assert!(
                !out.success()
                    && error.contains("The credentials are not allowed this API action")
                    && error.contains(&format!("refused the action {action}"))
                    && error.contains(&format!("permission for the ZEC action {action}"))
                    && error.contains("AUTHFAILURE_UNAUTHORIZED_OPERATION"),
                "{}: expected the refusal of {action} to be named:\n{error}",
                out.command
            );
        };

        deny(&sim, &["AttachNetworkInterface"]);
        refused(&dir.apply(), "AttachNetworkInterface");

        deny(&sim, &[]);
        dir.apply().assert_success();
        assert_used_by(&sim, "nic-app-3", "ins-web-1", "after the apply");

        deny(&sim, &["DetachNetworkInterface"]);
        refused(&dir.destroy(), "DetachNetworkInterface");
        assert_used_by(&sim, "nic-app-3", "ins-web-1", "nothing was detached");

        dir.run(&["state", "rm", "zenlayer_nic_attachment.app"])
            .assert_success();
        deny(&sim, &["DescribeNetworkInterfaces"]);
        refused(
            &dir.import("zenlayer_nic_attachment.app", "nic-app-3:ins-web-1"),
            "DescribeNetworkInterfaces",
        );
    });
}

/// The guide's table: command → the actions it lists.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    GUIDE
        .lines()
        .filter(|l| l.starts_with("| `terraform "))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // "`terraform plan` (…)" → "plan".
            let command = cells[1]
                .split('`')
                .nth(1)
                .and_then(|c| c.split_whitespace().nth(1))
                .expect("a command in backticks")
                .to_owned();
            let actions = cells[2]
                .split(',')
                .map(|a| a.trim().trim_matches('`').to_owned())
                .filter(|a| !a.is_empty())
                .collect();
            (command, actions)
        })
        .collect()
}

fn called(sim: &Sim) -> BTreeSet<String> {
    let calls = sim.api().calls();
    sim.api().reset_calls();
    calls
        .actions
        .into_iter()
        .filter(|(_, c)| c.received > 0)
        .map(|(a, _)| a)
        .collect()
}

#[test]
fn each_command_calls_exactly_the_actions_the_guide_lists() {
    let table = documented();
    let listed = |command: &str| {
        table
            .get(command)
            .unwrap_or_else(|| panic!("the guide lists no actions for `terraform {command}`"))
            .clone()
    };
    for_each_terraform(Versions::OldestAndNewest, |tf: &Terraform| {
        let sim = Sim::quick();
        let config = main_tf(
            &sim.provider_block(),
            &[attachment("app", "nic-app-5", "ins-web-1", "")],
        );
        let dir = tf.workdir().config(&config);
        let mut seen = BTreeMap::new();
        dir.plan().assert_success();
        seen.insert("plan", called(&sim));
        dir.apply().assert_success();
        seen.insert("apply", called(&sim));
        dir.run(&["refresh", "-no-color", "-input=false"])
            .assert_success();
        seen.insert("refresh", called(&sim));
        dir.run(&["state", "rm", "zenlayer_nic_attachment.app"])
            .assert_success();
        dir.import("zenlayer_nic_attachment.app", "nic-app-5:ins-web-1")
            .assert_success();
        seen.insert("import", called(&sim));
        if tf.supports(Feature::Query) {
            dir.write(
                "list.tfquery.hcl",
                "list \"zenlayer_nic_attachment\" \"all\" {\n  provider = zenlayer\n}\n",
            );
            dir.run(&["query", "-no-color"]).assert_success();
            seen.insert("query", called(&sim));
        }
        dir.destroy().assert_success();
        seen.insert("destroy", called(&sim));
        let wrong: Vec<String> = seen
            .iter()
            .filter(|(command, actions)| **actions != listed(command))
            .map(|(command, actions)| {
                format!(
                    "`terraform {command}` called {actions:?}; the guide lists {:?}",
                    listed(command)
                )
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "Terraform {}:\n{}",
            tf.version,
            wrong.join("\n")
        );
    });
}
