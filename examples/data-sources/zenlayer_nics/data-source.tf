# Every free secondary vNIC of one subnet whose name starts with "app-". All filters but
# name_regex are sent to the API; name_regex is matched by the provider.
data "zenlayer_nics" "free_app" {
  region_id  = "asia-east-1"
  subnet_id  = "subnet-asia-east-1"
  status     = "AVAILABLE"
  nic_type   = "Secondary"
  name_regex = "^app-"
}

output "free_app_nic_ids" {
  value = data.zenlayer_nics.free_app.ids
}

output "free_app_nic_addresses" {
  value = { for n in data.zenlayer_nics.free_app.nics : n.id => n.primary_ipv4 }
}
