# Find the vNIC named db-1 in asia-east-1 (by exact name; `id = "nic-db-1"` works too).
data "zenlayer_nic" "db" {
  name      = "db-1"
  region_id = "asia-east-1"
}

# Status and instance are read anew on every plan: instance_id is null when the NIC is free.
output "db_nic" {
  value = "${data.zenlayer_nic.db.id} is ${data.zenlayer_nic.db.status} on ${coalesce(data.zenlayer_nic.db.instance_id, "no instance")}"
}
