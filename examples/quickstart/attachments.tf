# The same three attachments with the mistakes fixed, as the plan's messages suggested.

# A NIC from the instance's region.
resource "zenlayer_nic_attachment" "app" {
  nic_id      = "nic-app-1"
  instance_id = "ins-web-1"
}

# A running instance.
resource "zenlayer_nic_attachment" "worker" {
  nic_id      = "nic-app-2"
  instance_id = "ins-web-1"
}

# A NIC that is not attached anywhere yet.
resource "zenlayer_nic_attachment" "db" {
  nic_id      = "nic-app-3"
  instance_id = "ins-web-2"
}

output "attached" {
  value = {
    for name, a in {
      app    = zenlayer_nic_attachment.app
      worker = zenlayer_nic_attachment.worker
      db     = zenlayer_nic_attachment.db
    } : name => "${a.nic_id} on ${a.instance_id} (${a.primary_ipv4}, ${a.mac_address})"
  }
}
