//! NICs that attachments planned in this process mean to attach. A NIC can be attached to one
//! instance at a time, so two planned creates of the same NIC cannot both succeed: the second
//! one planned is told at plan time instead of one of them failing half-way through apply.
//!
//! Terraform plans each new attachment once per walk (the create half of a replacement
//! included; the replacement's first call is not a claim), so a repeated claim means two
//! resources, never one resource planned twice.

use std::collections::HashMap;
use std::sync::Mutex;

/// NIC ID → the instance the first attachment planned for it names.
#[derive(Debug, Default)]
pub(crate) struct PlanClaims {
    by_nic: Mutex<HashMap<String, String>>,
}

impl PlanClaims {
    /// Claims `nic_id` for `instance_id`; returns the instance of an earlier claim, if any.
    pub(crate) fn claim(&self, nic_id: &str, instance_id: &str) -> Option<String> {
        let mut by_nic = self
            .by_nic
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match by_nic.get(nic_id) {
            Some(earlier) => Some(earlier.clone()),
            None => {
                by_nic.insert(nic_id.to_owned(), instance_id.to_owned());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_claim_of_a_nic_is_free() {
        let claims = PlanClaims::default();
        assert_eq!(claims.claim("nic-1", "ins-1"), None);
        assert_eq!(claims.claim("nic-2", "ins-1"), None);
    }

    #[test]
    fn a_second_claim_names_the_instance_of_the_first() {
        let claims = PlanClaims::default();
        assert_eq!(claims.claim("nic-1", "ins-1"), None);
        assert_eq!(claims.claim("nic-1", "ins-2").as_deref(), Some("ins-1"));
        assert_eq!(claims.claim("nic-1", "ins-1").as_deref(), Some("ins-1"));
    }
}
