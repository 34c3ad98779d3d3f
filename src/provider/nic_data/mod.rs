//! The NIC data sources: `zenlayer_nic` finds one NIC by ID or exact name, `zenlayer_nics`
//! finds every NIC a set of filters matches. Both read during the plan, through the same
//! shared reads as plan checks (`Zec::recent_nic`, `Zec::recent_nics`), so the IDs they
//! return are known at plan time and attachments built on them get the full plan review.
//!
//! This module holds what both share: the NIC's attributes and how a NIC becomes a value.

pub(crate) mod many;
pub(crate) mod one;
mod search;

use std::collections::BTreeMap;

use crate::cty::{Type, Value};
use crate::framework::Attribute;
use crate::zenlayer::models::NicInfo;

pub(crate) const ID: &str = "id";
pub(crate) const NAME: &str = "name";
pub(crate) const REGION_ID: &str = "region_id";
pub(crate) const STATUS: &str = "status";
pub(crate) const NIC_TYPE: &str = "nic_type";
pub(crate) const INSTANCE_ID: &str = "instance_id";
pub(crate) const VPC_ID: &str = "vpc_id";
pub(crate) const SUBNET_ID: &str = "subnet_id";

/// Every attribute a NIC has, with its type and description, in schema order.
const NIC_ATTRIBUTES: &[(&str, Kind, &str)] = &[
    (ID, Kind::Text, "The NIC's ID."),
    (NAME, Kind::Text, "The NIC's name."),
    (
        REGION_ID,
        Kind::Text,
        "The region the NIC is in, e.g. `asia-east-1`.",
    ),
    (
        STATUS,
        Kind::Text,
        "The NIC's status: `AVAILABLE` (attached to nothing), `USED` (attached), `ATTACHING`, \
         `DETACHING`, `PENDING`, `DELETING` or `CREATE_FAILED`. Read anew on every plan.",
    ),
    (
        NIC_TYPE,
        Kind::Text,
        "`Primary` or `Secondary`. Only secondary NICs can be attached.",
    ),
    (
        INSTANCE_ID,
        Kind::Text,
        "The instance the NIC is attached to; null when it is attached to none. Read anew on \
         every plan.",
    ),
    ("mac_address", Kind::Text, "The NIC's MAC address."),
    (
        "primary_ipv4",
        Kind::Text,
        "The NIC's primary private IPv4 address.",
    ),
    (
        "private_ips",
        Kind::Texts,
        "Every private IPv4 address of the NIC.",
    ),
    (
        "public_ips",
        Kind::Texts,
        "The public IP addresses of the NIC.",
    ),
    (VPC_ID, Kind::Text, "The VPC the NIC is in."),
    (SUBNET_ID, Kind::Text, "The subnet the NIC is in."),
    (
        "security_group_id",
        Kind::Text,
        "The security group of the NIC.",
    ),
    (
        "create_time",
        Kind::Text,
        "When the NIC was created, as the API writes it (e.g. `2026-01-01T00:00:00Z`).",
    ),
];

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Texts,
}

impl Kind {
    fn ty(self) -> Type {
        match self {
            Kind::Text => Type::String,
            Kind::Texts => Type::List(Box::new(Type::String)),
        }
    }
}

/// The NIC's attributes, all computed but those in `searchable`, which are optional and
/// computed (set in the configuration, they search; left out, the provider fills them).
pub(crate) fn attributes(searchable: &[(&str, &str)]) -> Vec<Attribute> {
    NIC_ATTRIBUTES
        .iter()
        .map(
            |(name, kind, description)| match searchable.iter().find(|(s, _)| s == name) {
                Some((_, how)) => {
                    Attribute::optional(*name, kind.ty(), format!("{how} {description}"))
                        .also_computed()
                }
                None => Attribute::computed(*name, kind.ty(), *description),
            },
        )
        .collect()
}

/// The object type of one NIC (an element of `zenlayer_nics.nics`).
pub(crate) fn object_type() -> Type {
    Type::Object(
        NIC_ATTRIBUTES
            .iter()
            .map(|(name, kind, _)| ((*name).to_owned(), kind.ty()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The NIC's attributes as Terraform values, by name.
pub(crate) fn values(nic: &NicInfo) -> Vec<(&'static str, Value)> {
    let text = |s: &Option<String>| {
        s.as_deref()
            .filter(|s| !s.is_empty())
            .map_or(Value::Null, Value::string)
    };
    let texts = |l: &Option<Vec<String>>| {
        Value::list(
            l.iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .map(|s| Value::string(s.as_str())),
        )
    };
    let status = Some(nic.status.as_str().to_owned());
    vec![
        (ID, Value::string(nic.nic_id.as_str())),
        (NAME, text(&nic.name)),
        (REGION_ID, text(&Some(nic.region_id.clone()))),
        (STATUS, text(&status)),
        (NIC_TYPE, text(&nic.nic_type)),
        (
            INSTANCE_ID,
            nic.named_instance().map_or(Value::Null, Value::string),
        ),
        ("mac_address", text(&nic.mac_address)),
        ("primary_ipv4", text(&nic.primary_ipv4)),
        ("private_ips", texts(&nic.private_ip_list)),
        ("public_ips", texts(&nic.public_ip_list)),
        (VPC_ID, text(&nic.vpc_id)),
        (SUBNET_ID, text(&nic.subnet_id)),
        ("security_group_id", text(&nic.security_group_id)),
        ("create_time", text(&nic.create_time)),
    ]
}

/// One NIC as an object of [`object_type`].
pub(crate) fn object(nic: &NicInfo) -> Value {
    Value::object(values(nic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::NicStatus;

    #[test]
    fn a_nic_becomes_an_object_of_the_element_type_with_null_for_no_instance() {
        let nic = NicInfo {
            nic_id: "nic-1".into(),
            status: NicStatus::Available,
            region_id: "r1".into(),
            instance_id: Some(String::new()),
            private_ip_list: Some(vec!["10.0.0.5".into()]),
            ..NicInfo::default()
        };
        let v = object(&nic);
        let Type::Object(attrs) = object_type() else {
            panic!("an object type")
        };
        assert_eq!(values(&nic).len(), attrs.len());
        assert!(attrs.keys().all(|k| v.attr(k).is_some()));
        assert_eq!(v.attr(INSTANCE_ID), Some(&Value::Null));
        assert_eq!(v.attr(STATUS), Some(&Value::string("AVAILABLE")));
        assert_eq!(
            v.attr("private_ips"),
            Some(&Value::list([Value::string("10.0.0.5")]))
        );
        assert_eq!(v.attr("public_ips"), Some(&Value::list([])));
    }
}
