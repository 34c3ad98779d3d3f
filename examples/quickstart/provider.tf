terraform {
  required_providers {
    zenlayer = {
      source = "zenlayer/zenlayer"
    }
  }
}

# The quickstart points the provider at a local zenlayer-sim through the environment:
# ZENLAYERCLOUD_DOMAIN=127.0.0.1:<port>, ZENLAYERCLOUD_SCHEME=http and the simulator's
# key pair in ZENLAYERCLOUD_ACCESS_KEY_ID and ZENLAYERCLOUD_ACCESS_KEY_PASSWORD.
provider "zenlayer" {}
