# A small module: attach the free secondary NICs of a subnet (and keep those already on the
# pool) to a pool of instances, round robin. The NICs are looked up, not hard-coded, so their
# IDs are known at plan time and every attachment gets the provider's plan checks.

variable "subnet_id" {
  type        = string
  description = "The subnet whose NICs the pool uses."
}

variable "instances" {
  type        = list(string)
  description = "The instances of the pool, in the order NICs are dealt to them."

  validation {
    condition     = length(var.instances) > 0
    error_message = "The pool needs at least one instance."
  }
}

variable "name_regex" {
  type        = string
  default     = null
  description = "Only NICs whose name matches this regular expression."
}

data "zenlayer_nics" "subnet" {
  subnet_id  = var.subnet_id
  nic_type   = "Secondary"
  name_regex = var.name_regex
}

locals {
  # Free NICs, and NICs already on the pool: once attached, a NIC stays in the set, so a
  # second plan changes nothing. NICs attached elsewhere are left alone.
  pool_nics = [
    for n in data.zenlayer_nics.subnet.nics : n.id
    if n.instance_id == null || contains(var.instances, coalesce(n.instance_id, "-"))
  ]
  placement = {
    for i, id in local.pool_nics : id => var.instances[i % length(var.instances)]
  }
}

resource "zenlayer_nic_attachment" "this" {
  for_each    = local.placement
  nic_id      = each.key
  instance_id = each.value
}

output "placement" {
  description = "NIC ID => instance ID, known at plan time."
  value       = local.placement
}

output "primary_ipv4" {
  description = "NIC ID => the NIC's primary private IPv4 address."
  value       = { for id, a in zenlayer_nic_attachment.this : id => a.primary_ipv4 }
}
