//! What a user's plan costs in API calls: Terraform reads and plans up to ten resources at a
//! time, and the provider answers a plan over many attachments from a few Describe calls
//! instead of one per resource, while an apply still reads every NIC after its own write.

mod support;

use std::time::Duration;

use support::lifecycle::{applied, create_instances};
use support::{Sim, Versions, for_each_terraform};
use tpz::sim::NewNics;

const ATTACHMENTS: u32 = 30;

/// A simulator with four instances (`ins-many-1` … `ins-many-4`, eight NICs each allowed)
/// and 30 free NICs `nic-many-1` … `nic-many-30`, and 30 attachments of one to the other.
fn account() -> (Sim, String) {
    let sim = Sim::with_delay(Duration::ZERO);
    create_instances(&sim, "ins-many-", 4, Some(9));
    sim.api()
        .create_nics(NewNics::available("nic-many-", ATTACHMENTS, "asia-east-1"))
        .expect("NICs created");
    let config = format!(
        r#"{}
resource "zenlayer_nic_attachment" "many" {{
  count       = {ATTACHMENTS}
  nic_id      = "nic-many-${{count.index + 1}}"
  instance_id = "ins-many-${{floor(count.index / 8) + 1}}"
}}
"#,
        sim.provider_block()
    );
    (sim, config)
}

#[test]
fn planning_30_new_attachments_checks_them_all_in_at_most_10_calls_not_90() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let (sim, config) = account();
        let dir = tf.workdir().config(&config);
        sim.api().reset_calls();

        dir.plan()
            .assert_success()
            .assert_stdout_contains("Plan: 30 to add");

        let calls = sim.api().calls();
        assert!(
            calls.total_received() <= 10,
            "Terraform {}: a plan of 30 new attachments made {calls:?}",
            tf.version
        );
    });
}

#[test]
fn a_plan_of_30_attachments_in_sync_refreshes_them_in_at_most_4_calls_not_30() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let (sim, config) = account();
        let dir = applied(tf, &config);
        assert_eq!(
            sim.attached_instance("nic-many-30").as_deref(),
            Some("ins-many-4")
        );
        sim.api().reset_calls();

        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");

        let calls = sim.api().calls();
        assert!(
            calls.total_received() <= 4,
            "Terraform {}: refreshing 30 attachments made {calls:?}",
            tf.version
        );
    });
}

#[test]
fn a_nic_moved_behind_terraforms_back_shows_in_the_next_plan() {
    for_each_terraform(Versions::OldestAndNewest, |tf| {
        let (sim, config) = account();
        let dir = applied(tf, &config);

        sim.attach_by_hand("nic-many-1", "ins-many-2");

        // The listing a plan of 30 attachments reads from is fresh enough to see the move,
        // which the plan reports at the attachment.
        dir.plan()
            .assert_failure_contains("The NIC was moved to another instance outside Terraform")
            .assert_failure_contains("ins-many-2");
    });
}
