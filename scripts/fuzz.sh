#!/usr/bin/env bash
# Fuzzes carrier detection, every adapter's reader and planner, the label parser and the XMP
# scanner with libFuzzer under AddressSanitizer (leak detection on), starting from samples/.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60). Crashes land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
seconds=${1:-60}
SYNTHLABEL_FUZZ=1 swift build -c debug --scratch-path .build-fuzz --product SynthLabelFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld >/dev/null
corpus=fuzz/corpus
mkdir -p "$corpus" fuzz/artifacts
rm -f fuzz-*.log  # libFuzzer writes one per worker; old ones would be counted below
cp -n samples/* "$corpus"/ 2>/dev/null || true
# One process per core; -timeout catches hangs, -rss_limit_mb runaway allocations.
.build-fuzz/debug/SynthLabelFuzz "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -jobs="${WORKERS:-$(nproc)}" -workers="${WORKERS:-$(nproc)}" -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 \
  >fuzz/last-run.log 2>&1 || { tail -40 fuzz/last-run.log fuzz-*.log 2>/dev/null; exit 1; }
grep -h "stat::number_of_executed_units\|stat::peak_rss_mb" fuzz-*.log 2>/dev/null | sort | uniq -c || true
echo "fuzzed $seconds s on ${WORKERS:-$(nproc)} workers; corpus $(ls "$corpus" | wc -l) inputs; no crash, leak or hang"
