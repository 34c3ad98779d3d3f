//! This resource's Terraform values: reading IDs and timeouts from config, plan and state, and
//! writing the full object from what the API reports.

use std::time::Duration;

use crate::cty::Value;
use crate::provider::duration;
use crate::zenlayer::models::NicInfo;

use super::id;

pub(crate) const ID: &str = "id";
pub(crate) const NIC_ID: &str = "nic_id";
pub(crate) const INSTANCE_ID: &str = "instance_id";
pub(crate) const REGION_ID: &str = "region_id";
pub(crate) const PRIMARY_IPV4: &str = "primary_ipv4";
pub(crate) const MAC_ADDRESS: &str = "mac_address";
pub(crate) const TIMEOUTS: &str = "timeouts";
pub(crate) const CREATE: &str = "create";
pub(crate) const DELETE: &str = "delete";

/// Attaches usually take seconds; ten minutes covers an instance that is still booting.
pub(crate) const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(600);
/// Detaches usually take seconds; ten minutes covers an instance that is rebooting.
pub(crate) const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(600);

/// A known, non-null string attribute.
pub(crate) fn known_str<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.attr(name).and_then(Value::as_str)
}

/// The operation timeouts an object was planned or stored with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub create: Duration,
    pub delete: Duration,
}

/// Reads the `timeouts` block of a config, plan or state value; unset or unreadable values
/// (validation has already reported them) fall back to the defaults.
pub(crate) fn timeouts(v: &Value) -> Timeouts {
    let block = v.attr(TIMEOUTS).unwrap_or(&Value::Null);
    let get = |name: &str, default: Duration| {
        known_str(block, name)
            .and_then(|s| duration::parse(s).ok())
            .unwrap_or(default)
    };
    Timeouts {
        create: get(CREATE, DEFAULT_CREATE_TIMEOUT),
        delete: get(DELETE, DEFAULT_DELETE_TIMEOUT),
    }
}

/// The `timeouts.delete` a configuration sets, if it sets a valid one.
pub(crate) fn configured_delete_timeout(config: &Value) -> Option<Duration> {
    let block = config.attr(TIMEOUTS)?;
    known_str(block, DELETE).and_then(|s| duration::parse(s).ok())
}

/// The (NIC, instance) a state value holds. Falls back to the composite `id` when the split
/// attributes are missing (state written by tools that left them empty).
pub(crate) fn pair(state: &Value) -> Option<(String, String)> {
    let nic = known_str(state, NIC_ID).filter(|s| !s.is_empty());
    let instance = known_str(state, INSTANCE_ID).filter(|s| !s.is_empty());
    if let (Some(n), Some(i)) = (nic, instance) {
        return Some((n.to_owned(), i.to_owned()));
    }
    let composite = known_str(state, ID)?;
    let parsed = id::parse_import(composite).ok()?;
    Some((parsed.nic_id, parsed.instance_id?))
}

/// Everything the state records about one attachment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Attachment {
    pub nic_id: String,
    pub instance_id: String,
    pub region_id: Option<String>,
    pub primary_ipv4: Option<String>,
    pub mac_address: Option<String>,
}

impl Attachment {
    /// The attachment of `nic` to `instance_id`, with the NIC's details.
    pub(crate) fn from_nic(nic: &NicInfo, instance_id: &str) -> Attachment {
        Attachment {
            nic_id: nic.nic_id.clone(),
            instance_id: instance_id.to_owned(),
            region_id: Some(nic.region_id.clone()).filter(|r| !r.is_empty()),
            primary_ipv4: nic.primary_ipv4.clone().filter(|s| !s.is_empty()),
            mac_address: nic.mac_address.clone().filter(|s| !s.is_empty()),
        }
    }

    /// The attachment with nothing known but its IDs.
    pub(crate) fn bare(nic_id: &str, instance_id: &str) -> Attachment {
        Attachment {
            nic_id: nic_id.to_owned(),
            instance_id: instance_id.to_owned(),
            ..Attachment::default()
        }
    }

    /// The full object; `timeouts` is carried over from config or state as it was.
    pub(crate) fn to_value(&self, timeouts: Value) -> Value {
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        Value::object([
            (
                ID,
                Value::string(id::compose(&self.nic_id, &self.instance_id)),
            ),
            (NIC_ID, Value::string(&self.nic_id)),
            (INSTANCE_ID, Value::string(&self.instance_id)),
            (REGION_ID, opt(&self.region_id)),
            (PRIMARY_IPV4, opt(&self.primary_ipv4)),
            (MAC_ADDRESS, opt(&self.mac_address)),
            (TIMEOUTS, timeouts),
        ])
    }
}

/// The `timeouts` block of a value, to carry into a new value unchanged.
pub(crate) fn timeouts_value(v: &Value) -> Value {
    match v.attr(TIMEOUTS) {
        Some(t) if t.is_wholly_known() => t.clone(),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::NicStatus;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn timeouts_fall_back_to_documented_defaults() {
        assert_eq!(
            timeouts(&obj(&[(TIMEOUTS, Value::Null)])),
            Timeouts {
                create: DEFAULT_CREATE_TIMEOUT,
                delete: DEFAULT_DELETE_TIMEOUT
            }
        );
        let t = timeouts(&obj(&[(
            TIMEOUTS,
            obj(&[(CREATE, Value::string("90s")), (DELETE, Value::Null)]),
        )]));
        assert_eq!(t.create, Duration::from_secs(90));
        assert_eq!(t.delete, DEFAULT_DELETE_TIMEOUT);
    }

    #[test]
    fn the_pair_comes_from_the_ids_or_the_composite_id() {
        let s = obj(&[
            (NIC_ID, Value::string("nic-1")),
            (INSTANCE_ID, Value::string("ins-1")),
        ]);
        assert_eq!(pair(&s), Some(("nic-1".into(), "ins-1".into())));
        let s = obj(&[
            (ID, Value::string("nic-1:ins-1")),
            (NIC_ID, Value::string("")),
            (INSTANCE_ID, Value::string("ins-1")),
        ]);
        assert_eq!(pair(&s), Some(("nic-1".into(), "ins-1".into())));
        assert_eq!(pair(&obj(&[(ID, Value::string("nic-1"))])), None);
    }

    #[test]
    fn an_attachment_value_is_wholly_known_and_complete() {
        let nic = NicInfo {
            nic_id: "nic-1".into(),
            status: NicStatus::Used,
            region_id: "r1".into(),
            primary_ipv4: Some("10.0.0.5".into()),
            ..NicInfo::default()
        };
        let v = Attachment::from_nic(&nic, "ins-1").to_value(Value::Null);
        assert!(v.is_wholly_known());
        assert_eq!(known_str(&v, ID), Some("nic-1:ins-1"));
        assert_eq!(known_str(&v, REGION_ID), Some("r1"));
        assert_eq!(v.attr(MAC_ADDRESS), Some(&Value::Null));
    }
}
