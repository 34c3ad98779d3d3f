#!/usr/bin/env bash
# Builds the release binary and packages it in the Terraform Registry's release layout:
#   OUT_DIR/terraform-provider-zenlayer_<version>_<os>_<arch>.zip  holding terraform-provider-zenlayer_v<version>
#   OUT_DIR/terraform-provider-zenlayer_<version>_manifest.json    {"version":1,"metadata":{"protocol_versions":["5.0"]}}
#   OUT_DIR/terraform-provider-zenlayer_<version>_SHA256SUMS       sha256sum lines for the two files above
#   OUT_DIR/terraform-provider-zenlayer_<version>_SHA256SUMS.sig   with --sign: a detached GPG signature
# The version is Cargo.toml's. The zip is reproducible: the same binary gives the same bytes,
# and the release build maps every build-machine path (the checkout, CARGO_HOME with its
# registry sources, the target dir, the toolchain, $HOME) to a fixed name, in Rust
# (--remap-path-prefix) and in C (-ffile-prefix-map, for aws-lc), then refuses a binary in
# which any of them is still found. scripts/check-reproducible.sh builds one commit twice and
# compares the zips. The toolchain is rust-toolchain.toml's.
# Needs cargo, sha256sum, and python3 (or zip); gpg for --sign.
#
# Usage: scripts/release.sh [--binary PATH] [--sign KEY] OUT_DIR
#        scripts/release.sh --print-build-env
#   --binary PATH  package PATH instead of building the release binary (tests/release.rs packs
#                  the debug build this way, to keep the slow LTO build out of `cargo test`)
#   --print-build-env  print the RUSTFLAGS and CFLAGS the release build uses, and the paths
#                  they hide, then exit (tests/release.rs checks them on a small program)
#   --sign KEY     sign SHA256SUMS with the GPG secret key KEY (a fingerprint, or $GPG_FINGERPRINT
#                  when set), as the public Registry requires; the key must sign without a prompt
#                  (gpg-agent already unlocked, or a key without a passphrase on a CI runner)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-zenlayer

usage() { echo "usage: scripts/release.sh [--binary PATH] [--sign KEY] OUT_DIR | --print-build-env" >&2; exit 2; }
binary=""
out=""
print_env=""
sign_key="${GPG_FINGERPRINT:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || usage; binary=$2; shift 2 ;;
    --print-build-env) print_env=1; shift ;;
    --sign) [ $# -ge 2 ] || usage; sign_key=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out=$1; shift ;;
  esac
done

# Build-machine paths, most general first: when two prefixes match, the last one given wins
# (rustc and gcc alike), so the checkout and target dir keep their own names inside $HOME.
target_dir=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$target_dir"
target_dir=$(cd "$target_dir" && pwd)
cargo_home=${CARGO_HOME:-${HOME:-/nonexistent}/.cargo}
sysroot=$(cd "$root" && rustc --print sysroot)
hidden=()
[ -n "${HOME:-}" ] && [ "$HOME" != / ] && hidden+=("$HOME=/home/builder")
hidden+=("$sysroot=/rustc/toolchain" "$cargo_home=/cargo" "$root=/build/$name" "$target_dir=/build/target")
rustflags=""
cflags=""
for pair in "${hidden[@]}"; do
  rustflags+=" --remap-path-prefix=$pair"
  cflags+=" -ffile-prefix-map=$pair"
done
if [ -n "$print_env" ]; then
  printf 'RUSTFLAGS=%s\nCFLAGS=%s\n' "${rustflags# }" "${cflags# }"
  for pair in "${hidden[@]}"; do printf 'HIDDEN=%s\n' "${pair%=*}"; done
  exit 0
fi
[ -n "$out" ] || usage
if [ -n "$sign_key" ] && ! command -v gpg >/dev/null 2>&1; then
  echo "--sign needs gpg (GnuPG), which is not installed" >&2; exit 1
fi

version=$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' "$root/Cargo.toml")
[ -n "$version" ] || { echo "no version in the [package] section of $root/Cargo.toml" >&2; exit 1; }

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  FreeBSD) os=freebsd ;;
  *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

built=""
if [ -z "$binary" ]; then
  # SOURCE_DATE_EPOCH is the commit's time, for any build step that stamps a date.
  epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 315532800)
  (cd "$root" && SOURCE_DATE_EPOCH=$epoch \
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }${rustflags# }" \
    CFLAGS="${CFLAGS:+$CFLAGS }${cflags# }" CXXFLAGS="${CXXFLAGS:+$CXXFLAGS }${cflags# }" \
    CARGO_TARGET_DIR="$target_dir" cargo build --release --locked --bin "$name")
  binary="$target_dir/release/$name"
  built=1
fi
[ -x "$binary" ] || { echo "$binary is not an executable file" >&2; exit 1; }
if [ -n "$built" ]; then
  # The proof, on every release: no build-machine path survived in the binary.
  for path in "${hidden[@]%=*}" .cargo/registry; do
    if LC_ALL=C grep -a -q -F -e "$path" "$binary"; then
      echo "$binary still contains the build path $path:" >&2
      LC_ALL=C grep -a -o -F -e "$path" "$binary" | head -3 >&2
      exit 1
    fi
  done
fi
# A stale or foreign binary would be shipped under the wrong version: ask it.
reported=$("$binary" --version)
[ "$reported" = "$name $version" ] || {
  echo "$binary says \"$reported\", expected \"$name $version\"" >&2; exit 1;
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
zip_name="${name}_${version}_${os}_${arch}.zip"
manifest_name="${name}_${version}_manifest.json"
sums_name="${name}_${version}_SHA256SUMS"
entry="${name}_v${version}"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

if command -v python3 >/dev/null 2>&1; then
  python3 - "$binary" "$entry" "$stage/$zip_name" <<'PY'
import sys, zipfile
source, entry, target = sys.argv[1:4]
info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
info.create_system = 3                     # Unix, so the mode below is honoured
info.external_attr = 0o100755 << 16        # a regular, executable file
info.compress_type = zipfile.ZIP_DEFLATED
with open(source, "rb") as f, zipfile.ZipFile(target, "w") as z:
    z.writestr(info, f.read())
PY
elif command -v zip >/dev/null 2>&1; then
  cp "$binary" "$stage/$entry"
  chmod 0755 "$stage/$entry"
  touch -d "1980-01-01 00:00:00" "$stage/$entry"
  (cd "$stage" && TZ=UTC zip -q -X "$zip_name" "$entry" && rm "$entry")
else
  echo "neither python3 nor zip is installed; one is needed to write the zip" >&2
  exit 1
fi
printf '{"version":1,"metadata":{"protocol_versions":["5.0"]}}\n' > "$stage/$manifest_name"
(cd "$stage" && sha256sum "$zip_name" "$manifest_name" > "$sums_name")
outputs=("$stage/$zip_name" "$stage/$manifest_name" "$stage/$sums_name")
if [ -n "$sign_key" ]; then
  # The Registry verifies this binary (not armored) signature against the publisher's public key.
  gpg --batch --yes --local-user "$sign_key" --output "$stage/$sums_name.sig" \
    --detach-sign "$stage/$sums_name" || {
    echo "gpg could not sign with key $sign_key (is its secret key in the keyring, unlocked?)" >&2
    exit 1
  }
  outputs+=("$stage/$sums_name.sig")
fi

mv -f "${outputs[@]}" "$out/"
echo "$name $version for ${os}_${arch} in $out:"
(cd "$out" && cat "$sums_name")
