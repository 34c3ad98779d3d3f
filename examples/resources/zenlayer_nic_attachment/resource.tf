# Attach the vNIC nic-app-1 to the ZEC instance ins-web-1.
resource "zenlayer_nic_attachment" "app" {
  nic_id      = "nic-app-1"
  instance_id = "ins-web-1"

  timeouts {
    create = "15m"
    delete = "15m"
  }
}

output "app_nic" {
  value = "${zenlayer_nic_attachment.app.mac_address} ${zenlayer_nic_attachment.app.primary_ipv4}"
}
