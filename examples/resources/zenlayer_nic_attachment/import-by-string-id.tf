# Terraform 1.5 and later: import during `terraform apply`, with the plan showing it first.
import {
  to = zenlayer_nic_attachment.app
  id = "nic-app-1:ins-web-1"
}
