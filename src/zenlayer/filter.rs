//! Which NICs a search asks for: the `DescribeNetworkInterfaces` filters, sent to the API as
//! request fields, and the same rule applied to NICs already read (a listing of the account),
//! so both ways of answering a search agree.

use std::future::Future;

use super::Error;
use super::models::{
    DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResponse, MAX_PAGE_SIZE, NicInfo,
    more_pages,
};

/// The most pages one search follows, against a server that never stops paging.
const MAX_PAGES: u32 = 1000;

/// The server-side filters of one NIC search. `None` means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NicFilter {
    pub region_id: Option<String>,
    pub instance_id: Option<String>,
    /// The wire text, e.g. `AVAILABLE`.
    pub status: Option<String>,
    /// `Primary` or `Secondary`.
    pub nic_type: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    /// The API's fuzzy name match: names containing it, ignoring case.
    pub name: Option<String>,
}

impl NicFilter {
    /// The request for page `page_num` of `page_size` NICs under these filters.
    pub fn request(&self, page_num: u32, page_size: u32) -> DescribeNetworkInterfacesRequest {
        DescribeNetworkInterfacesRequest {
            region_id: self.region_id.clone(),
            instance_id: self.instance_id.clone(),
            status: self.status.clone(),
            nic_type: self.nic_type.clone(),
            vpc_id: self.vpc_id.clone(),
            subnet_id: self.subnet_id.clone(),
            name: self.name.clone(),
            page_num: Some(page_num),
            page_size: Some(page_size),
            ..Default::default()
        }
    }

    /// Every NIC the API returns for this search, asked for through `page` a page of
    /// [`MAX_PAGE_SIZE`] at a time until the total is read (up to `MAX_PAGES`, against a
    /// server that never stops): the one paging loop of a NIC search.
    pub async fn read_pages<F, Fut>(&self, mut page: F) -> Result<Vec<NicInfo>, Error>
    where
        F: FnMut(DescribeNetworkInterfacesRequest) -> Fut,
        Fut: Future<Output = Result<DescribeNetworkInterfacesResponse, Error>>,
    {
        let mut found = Vec::new();
        let mut page_num = 1;
        loop {
            let answer = page(self.request(page_num, MAX_PAGE_SIZE)).await?;
            let n = answer.data_set.len();
            found.extend(answer.data_set);
            let seen = found.len() as u64;
            if !more_pages(n, seen, answer.total_count, MAX_PAGE_SIZE) || page_num >= MAX_PAGES {
                return Ok(found);
            }
            page_num += 1;
        }
    }

    /// Whether the API would return `nic` for this search.
    pub fn matches(&self, nic: &NicInfo) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        same(&self.region_id, Some(&nic.region_id))
            && same(&self.instance_id, nic.named_instance())
            && same(&self.status, Some(nic.status.as_str()))
            && same(&self.nic_type, nic.nic_type.as_deref())
            && same(&self.vpc_id, nic.vpc_id.as_deref())
            && same(&self.subnet_id, nic.subnet_id.as_deref())
            && self.name.as_deref().is_none_or(|part| {
                nic.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&part.to_lowercase()))
            })
    }

    /// The filters that are set, as `name = "value"` pairs in the Terraform argument names a
    /// person would use, for messages ("no NIC matches region_id = …").
    pub fn described(&self) -> Vec<(&'static str, &str)> {
        [
            ("name", &self.name),
            ("region_id", &self.region_id),
            ("instance_id", &self.instance_id),
            ("status", &self.status),
            ("nic_type", &self.nic_type),
            ("vpc_id", &self.vpc_id),
            ("subnet_id", &self.subnet_id),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zenlayer::models::NicStatus;

    fn nic() -> NicInfo {
        NicInfo {
            nic_id: "nic-1".into(),
            name: Some("Web-Data".into()),
            status: NicStatus::Available,
            nic_type: Some("Secondary".into()),
            region_id: "r1".into(),
            vpc_id: Some("vpc-1".into()),
            subnet_id: Some("sub-1".into()),
            ..NicInfo::default()
        }
    }

    #[test]
    fn every_filter_narrows_and_the_name_matches_as_a_case_blind_part() {
        let any = NicFilter::default();
        assert!(any.matches(&nic()));
        let f = |f: NicFilter| f.matches(&nic());
        assert!(f(NicFilter {
            name: Some("web".into()),
            region_id: Some("r1".into()),
            status: Some("AVAILABLE".into()),
            nic_type: Some("Secondary".into()),
            vpc_id: Some("vpc-1".into()),
            subnet_id: Some("sub-1".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            name: Some("db".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            status: Some("USED".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            instance_id: Some("ins-1".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            subnet_id: Some("sub-2".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            vpc_id: Some("vpc-2".into()),
            ..any.clone()
        }));
        assert!(!f(NicFilter {
            region_id: Some("r2".into()),
            ..any
        }));
    }

    #[test]
    fn the_request_carries_every_filter_set() {
        let f = NicFilter {
            vpc_id: Some("vpc-1".into()),
            subnet_id: Some("sub-1".into()),
            status: Some("AVAILABLE".into()),
            ..NicFilter::default()
        };
        let body = serde_json::to_value(f.request(2, 1000)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"vpcId": "vpc-1", "subnetId": "sub-1", "status": "AVAILABLE",
                               "pageNum": 2, "pageSize": 1000})
        );
    }
}
