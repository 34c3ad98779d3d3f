# Integration tests against zenlayer-sim's built-in account (or, with other values, a real
# one). The provider reads its settings from the environment:
#   ZENLAYERCLOUD_DOMAIN=127.0.0.1:8080 ZENLAYERCLOUD_SCHEME=http
#   ZENLAYERCLOUD_ACCESS_KEY_ID=... ZENLAYERCLOUD_ACCESS_KEY_PASSWORD=...
# `terraform test` destroys what the runs applied when the file ends.

variables {
  subnet_id  = "subnet-asia-east-1"
  instances  = ["ins-web-1", "ins-web-2"]
  name_regex = "^app-[1-4]$"
}

run "plan_deals_the_free_nics_to_the_pool" {
  command = plan

  assert {
    condition     = length(output.placement) == 4
    error_message = "Expected the four free app NICs, got ${jsonencode(output.placement)}."
  }

  assert {
    condition     = output.placement["nic-app-1"] == "ins-web-1" && output.placement["nic-app-2"] == "ins-web-2"
    error_message = "NICs are dealt round robin in ID order."
  }

  assert {
    condition     = zenlayer_nic_attachment.this["nic-app-3"].instance_id == "ins-web-1"
    error_message = "The attachment of nic-app-3 is planned on ins-web-1."
  }

  assert {
    condition     = zenlayer_nic_attachment.this["nic-app-3"].id == "nic-app-3:ins-web-1"
    error_message = "The attachment ID is known at plan time."
  }
}

run "apply_attaches_them" {
  assert {
    condition     = zenlayer_nic_attachment.this["nic-app-1"].region_id == "asia-east-1"
    error_message = "The attachment reports the NIC's region."
  }

  assert {
    condition     = output.primary_ipv4["nic-app-1"] == "10.10.0.19"
    error_message = "The attachment reports the NIC's primary address."
  }

  assert {
    condition     = alltrue([for id, a in zenlayer_nic_attachment.this : a.mac_address != null])
    error_message = "Every attachment reports a MAC address."
  }
}

run "attached_nics_stay_in_the_pool" {
  command = plan

  assert {
    condition     = output.placement == run.apply_attaches_them.placement
    error_message = "A second plan deals the same NICs to the same instances."
  }
}

run "an_empty_pool_is_refused" {
  command = plan

  variables {
    instances = []
  }

  expect_failures = [var.instances]
}
