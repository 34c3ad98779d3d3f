# Unit tests of the module's own logic, fully offline (Terraform >= 1.7): the provider is
# mocked, so no credentials, no API and no simulator are needed.

mock_provider "zenlayer" {
  mock_data "zenlayer_nics" {
    defaults = {
      ids = ["nic-a", "nic-b", "nic-c", "nic-d"]
      nics = [
        {
          id = "nic-a", name = "a", region_id = "r1", status = "AVAILABLE", nic_type = "Secondary",
          instance_id = null, mac_address = "fa:16:3e:00:00:0a", primary_ipv4 = "10.0.0.10",
          private_ips = ["10.0.0.10"], public_ips = [], vpc_id = "vpc-1", subnet_id = "subnet-1",
          security_group_id = "sg-1", create_time = "2026-01-01T00:00:00Z"
        },
        {
          id = "nic-b", name = "b", region_id = "r1", status = "USED", nic_type = "Secondary",
          instance_id = "ins-elsewhere", mac_address = "fa:16:3e:00:00:0b", primary_ipv4 = "10.0.0.11",
          private_ips = ["10.0.0.11"], public_ips = [], vpc_id = "vpc-1", subnet_id = "subnet-1",
          security_group_id = "sg-1", create_time = "2026-01-01T00:00:00Z"
        },
        {
          id = "nic-c", name = "c", region_id = "r1", status = "USED", nic_type = "Secondary",
          instance_id = "ins-2", mac_address = "fa:16:3e:00:00:0c", primary_ipv4 = "10.0.0.12",
          private_ips = ["10.0.0.12"], public_ips = [], vpc_id = "vpc-1", subnet_id = "subnet-1",
          security_group_id = "sg-1", create_time = "2026-01-01T00:00:00Z"
        },
        {
          id = "nic-d", name = "d", region_id = "r1", status = "AVAILABLE", nic_type = "Secondary",
          instance_id = null, mac_address = "fa:16:3e:00:00:0d", primary_ipv4 = "10.0.0.13",
          private_ips = ["10.0.0.13"], public_ips = [], vpc_id = "vpc-1", subnet_id = "subnet-1",
          security_group_id = "sg-1", create_time = "2026-01-01T00:00:00Z"
        },
      ]
    }
  }

  mock_resource "zenlayer_nic_attachment" {
    defaults = {
      region_id    = "r1"
      primary_ipv4 = "10.0.0.99"
    }
  }
}

variables {
  subnet_id = "subnet-1"
  instances = ["ins-1", "ins-2"]
}

run "nics_attached_elsewhere_are_left_alone" {
  command = plan

  assert {
    condition     = !contains(keys(output.placement), "nic-b")
    error_message = "nic-b is on an instance outside the pool and must not be taken."
  }
}

run "free_and_pool_nics_are_dealt_round_robin" {
  command = plan

  assert {
    condition     = output.placement == { "nic-a" = "ins-1", "nic-c" = "ins-2", "nic-d" = "ins-1" }
    error_message = "Got ${jsonencode(output.placement)}."
  }
}

run "apply_with_the_mock_fills_computed_attributes" {
  assert {
    condition     = output.primary_ipv4["nic-d"] == "10.0.0.99"
    error_message = "The mocked attachment reports the mocked address."
  }

  assert {
    condition     = zenlayer_nic_attachment.this["nic-a"].instance_id == "ins-1"
    error_message = "nic-a is attached to ins-1."
  }
}
