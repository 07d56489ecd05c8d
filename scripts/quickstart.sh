#!/usr/bin/env bash
# From a fresh Debian machine: install what is missing, build, label every file in samples/
# into out/labelled/, and verify the result.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
scripts/install-deps.sh
swift build -c release --product synthlabel
bin=.build/release/synthlabel
rm -rf out/labelled
# 001191110102MACQD9K64018705 is the TC260 example provider code; use your own.
"$bin" label samples --producer 001191110102MACQD9K64018705 --explicit --output out/labelled
"$bin" verify out/labelled
