terraform {
  required_providers {
    zenlayer = {
      source  = "zenlayer/zenlayer"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the environment (ZENLAYERCLOUD_ACCESS_KEY_ID and
# ZENLAYERCLOUD_ACCESS_KEY_PASSWORD, or ZENLAYERCLOUD_ACCESS_TOKEN), which keeps
# secrets out of the configuration. Every other setting has a sensible default.
provider "zenlayer" {
  # Fail `terraform plan` on problems the API can already show (the default).
  plan_checks = "error"
}
