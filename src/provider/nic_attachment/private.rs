//! The private data Terraform carries for one object between the provider's calls:
//! - `replacing`: from a replacement's first plan call (which sees the prior state) to its
//!   second (which plans the new object with no prior state), so plan checks know the NIC's
//!   current binding is this object's;
//! - `handover`: an attachment that stays on its instance while it changes hands inside one
//!   run (a refactor, a re-created tainted object, a `create_before_destroy` replacement).
//!   The delete that carries it sends no detach; the create that carries it adopts the
//!   attachment instead of attaching again;
//! - `delete_timeout`: the `timeouts.delete` the configuration holds now, for the delete half
//!   of a replacement (Terraform hands a delete only the state's older copy).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Bumped if the shape changes; unknown versions are ignored, never misread.
const VERSION: u32 = 1;

/// What one object's private data says; every part optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Private {
    #[serde(default)]
    v: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replacing: Option<Pair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handover: Option<Pair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delete_timeout_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pair {
    nic_id: String,
    instance_id: String,
}

impl Pair {
    fn new(nic_id: &str, instance_id: &str) -> Self {
        Pair {
            nic_id: nic_id.to_owned(),
            instance_id: instance_id.to_owned(),
        }
    }

    fn is(&self, nic_id: &str, instance_id: &str) -> bool {
        self.nic_id == nic_id && self.instance_id == instance_id
    }
}

impl Private {
    /// Reads private data; foreign, future or empty bytes read as nothing.
    pub(crate) fn decode(bytes: &[u8]) -> Private {
        if bytes.is_empty() {
            return Private::default();
        }
        match serde_json::from_slice::<Private>(bytes) {
            Ok(p) if p.v == VERSION => p,
            _ => Private::default(),
        }
    }

    /// The bytes to hand Terraform; nothing at all when there is nothing to say.
    pub(crate) fn encode(&self) -> Vec<u8> {
        if self.replacing.is_none() && self.handover.is_none() && self.delete_timeout_ms.is_none() {
            return Vec::new();
        }
        let mut p = self.clone();
        p.v = VERSION;
        serde_json::to_vec(&p).unwrap_or_default()
    }

    /// Records the attachment a replacement is moving away from.
    pub(crate) fn with_replacing(mut self, nic_id: &str, instance_id: &str) -> Self {
        self.replacing = Some(Pair::new(nic_id, instance_id));
        self
    }

    /// The attachment recorded by [`Private::with_replacing`].
    pub(crate) fn replacing(&self) -> Option<(String, String)> {
        self.replacing
            .as_ref()
            .map(|r| (r.nic_id.clone(), r.instance_id.clone()))
    }

    /// Marks (or, with `None`, unmarks) the attachment as changing hands in this run.
    pub(crate) fn with_handover(mut self, pair: Option<(&str, &str)>) -> Self {
        self.handover = pair.map(|(n, i)| Pair::new(n, i));
        self
    }

    /// True when this run hands `nic_id` on `instance_id` over instead of detaching it.
    pub(crate) fn hands_over(&self, nic_id: &str, instance_id: &str) -> bool {
        self.handover
            .as_ref()
            .is_some_and(|h| h.is(nic_id, instance_id))
    }

    /// Records the configuration's current `timeouts.delete`.
    pub(crate) fn with_delete_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.delete_timeout_ms = timeout.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// The `timeouts.delete` recorded by [`Private::with_delete_timeout`].
    pub(crate) fn delete_timeout(&self) -> Option<Duration> {
        self.delete_timeout_ms.map(Duration::from_millis)
    }
}

/// The attachment a replacement moves away from, if `bytes` records one.
pub(crate) fn replaced(bytes: &[u8]) -> Option<(String, String)> {
    Private::decode(bytes).replacing()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replaced_attachment_round_trips() {
        let bytes = Private::default().with_replacing("nic-1", "ins-1").encode();
        assert!(bytes.len() < 100, "small: {}", bytes.len());
        assert_eq!(replaced(&bytes), Some(("nic-1".into(), "ins-1".into())));
    }

    #[test]
    fn a_handover_names_exactly_one_attachment() {
        let bytes = Private::default()
            .with_handover(Some(("nic-1", "ins-1")))
            .encode();
        let p = Private::decode(&bytes);
        assert!(p.hands_over("nic-1", "ins-1"));
        assert!(!p.hands_over("nic-1", "ins-2"));
        assert!(!p.clone().with_handover(None).hands_over("nic-1", "ins-1"));
    }

    #[test]
    fn nothing_to_say_is_no_bytes() {
        assert!(Private::default().encode().is_empty());
        let p = Private::default().with_delete_timeout(Some(Duration::from_secs(90)));
        assert_eq!(
            Private::decode(&p.encode()).delete_timeout(),
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn foreign_or_future_private_data_is_ignored() {
        for bytes in [
            &b""[..],
            b"not json",
            br#"{"v":2,"replacing":{"nic_id":"a","instance_id":"b"}}"#,
            br#"{"v":1}"#,
        ] {
            assert_eq!(
                replaced(bytes),
                None,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
