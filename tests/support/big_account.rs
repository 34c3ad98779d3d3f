//! The large account the listing tests need: thousands of attachments, so a listing pages.

use tpz::sim::NewNics;

use super::Sim;

/// Adds `nic-bulk-1` … `nic-bulk-5000` to `sim`'s account, each attached to `ins-web-1`
/// (region and status the simulator's defaults): six listing pages.
pub fn add_5000_attached_nics(sim: &Sim) {
    sim.api()
        .create_nics(NewNics {
            count: 5000,
            prefix: "nic-bulk-".into(),
            first: 1,
            region_id: None,
            instance_id: Some("ins-web-1".into()),
            status: None,
            vpc_id: None,
            subnet_id: None,
        })
        .expect("create 5000 attached NICs");
}
