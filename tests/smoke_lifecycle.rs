//! A first end-to-end session: attach a NIC, see an empty plan, destroy it.

mod support;

use support::{Sim, terraforms};

#[test]
fn create_then_empty_plan_then_destroy_leaves_the_nic_available() {
    for tf in terraforms() {
        let sim = Sim::start();
        let dir = tf.workdir().config(&format!(
            "{}\nresource \"zenlayer_nic_attachment\" \"web\" {{\n  nic_id = \"nic-app-1\"\n  instance_id = \"ins-web-1\"\n}}\n",
            sim.provider_block()
        ));
        dir.apply().assert_success();
        assert_eq!(
            sim.attached_instance("nic-app-1").as_deref(),
            Some("ins-web-1")
        );
        dir.plan()
            .assert_success()
            .assert_stdout_contains("No changes");
        dir.destroy().assert_success();
        assert_eq!(sim.attached_instance("nic-app-1"), None);
    }
}
