# Attach the free secondary vNICs of a subnet to a pool of instances, round robin. The IDs
# come from a data source, so they are known at plan time and every attachment gets the
# provider's plan checks.
locals {
  pool = ["ins-web-1", "ins-web-2"]
}

# No `status` filter: a NIC this configuration attached is no longer AVAILABLE, and must stay
# in the set, or the next plan would detach it.
data "zenlayer_nics" "subnet" {
  subnet_id  = "subnet-asia-east-1"
  nic_type   = "Secondary"
  name_regex = "^app-[1-4]$"
}

locals {
  # Free NICs and NICs already on the pool; NICs attached elsewhere are left alone.
  pool_nics = [
    for n in data.zenlayer_nics.subnet.nics : n.id
    if n.instance_id == null || contains(local.pool, coalesce(n.instance_id, "-"))
  ]
}

resource "zenlayer_nic_attachment" "pool" {
  for_each    = { for i, id in local.pool_nics : id => local.pool[i % length(local.pool)] }
  nic_id      = each.key
  instance_id = each.value
}

output "attached" {
  value = { for id, a in zenlayer_nic_attachment.pool : id => a.instance_id }
}
