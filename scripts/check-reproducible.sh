#!/usr/bin/env bash
# Proves that a release is reproducible: exports one commit into two checkouts at different
# paths, runs scripts/release.sh in each with its own target directory, and compares the zips
# byte for byte. Two full release builds (fat LTO): about 2 x the release build time, so it runs
# before a release rather than in `cargo test`; tests/release.rs checks the path remapping on
# a small program instead.
#
# Usage: scripts/check-reproducible.sh [COMMIT]   (default HEAD; uncommitted changes are not used)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse --verify "${1:-HEAD}^{commit}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

zips=()
for checkout in "$work/a/terraform-provider-zenlayer" "$work/second-build/elsewhere/tpz"; do
  mkdir -p "$checkout"
  git -C "$root" archive "$commit" | tar -x -C "$checkout"
  out="$checkout.out"
  started=$(date +%s)
  CARGO_TARGET_DIR="$checkout.target" "$checkout/scripts/release.sh" "$out" >&2
  echo "built in $(( $(date +%s) - started )) s from $checkout" >&2
  zips+=("$(ls "$out"/*.zip)")
done

sha_a=$(sha256sum < "${zips[0]}" | cut -d' ' -f1)
sha_b=$(sha256sum < "${zips[1]}" | cut -d' ' -f1)
if [ "$sha_a" != "$sha_b" ]; then
  echo "NOT reproducible: commit $commit gave two different zips" >&2
  echo "  $sha_a  ${zips[0]}" >&2
  echo "  $sha_b  ${zips[1]}" >&2
  exit 1
fi
echo "reproducible: commit $commit gives $(basename "${zips[0]}") with sha256 $sha_a from both checkouts"
