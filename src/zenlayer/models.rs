//! Request and response bodies of the ZEC actions we call (API version `2025-09-01`), in the
//! API's camelCase JSON. Unset request fields are left out, as the official SDKs do.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The ZEC API version every request names in `X-ZC-Version`.
pub const API_VERSION: &str = "2025-09-01";

/// The largest `nicIds` / `instanceIds` list one Describe call accepts.
pub const MAX_IDS_PER_CALL: usize = 100;

/// The largest `pageSize` the Describe calls accept.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Whether a Describe query has pages after one that held `items` of `page_size`, `seen` in
/// all so far: not after an empty page; else until `totalCount` objects were seen, or, when
/// the answer gave no `totalCount`, while pages come back full.
pub(crate) fn more_pages(items: usize, seen: u64, total: u64, page_size: u32) -> bool {
    items > 0
        && if total > 0 {
            seen < total
        } else {
            items >= page_size as usize
        }
}

/// Action names, as sent in `X-ZC-Action`.
pub mod action {
    pub const ATTACH_NETWORK_INTERFACE: &str = "AttachNetworkInterface";
    pub const DETACH_NETWORK_INTERFACE: &str = "DetachNetworkInterface";
    pub const DESCRIBE_NETWORK_INTERFACES: &str = "DescribeNetworkInterfaces";
    pub const DESCRIBE_INSTANCES: &str = "DescribeInstances";
    pub const DESCRIBE_ZONES: &str = "DescribeZones";
}

/// The success envelope: `{"requestId": …, "response": {…}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessEnvelope<T> {
    pub request_id: String,
    pub response: T,
}

/// The failure body: `{"requestId": …, "code": …, "message": …}` with a 4xx/5xx status.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub request_id: String,
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// Declares a request body whose every field is optional and left out of the JSON when unset,
/// as the official SDKs send them.
macro_rules! request_body {
    (pub struct $name:ident { $($(#[$doc:meta])* pub $field:ident: Option<$ty:ty>,)+ }) => {
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                $(#[$doc])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )+
        }
    };
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachNetworkInterfaceRequest {
    pub nic_id: String,
    pub instance_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetachNetworkInterfaceRequest {
    pub nic_id: String,
}

/// The `response` of actions that return nothing but a request id (Attach, Detach).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestIdOnly {
    #[serde(default)]
    pub request_id: String,
}

request_body! {
    pub struct DescribeNetworkInterfacesRequest {
        pub nic_ids: Option<Vec<String>>,
        pub region_id: Option<String>,
        pub instance_id: Option<String>,
        pub status: Option<String>,
        pub nic_type: Option<String>,
        /// A fuzzy match: the API returns NICs whose name contains it.
        pub name: Option<String>,
        pub vpc_id: Option<String>,
        pub subnet_id: Option<String>,
        pub page_num: Option<u32>,
        pub page_size: Option<u32>,
    }
}

/// One page of a paged Describe action: the request id, how many objects the filters
/// match in all, and this page's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeResponse<T> {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub total_count: u64,
    #[serde(default)]
    pub data_set: Vec<T>,
}

/// A page of `DescribeNetworkInterfaces`.
pub type DescribeNetworkInterfacesResponse = DescribeResponse<NicInfo>;

/// A vNIC as Describe reports it. Only the fields we use are typed; others are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NicInfo {
    pub nic_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: NicStatus,
    /// `Primary` or `Secondary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic_type: Option<String>,
    #[serde(default)]
    pub region_id: String,
    /// The instance the NIC is bound to; absent or null when unattached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    /// As the API writes it, e.g. `2024-05-01T08:00:00Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
}

impl NicInfo {
    /// The instance the NIC names; the API sends null, nothing or "" when it names none.
    pub fn named_instance(&self) -> Option<&str> {
        self.instance_id.as_deref().filter(|i| !i.is_empty())
    }

    /// True for the instance's primary NIC, which can never be detached.
    pub fn is_primary(&self) -> bool {
        self.nic_type.as_deref() == Some("Primary")
    }
}

request_body! {
    pub struct DescribeInstancesRequest {
        pub instance_ids: Option<Vec<String>>,
        pub zone_id: Option<String>,
        pub status: Option<String>,
        pub name: Option<String>,
        pub page_num: Option<u32>,
        pub page_size: Option<u32>,
    }
}

/// A page of `DescribeInstances`.
pub type DescribeInstancesResponse = DescribeResponse<InstanceInfo>;

/// What the two paged Describe actions (NICs and instances) have in common, so that one
/// client path reads either by ID or page by page.
pub trait DescribePage: DeserializeOwned + Send + 'static {
    /// The object the action lists.
    type Item: Send + 'static;
    /// The request body of one page.
    type Request: Serialize + Send + Sync;
    /// The action name.
    const ACTION: &'static str;

    /// The request for page `page_num` of `page_size` objects, only those in `ids` when given.
    fn request(ids: Option<Vec<String>>, page_num: u32, page_size: u32) -> Self::Request;

    /// The page's own request id, empty when the answer left it out.
    fn request_id_mut(&mut self) -> &mut String;

    /// `totalCount` and the objects of this page.
    fn into_items(self) -> (u64, Vec<Self::Item>);

    /// The object's ID, the key of every lookup.
    fn id_of(item: &Self::Item) -> &str;
}

impl DescribePage for DescribeNetworkInterfacesResponse {
    type Item = NicInfo;
    type Request = DescribeNetworkInterfacesRequest;
    const ACTION: &'static str = action::DESCRIBE_NETWORK_INTERFACES;

    fn request(ids: Option<Vec<String>>, page_num: u32, page_size: u32) -> Self::Request {
        DescribeNetworkInterfacesRequest {
            nic_ids: ids,
            page_num: Some(page_num),
            page_size: Some(page_size),
            ..Default::default()
        }
    }

    fn request_id_mut(&mut self) -> &mut String {
        &mut self.request_id
    }

    fn into_items(self) -> (u64, Vec<NicInfo>) {
        (self.total_count, self.data_set)
    }

    fn id_of(item: &NicInfo) -> &str {
        &item.nic_id
    }
}

impl DescribePage for DescribeInstancesResponse {
    type Item = InstanceInfo;
    type Request = DescribeInstancesRequest;
    const ACTION: &'static str = action::DESCRIBE_INSTANCES;

    fn request(ids: Option<Vec<String>>, page_num: u32, page_size: u32) -> Self::Request {
        DescribeInstancesRequest {
            instance_ids: ids,
            page_num: Some(page_num),
            page_size: Some(page_size),
            ..Default::default()
        }
    }

    fn request_id_mut(&mut self) -> &mut String {
        &mut self.request_id
    }

    fn into_items(self) -> (u64, Vec<InstanceInfo>) {
        (self.total_count, self.data_set)
    }

    fn id_of(item: &InstanceInfo) -> &str {
        &item.instance_id
    }
}

/// A ZEC instance as Describe reports it. Instances carry a zone, not a region.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceInfo {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    #[serde(default)]
    pub zone_id: String,
    pub status: InstanceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Vec<NicInfo>>,
}

request_body! {
    pub struct DescribeZonesRequest {
        pub zone_ids: Option<Vec<String>>,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeZonesResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub zone_set: Vec<ZoneInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneInfo {
    pub zone_id: String,
    pub region_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
}

/// Declares a status enum that keeps values it does not know (the API may add states).
macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A value this provider version does not know, kept verbatim.
            Other(String),
            /// The field was absent.
            #[default]
            Missing,
        }

        impl $name {
            /// Every documented value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                    $name::Missing => "",
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => $name::$variant,)+
                    "" => $name::Missing,
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum! {
    /// vNIC status. `USED` means attached; there is no `ATTACHED`.
    NicStatus {
        Pending = "PENDING",
        Available = "AVAILABLE",
        Attaching = "ATTACHING",
        Detaching = "DETACHING",
        Deleting = "DELETING",
        CreateFailed = "CREATE_FAILED",
        Used = "USED",
    }
}

status_enum! {
    /// ZEC instance status.
    InstanceStatus {
        Deploying = "DEPLOYING",
        Rebuilding = "REBUILDING",
        Reboot = "REBOOT",
        Running = "RUNNING",
        Stopped = "STOPPED",
        Booting = "BOOTING",
        Releasing = "RELEASING",
        Stopping = "STOPPING",
        Recycle = "RECYCLE",
        Recycling = "RECYCLING",
        CreateFailed = "CREATE_FAILED",
        Imaging = "IMAGING",
        Resizing = "RESIZING",
    }
}

impl NicStatus {
    /// States the NIC leaves by itself; waits read through them.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            NicStatus::Pending | NicStatus::Attaching | NicStatus::Detaching
        )
    }
}

impl InstanceStatus {
    /// States the instance leaves by itself (booting, rebooting, …); attach waits them out.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            InstanceStatus::Deploying
                | InstanceStatus::Rebuilding
                | InstanceStatus::Reboot
                | InstanceStatus::Booting
                | InstanceStatus::Imaging
                | InstanceStatus::Resizing
        )
    }
}
