#!/usr/bin/env bash
# Puts the real DVID test data where the Rust tests, benches, vitest suites and fuzz seeding
# look for it (<repo>/../shared/data/dvid, or $BRAID_SHARED_DATA/dvid) and checks every file
# against .github/test-data.sha256.
#
# The data is not part of this repository (its README asks that it not be copied into the
# project), so CI downloads a tarball of the `dvid/` folder, by default the asset of the
# `test-data-v1` GitHub release (make it with `tar -C ../shared/data -czf
# dvid-test-data.tar.gz dvid`); BRAID_TEST_DATA_URL points elsewhere.
set -euo pipefail
cd "$(dirname "$0")/../.."

root=${BRAID_SHARED_DATA:-../shared/data}
repo=${GITHUB_REPOSITORY:-braid-seg/braid}
url=${BRAID_TEST_DATA_URL:-https://github.com/$repo/releases/download/test-data-v1/dvid-test-data.tar.gz}
manifest=$PWD/.github/test-data.sha256

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
verify() { (cd "$root" && sha256 -c --quiet "$manifest"); }

if [ -d "$root/dvid" ] && verify >/dev/null 2>&1; then
  echo "test data already present in $root"
  exit 0
fi
mkdir -p "$root"
curl -fsSL --retry 3 "$url" | tar -xz -C "$root"
verify
echo "test data fetched from $url into $root"
