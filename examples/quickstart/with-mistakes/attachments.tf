# Three attachments, each with a mistake the API would refuse. `terraform plan` reports
# all three, at the line to fix, before anything is changed.

# nic-eu-app-1 lives in europe-west-1; ins-web-1 runs in asia-east-1.
resource "zenlayer_nic_attachment" "app" {
  nic_id      = "nic-eu-app-1"
  instance_id = "ins-web-1"
}

# ins-stopped-1 is STOPPED; Zenlayer attaches NICs only to RUNNING instances.
resource "zenlayer_nic_attachment" "worker" {
  nic_id      = "nic-app-2"
  instance_id = "ins-stopped-1"
}

# nic-db-1 is already attached to ins-web-1.
resource "zenlayer_nic_attachment" "db" {
  nic_id      = "nic-db-1"
  instance_id = "ins-web-2"
}
