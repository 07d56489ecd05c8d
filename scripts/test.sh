#!/usr/bin/env bash
# Runs the whole test suite (unit, adapter, witness, command-line and safety tests).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift format lint --strict --recursive Sources Tests   # style: .swift-format
bash scripts/postgres.sh   # the PostgreSQL ledger's tests reach Debian's PostgreSQL 15 on loopback
swift build --build-tests
swift test --skip-build "$@"
scripts/docs.sh   # the DocC catalog and every public comment, no broken link
