//! The private data a replacement carries from Terraform's first plan call (which sees the
//! object's prior state) to its second (which plans the new object with no prior state): the
//! attachment being replaced, so plan checks know the NIC's current binding is this object's.

use serde::{Deserialize, Serialize};

/// Bumped if the shape changes; unknown versions are ignored, never misread.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Private {
    v: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replacing: Option<Pair>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Pair {
    nic_id: String,
    instance_id: String,
}

/// Encodes the attachment a replacement is moving away from.
pub(crate) fn replacing(nic_id: &str, instance_id: &str) -> Vec<u8> {
    let p = Private {
        v: VERSION,
        replacing: Some(Pair {
            nic_id: nic_id.to_owned(),
            instance_id: instance_id.to_owned(),
        }),
    };
    serde_json::to_vec(&p).unwrap_or_default()
}

/// The attachment recorded by [`replacing`], if `bytes` holds one this version understands.
pub(crate) fn replaced(bytes: &[u8]) -> Option<(String, String)> {
    if bytes.is_empty() {
        return None;
    }
    let p: Private = serde_json::from_slice(bytes).ok()?;
    if p.v != VERSION {
        return None;
    }
    p.replacing.map(|r| (r.nic_id, r.instance_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replaced_attachment_round_trips() {
        let bytes = replacing("nic-1", "ins-1");
        assert!(bytes.len() < 100, "small: {}", bytes.len());
        assert_eq!(replaced(&bytes), Some(("nic-1".into(), "ins-1".into())));
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
