//! Request bodies → the client's own request models, refusing what the API refuses: a body that
//! is not a JSON object, missing required fields, wrong types, and values out of range.
//! Fields the simulator does not model are ignored, as the API ignores unknown ones.

use serde_json::{Map, Value};

use super::failure::Failure;
use crate::zenlayer::models::{
    AttachNetworkInterfaceRequest, DescribeInstancesRequest, DescribeNetworkInterfacesRequest,
    DescribeZonesRequest, DetachNetworkInterfaceRequest, InstanceStatus, MAX_IDS_PER_CALL,
    MAX_PAGE_SIZE, NicStatus,
};
use crate::zenlayer::{codes, json_kind};

/// The request body as a JSON object.
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// An empty or non-object body is refused: every action takes a JSON object.
    pub(crate) fn parse(body: &[u8]) -> Result<Params, Failure> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Params(map)),
            Ok(other) => Err(Failure::new(
                codes::INVALID_PARAMETER_TYPE,
                format!(
                    "The request body must be a JSON object, not {}.",
                    json_kind(&other)
                ),
            )),
            Err(e) => Err(Failure::new(
                codes::INVALID_PARAMETER_TYPE,
                format!("The request body is not valid JSON: {e}."),
            )),
        }
    }

    /// The field's value, with `null` counting as absent (the SDKs leave unset fields out).
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn required_string(&self, name: &str) -> Result<String, Failure> {
        match self.optional_string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(Failure::new(
                codes::MISSING_PARAMETER,
                format!("The parameter `{name}` is required."),
            )),
        }
    }

    fn optional_string(&self, name: &str) -> Result<Option<String>, Failure> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong_type(name, "a string", other)),
        }
    }

    fn optional_enum(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, Failure> {
        let value = self.optional_string(name)?;
        match &value {
            Some(v) if !allowed.contains(&v.as_str()) => Err(Failure::new(
                codes::INVALID_PARAMETER_VALUE,
                format!(
                    "The parameter `{name}` is `{v}`; it must be one of {}.",
                    allowed.join(", ")
                ),
            )),
            _ => Ok(value),
        }
    }

    fn optional_string_list(&self, name: &str) -> Result<Option<Vec<String>>, Failure> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(wrong_type(name, "an array of strings", value));
        };
        if items.len() > MAX_IDS_PER_CALL {
            return Err(Failure::new(
                codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
                format!(
                    "The parameter `{name}` has {} items; at most {MAX_IDS_PER_CALL} are allowed.",
                    items.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(s) => out.push(s.clone()),
                other => return Err(wrong_type(name, "an array of strings", other)),
            }
        }
        // An empty list filters nothing, like an absent one.
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    fn optional_u32(&self, name: &str, min: u32, max: u32) -> Result<Option<u32>, Failure> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => n,
            other => return Err(wrong_type(name, "an integer", other)),
        };
        let too_small = || {
            Failure::new(
                codes::INVALID_PARAMETER_LESS_MINIMUM,
                format!("The parameter `{name}` is {number}; the minimum is {min}."),
            )
        };
        let too_big = || {
            Failure::new(
                codes::INVALID_PARAMETER_EXCEED_MAXIMUM,
                format!("The parameter `{name}` is {number}; the maximum is {max}."),
            )
        };
        match number.as_u64() {
            None => Err(too_small()),
            Some(n) if n < u64::from(min) => Err(too_small()),
            Some(n) if n > u64::from(max) => Err(too_big()),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| too_big()),
        }
    }

    fn page(&self) -> Result<(Option<u32>, Option<u32>), Failure> {
        Ok((
            self.optional_u32("pageNum", 1, u32::MAX)?,
            self.optional_u32("pageSize", 1, MAX_PAGE_SIZE)?,
        ))
    }

    pub(crate) fn attach(&self) -> Result<AttachNetworkInterfaceRequest, Failure> {
        Ok(AttachNetworkInterfaceRequest {
            nic_id: self.required_string("nicId")?,
            instance_id: self.required_string("instanceId")?,
        })
    }

    pub(crate) fn detach(&self) -> Result<DetachNetworkInterfaceRequest, Failure> {
        Ok(DetachNetworkInterfaceRequest {
            nic_id: self.required_string("nicId")?,
        })
    }

    pub(crate) fn describe_nics(&self) -> Result<DescribeNetworkInterfacesRequest, Failure> {
        let (page_num, page_size) = self.page()?;
        let statuses: Vec<&str> = NicStatus::ALL.iter().map(NicStatus::as_str).collect();
        Ok(DescribeNetworkInterfacesRequest {
            nic_ids: self.optional_string_list("nicIds")?,
            region_id: self.optional_string("regionId")?,
            instance_id: self.optional_string("instanceId")?,
            status: self.optional_enum("status", &statuses)?,
            nic_type: self.optional_enum("nicType", &["Primary", "Secondary"])?,
            name: self.optional_string("name")?,
            vpc_id: self.optional_string("vpcId")?,
            subnet_id: self.optional_string("subnetId")?,
            page_num,
            page_size,
        })
    }

    pub(crate) fn describe_instances(&self) -> Result<DescribeInstancesRequest, Failure> {
        let (page_num, page_size) = self.page()?;
        let statuses: Vec<&str> = InstanceStatus::ALL
            .iter()
            .map(InstanceStatus::as_str)
            .collect();
        Ok(DescribeInstancesRequest {
            instance_ids: self.optional_string_list("instanceIds")?,
            zone_id: self.optional_string("zoneId")?,
            status: self.optional_enum("status", &statuses)?,
            name: self.optional_string("name")?,
            page_num,
            page_size,
        })
    }

    pub(crate) fn describe_zones(&self) -> Result<DescribeZonesRequest, Failure> {
        Ok(DescribeZonesRequest {
            zone_ids: self.optional_string_list("zoneIds")?,
        })
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> Failure {
    Failure::new(
        codes::INVALID_PARAMETER_TYPE,
        format!(
            "The parameter `{name}` must be {expected}, not {}.",
            json_kind(got)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &str) -> Params {
        Params::parse(body.as_bytes()).expect("object body")
    }

    fn code<T: std::fmt::Debug>(r: Result<T, Failure>) -> &'static str {
        r.expect_err("must be refused").code
    }

    #[test]
    fn bodies_that_are_not_objects_are_refused() {
        for body in ["", "[]", "null", "\"x\"", "{"] {
            assert_eq!(
                code(Params::parse(body.as_bytes()).map(|_| ())),
                codes::INVALID_PARAMETER_TYPE,
                "{body:?}"
            );
        }
    }

    #[test]
    fn required_fields_missing_null_or_empty_are_missing_parameter() {
        for body in [
            r#"{"instanceId":"i"}"#,
            r#"{"nicId":null,"instanceId":"i"}"#,
            r#"{"nicId":"","instanceId":"i"}"#,
        ] {
            assert_eq!(
                code(params(body).attach()),
                codes::MISSING_PARAMETER,
                "{body}"
            );
        }
    }

    #[test]
    fn wrong_types_are_invalid_parameter_type() {
        assert_eq!(
            code(params(r#"{"nicId":5}"#).detach()),
            codes::INVALID_PARAMETER_TYPE
        );
        assert_eq!(
            code(params(r#"{"nicIds":"n-1"}"#).describe_nics()),
            codes::INVALID_PARAMETER_TYPE
        );
        assert_eq!(
            code(params(r#"{"nicIds":[1]}"#).describe_nics()),
            codes::INVALID_PARAMETER_TYPE
        );
        assert_eq!(
            code(params(r#"{"pageSize":"10"}"#).describe_instances()),
            codes::INVALID_PARAMETER_TYPE
        );
        assert_eq!(
            code(params(r#"{"pageSize":1.5}"#).describe_instances()),
            codes::INVALID_PARAMETER_TYPE
        );
    }

    #[test]
    fn limits_are_enforced() {
        let ids: Vec<String> = (0..=100).map(|i| format!("\"n-{i}\"")).collect();
        let body = format!(r#"{{"nicIds":[{}]}}"#, ids.join(","));
        assert_eq!(
            code(params(&body).describe_nics()),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM
        );
        assert_eq!(
            code(params(r#"{"pageSize":1001}"#).describe_nics()),
            codes::INVALID_PARAMETER_EXCEED_MAXIMUM
        );
        assert_eq!(
            code(params(r#"{"pageSize":0}"#).describe_nics()),
            codes::INVALID_PARAMETER_LESS_MINIMUM
        );
        assert_eq!(
            code(params(r#"{"pageNum":-1}"#).describe_nics()),
            codes::INVALID_PARAMETER_LESS_MINIMUM
        );
        let ok = params(r#"{"pageSize":1000,"pageNum":3}"#)
            .describe_nics()
            .unwrap();
        assert_eq!((ok.page_num, ok.page_size), (Some(3), Some(1000)));
    }

    #[test]
    fn enum_filters_accept_only_documented_values() {
        assert_eq!(
            code(params(r#"{"status":"ATTACHED"}"#).describe_nics()),
            codes::INVALID_PARAMETER_VALUE
        );
        assert_eq!(
            code(params(r#"{"nicType":"primary"}"#).describe_nics()),
            codes::INVALID_PARAMETER_VALUE
        );
        let ok = params(r#"{"status":"USED","nicType":"Primary","vpcId":"ignored"}"#)
            .describe_nics()
            .unwrap();
        assert_eq!(ok.status.as_deref(), Some("USED"));
    }
}
