//! Every documented Attach and Detach refusal, met at apply with plan checks off (so nothing
//! predicted it): the user reads a plain summary, an explanation with what was observed, the
//! config line of the attribute at fault, and the API code with its request id; and nothing
//! is lost: a refused attach leaves no state, a refused detach keeps the attachment.
//!
//! Terraform sends no configuration with a destroy and prints destroy errors without a config
//! line (with every provider), so detach refusals name the NIC and the instance in their text.
//!
//! Refusals the simulated world cannot cause by itself (a failed instance pre-check, a NIC
//! behind a load balancer, …) come from the simulator's `code:<CODE>` faults.

mod support;

use support::lifecycle::{
    ATTACH, DETACH, Refusal, StateReading, applied, assert_available, assert_quiet,
    assert_received_and_failed, assert_used_by, attachment, main_tf, writes,
};
use support::{Sim, Workdir};
use support::{Versions, for_each_terraform};
use tpz::sim::{FaultConfig, FaultKind, InstancePatch};
use tpz::zenlayer::codes;
use tpz::zenlayer::models::InstanceStatus;

const WEB: &str = "zenlayer_nic_attachment.web";

fn checks_off(sim: &Sim) -> String {
    sim.provider_block_with("plan_checks = \"off\"")
}

/// Answers the next `max` calls to `action` (all of them when `None`) with `code`.
fn refuse_with(sim: &Sim, action: &str, code: &'static str, max: Option<u64>) {
    sim.api()
        .set_faults(FaultConfig::always(
            &[FaultKind::Code(code)],
            &[action],
            max,
        ))
        .expect("a valid fault plan");
}

/// The attachment `web` of `nic` to `instance`, created by `terraform apply`.
fn attached(tf: &support::Terraform, sim: &Sim, nic: &str, instance: &str) -> Workdir {
    applied(
        tf,
        &main_tf(&checks_off(sim), &[attachment("web", nic, instance, "")]),
    )
}

/// The attachment `web` of ins-web-1's primary NIC, taken into state by `terraform import`
/// (Terraform never creates one).
fn imported_primary(tf: &support::Terraform, sim: &Sim) -> Workdir {
    let dir = tf.workdir().config(&main_tf(
        &checks_off(sim),
        &[attachment("web", "nic-web-1-primary", "ins-web-1", "")],
    ));
    dir.import(WEB, "nic-web-1-primary").assert_success();
    dir
}

/// Zenlayer's pre-check of ins-web-1 failing; `detail` says which write it was asked for.
fn precheck_failed(detail: &str) -> Refusal<'_> {
    Refusal {
        summary: "The instance failed Zenlayer's pre-check",
        detail,
        attribute: "instance_id",
        code: codes::INVALID_INSTANCE_PRECHECK_ABNORMAL,
    }
}

/// Asserts the refused destroy kept the attachment in state, untainted, as it was.
#[track_caller]
fn assert_kept(dir: &Workdir, nic: &str, instance: &str) {
    let resource = dir
        .resource_json(WEB)
        .expect("a refused destroy keeps the attachment in state");
    assert_eq!(resource["values"]["id"], format!("{nic}:{instance}"));
    assert_ne!(resource["tainted"], true);
}

#[test]
fn attach_refusals_name_the_attribute_at_fault_and_leave_no_state() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let cases = [
            (
                "nic_missing",
                "nic-missing-1",
                "ins-web-1",
                Refusal {
                    summary: "The NIC does not exist",
                    detail: "Zenlayer has no NIC with the ID nic-missing-1",
                    attribute: "nic_id",
                    code: codes::INVALID_NIC_NOT_FOUND,
                },
            ),
            (
                "instance_missing",
                "nic-app-2",
                "ins-missing-1",
                Refusal {
                    summary: "The instance does not exist",
                    detail: "Zenlayer has no ZEC instance with the ID ins-missing-1, so NIC \
                             nic-app-2 cannot be attached to it.",
                    attribute: "instance_id",
                    code: codes::INVALID_INSTANCE_NOT_FOUND,
                },
            ),
            (
                "other_region",
                "nic-eu-app-1",
                "ins-web-1",
                Refusal {
                    summary: "The NIC is in another region",
                    detail: "NIC nic-eu-app-1 is in region europe-west-1, but instance ins-web-1 \
                             is in region asia-east-1 (zone asia-east-1a).",
                    attribute: "nic_id",
                    code: codes::INVALID_NIC_INSTANCE_REGION_MISMATCH,
                },
            ),
            (
                "failed_nic",
                "nic-failed-1",
                "ins-web-1",
                Refusal {
                    summary: "The NIC cannot be attached in its state",
                    detail: "NIC nic-failed-1 is in the CREATE_FAILED state.",
                    attribute: "nic_id",
                    code: codes::INVALID_NIC_STATUS,
                },
            ),
            (
                "attached_elsewhere",
                "nic-db-1",
                "ins-web-2",
                Refusal {
                    summary: "The NIC is attached to another instance",
                    detail: "NIC nic-db-1 is USED on instance ins-web-1. A NIC is attached to one \
                             instance at a time, so it cannot be attached to instance ins-web-2.",
                    attribute: "nic_id",
                    code: codes::INVALID_NIC_ATTACHED,
                },
            ),
            (
                "stopped",
                "nic-app-3",
                "ins-stopped-1",
                Refusal {
                    summary: "The instance is not running",
                    detail: "Instance ins-stopped-1 is in the STOPPED state.",
                    attribute: "instance_id",
                    code: codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
                },
            ),
            (
                "full",
                "nic-app-4",
                "ins-full-1",
                Refusal {
                    summary: "The instance has no free NIC slot",
                    detail: "Instance ins-full-1 already has as many NICs as its instance type \
                             allows, so NIC nic-app-4 cannot be added.",
                    attribute: "instance_id",
                    code: codes::INVALID_INSTANCE_NIC_LIMIT,
                },
            ),
        ];
        let resources: Vec<String> = cases
            .iter()
            .map(|(name, nic, instance, _)| attachment(name, nic, instance, ""))
            .collect();
        let config = main_tf(&checks_off(&sim), &resources);
        let dir = tf.workdir().config(&config);

        let out = dir.apply();
        for (name, _, _, refusal) in &cases {
            refusal.assert_reported(&out, &config, name);
        }
        assert!(
            dir.state_list().is_empty(),
            "a refused attach leaves no state"
        );
        assert_received_and_failed(
            &sim,
            ATTACH,
            (7, 7),
            &format!("{}: one refused attach each, none retried", tf.version),
        );
        assert_available(&sim, "nic-app-2", &tf.version);
        assert_used_by(&sim, "nic-db-1", "ins-web-1", &tf.version);
    });
}

#[test]
fn attach_refusals_the_world_cannot_cause_are_explained_too() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let config = main_tf(
            &checks_off(&sim),
            &[attachment("web", "nic-app-1", "ins-web-1", "")],
        );
        let dir = tf.workdir().config(&config);
        for refusal in [
            precheck_failed(
                "Zenlayer's pre-check of instance ins-web-1 (state: RUNNING) failed when asked \
                 to attach NIC nic-app-1.",
            ),
            Refusal {
                summary: "The NIC or the instance was not found",
                detail: "Zenlayer could not find a resource named in the request to attach NIC \
                         nic-app-1 (observed: AVAILABLE) on instance ins-web-1 (observed: \
                         RUNNING).",
                attribute: "nic_id",
                code: codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
            },
        ] {
            refuse_with(&sim, ATTACH, refusal.code, Some(1));
            refusal.assert_reported(&dir.apply(), &config, "web");
            assert!(
                dir.state_list().is_empty(),
                "a refused attach leaves no state"
            );
            assert_available(&sim, "nic-app-1", &tf.version);
        }
        // Once the API lets it, the same configuration applies.
        dir.apply().assert_success();
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
    });
}

#[test]
fn destroying_a_primary_nic_attachment_is_refused_and_state_rm_lets_it_go() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = imported_primary(tf, &sim);

        let out = dir.destroy();
        Refusal {
            summary: "A primary NIC cannot be detached",
            detail: "NIC nic-web-1-primary is the primary NIC of instance ins-web-1, and Zenlayer \
                     never detaches a primary NIC.",
            attribute: "nic_id",
            code: codes::INVALID_NIC_PRIMARY_CANT_DETACH,
        }
        .assert_reported_at_destroy(&out);
        out.assert_failure_contains("terraform state rm zenlayer_nic_attachment.<name>")
            .assert_failure_contains(
                "(Terraform 1.7 and later) replace the resource block with a `removed` block \
                 that keeps the NIC attached:",
            )
            .assert_failure_contains(
                "removed { from = zenlayer_nic_attachment.<name> lifecycle { destroy = false } }",
            );
        assert_kept(&dir, "nic-web-1-primary", "ins-web-1");
        assert_used_by(&sim, "nic-web-1-primary", "ins-web-1", &tf.version);

        // The advice works: Terraform forgets the attachment, the NIC stays where it is.
        dir.run(&["state", "rm", "-no-color", WEB])
            .assert_success()
            .assert_stdout_contains("Successfully removed 1 resource instance(s).");
        assert!(dir.state_list().is_empty());
        assert_used_by(&sim, "nic-web-1-primary", "ins-web-1", &tf.version);
    });
}

#[test]
fn destroy_while_the_instance_is_stopped_is_refused_and_keeps_the_attachment() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = attached(tf, &sim, "nic-app-1", "ins-web-1");
        // Someone stops the instance in zenConsole.
        let status = |s| InstancePatch {
            status: Some(s),
            ..InstancePatch::default()
        };
        sim.api()
            .patch_instance("ins-web-1", status(InstanceStatus::Stopped))
            .expect("stop the instance outside Terraform");

        let out = dir.destroy();
        Refusal {
            summary: "The instance is not running",
            detail: "Instance ins-web-1 is in the STOPPED state. Zenlayer attaches and detaches NICs \
                     only while the instance is RUNNING, so it could not detach NIC nic-app-1.",
            attribute: "instance_id",
            code: codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
        }
        .assert_reported_at_destroy(&out);
        out.assert_failure_contains("Start the instance");
        assert_kept(&dir, "nic-app-1", "ins-web-1");
        assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);

        // Started again, the same destroy goes through.
        sim.api()
            .patch_instance("ins-web-1", status(InstanceStatus::Running))
            .expect("start the instance");
        let destroyed = dir.destroy();
        destroyed
            .assert_success()
            .assert_stdout_contains("Destroy complete! Resources: 1 destroyed.");
        assert_quiet(&destroyed);
        assert_available(&sim, "nic-app-1", &tf.version);
    });
}

#[test]
fn detach_refusals_the_world_cannot_cause_are_explained_and_keep_the_attachment() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        let dir = attached(tf, &sim, "nic-app-1", "ins-web-1");
        for refusal in [
            Refusal {
                summary: "The NIC serves a load balancer",
                detail: "An address of NIC nic-app-1 is a backend of a load balancer, so Zenlayer \
                         refuses to detach it from instance ins-web-1.",
                attribute: "nic_id",
                code: codes::INVALID_NIC_LB_ASSOCIATED,
            },
            precheck_failed(
                "Zenlayer's pre-check of instance ins-web-1 (state: RUNNING) failed when asked \
                 to detach NIC nic-app-1.",
            ),
            Refusal {
                summary: "The NIC is in the wrong state",
                detail: "NIC nic-app-1 is in the USED state. Zenlayer attaches only AVAILABLE NICs \
                         and detaches only USED ones, so it could not detach it (instance \
                         ins-web-1).",
                attribute: "nic_id",
                code: codes::INVALID_NIC_STATUS,
            },
        ] {
            refuse_with(&sim, DETACH, refusal.code, Some(1));
            refusal.assert_reported_at_destroy(&dir.destroy());
            assert_kept(&dir, "nic-app-1", "ins-web-1");
            assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
        }
        dir.destroy().assert_success();
        assert_available(&sim, "nic-app-1", &tf.version);
    });
}

#[test]
fn detach_answers_that_there_is_nothing_to_detach_are_checked_against_the_nic() {
    for_each_terraform(Versions::All, |tf| {
        let sim = Sim::quick();
        for (code, refusal) in [
            (
                codes::INVALID_NIC_NOT_FOUND,
                "Zenlayer answered that NIC nic-app-1 does not exist",
            ),
            (
                codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE,
                "Zenlayer answered that NIC nic-app-1 is not attached to any instance",
            ),
            (
                codes::OPERATION_FAILED_RESOURCE_NOT_FOUND,
                "Zenlayer answered that a resource named in the request to detach NIC nic-app-1 \
                 does not exist",
            ),
        ] {
            // Said once, in passing: the provider sees the NIC still attached and detaches
            // it for real.
            let dir = attached(tf, &sim, "nic-app-1", "ins-web-1");
            refuse_with(&sim, DETACH, code, Some(1));
            let destroyed = dir.destroy();
            destroyed.assert_success();
            assert_quiet(&destroyed);
            assert_available(&sim, "nic-app-1", &format!("{} {code}", tf.version));

            // Said every time while the NIC stays attached: the attachment is kept.
            dir.apply().assert_success();
            refuse_with(&sim, DETACH, code, None);
            let out = dir.destroy();
            Refusal {
                summary: "The NIC is still attached",
                detail: refusal,
                attribute: "nic_id",
                code,
            }
            .assert_reported_at_destroy(&out);
            out.assert_failure_contains("still shows USED on instance ins-web-1");
            assert_kept(&dir, "nic-app-1", "ins-web-1");
            assert_used_by(&sim, "nic-app-1", "ins-web-1", &tf.version);
            sim.api().clear_faults();
            dir.destroy().assert_success();
        }
    });
}

#[test]
fn the_suggested_removed_block_lets_a_primary_nic_go_without_detaching_it_on_terraform_1_7_and_later()
 {
    // `removed` blocks exist from Terraform 1.7; on older versions (1.0.3 here) the message's
    // other advice, `terraform state rm`, is proven by the test above.
    for_each_terraform(Versions::All, |tf| {
        if !tf.at_least(1, 7) {
            return;
        }
        let sim = Sim::quick();
        let dir = imported_primary(tf, &sim);
        // The block exactly as the message shows it, with <name> filled in.
        dir.write(
            "main.tf",
            &format!(
                "{}\nremoved {{\n  from = zenlayer_nic_attachment.web\n\n  lifecycle {{\n    \
                 destroy = false\n  }}\n}}\n",
                checks_off(&sim)
            ),
        );
        dir.apply().assert_success();
        assert!(dir.state_list().is_empty());
        assert_eq!(writes(&sim).1, 0, "no detach");
        assert_used_by(&sim, "nic-web-1-primary", "ins-web-1", &tf.version);
    });
}

#[test]
fn an_expired_signature_gets_the_advice_for_the_credentials_in_use() {
    for_each_terraform(Versions::All, |tf| {
        for (credentials, advice, not) in [
            (
                None,
                "Synchronise this machine's clock (for example with NTP), then run again.",
                "Create a new access token",
            ),
            (
                Some(tpz::sim::DEFAULT_ACCESS_TOKEN),
                "Create a new access token in zenConsole and set it in `access_token`",
                "Synchronise",
            ),
        ] {
            let sim = Sim::quick();
            let provider = match credentials {
                None => checks_off(&sim),
                Some(token) => format!(
                    "provider \"zenlayer\" {{\n  domain       = \"{}\"\n  scheme       = \"http\"\n  \
                     access_token = \"{token}\"\n  plan_checks  = \"off\"\n}}\n",
                    sim.domain()
                ),
            };
            let config = main_tf(
                &provider,
                &[attachment("web", "nic-app-1", "ins-web-1", "")],
            );
            let dir = tf.workdir().config(&config);
            refuse_with(&sim, ATTACH, codes::AUTHFAILURE_SIGNATURE_EXPIRED, None);
            let out = dir.apply();
            out.assert_failure_contains("Error: The request signature has expired")
                .assert_failure_contains(advice)
                .assert_failure_contains("Zenlayer API code: AUTHFAILURE_SIGNATURE_EXPIRED")
                .assert_failure_contains("The API said: \"")
                .assert_not_contains(not);
        }
    });
}
