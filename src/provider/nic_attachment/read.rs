//! Read (refresh): what the NIC says now becomes the state, so an import and a create leave
//! identical state, and out-of-band changes show up as the plan Terraform should make.
//!
//! - NIC gone, or attached to nothing: the attachment is gone (the plan creates it again).
//! - NIC attached to another instance: this attachment is gone too. Someone moved the NIC
//!   (a failover, say); that is their decision, so the plan does not move it back silently:
//!   it plans this attachment anew, and the plan checks report the NIC as attached elsewhere,
//!   with the choices. A destroy leaves the NIC where it is.
//! - NIC ATTACHING to our instance, or DETACHING: in passing; state is kept, so no drift shows.

use crate::framework::{Context, ReadOutcome, ReadRequest, ReadResult};
use crate::provider::Shared;
use crate::provider::catalogue::{self, Case, Op, Subject};
use crate::zenlayer::models::NicStatus;

use super::calls;
use super::model::{self, Attachment};
use super::private::Private;

pub(super) async fn read(ctx: &Context, shared: &Shared, req: ReadRequest) -> ReadResult {
    let keep = |diags| ReadResult {
        outcome: ReadOutcome::Present(req.state.clone()),
        private: req.private.clone(),
        diagnostics: diags,
    };
    let Some((nic_id, instance_id)) = model::pair(&req.state) else {
        // Nothing identifies a remote object; keep what is there rather than guess.
        return keep(Default::default());
    };
    let ready = match shared.ready() {
        Ok(r) => r,
        Err(d) => return keep(d.into()),
    };
    // A refresh is a point-in-time read: a listing a few seconds old serves it.
    let (api, id) = (&ready.api, &nic_id);
    let found = calls::read_patiently(
        ctx,
        |limits| async move { api.recent_nic(id, &limits).await },
    )
    .await;
    let nic = match found {
        Ok(n) => n,
        Err(e) => {
            let subject = Subject {
                nic_id: &nic_id,
                instance_id: &instance_id,
                op: Op::Read,
                facts: None,
            };
            return keep(catalogue::for_error(&e, Case::Default, &subject).into());
        }
    };
    let gone = || {
        shared.memory.forget(&nic_id, &instance_id);
        ReadResult {
            outcome: ReadOutcome::Gone,
            private: req.private.clone(),
            diagnostics: Default::default(),
        }
    };
    let Some(nic) = nic else {
        return gone();
    };
    let on = nic.named_instance();
    let ours = match (&nic.status, on) {
        // In passing: keep our instance, refresh the rest.
        (NicStatus::Detaching, _) | (NicStatus::Attaching, None) => true,
        (_, Some(i)) if i != instance_id => false,
        (NicStatus::Attaching | NicStatus::Used, _) => true,
        // A state this version does not know, still naming our instance: believe it.
        (NicStatus::Other(_) | NicStatus::Missing, Some(_)) => true,
        _ => false,
    };
    if !ours {
        if let Some(elsewhere) = on {
            shared.memory.moved_away(&nic_id, &instance_id);
            tracing::info!(target: crate::provider::LOG_TARGET, nic_id, instance_id, elsewhere, "NIC moved to another instance outside Terraform; this attachment is gone");
        }
        return gone();
    }
    shared.memory.record(&nic_id, &instance_id);
    let handovers = &shared.handovers;
    // Before Terraform 1.3 the delete of an object dropped from the configuration receives
    // the private data of this refresh: tell it whether a create in this run keeps the
    // attachment. A stale mark from an earlier run is always cleared.
    let handed_over = handovers.arrived(&nic_id, &instance_id);
    let private = Private::decode(&req.private)
        .with_handover(handed_over.then_some((nic_id.as_str(), instance_id.as_str())))
        .encode();
    let state =
        Attachment::from_nic(&nic, &instance_id).to_value(model::timeouts_value(&req.state));
    ReadResult {
        outcome: ReadOutcome::Present(state),
        private,
        diagnostics: Default::default(),
    }
}
