#!/usr/bin/env bash
# Kills `synthlabel label --in-place` with SIGKILL at random moments over a tree of 2,000
# files, restarting it each time, then lets it finish. After every kill, every file must be
# byte-identical to its original or completely labelled and compliant, and every labelled
# file must already have its act in the ledger. At the end: all files labelled and compliant,
# exactly one completed act per file whose SHA-256 is the file's, no temporary files left.
#
#   bash scripts/crash-test.sh [KILLS] [FILES]        (defaults 12 and 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
kills=${1:-12}
files=${2:-2000}
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .crash-XXXXXX)
trap 'rm -rf "$work"' EXIT
export SYNTHLABEL_LEDGER=$work/ledger.sqlite

# The tree: generated PNGs (libpng-independent, zlib by Python), WAVs and Markdown of varied
# sizes, plus copies of the real-encoder JPEG, MP3 and FLAC samples.
python3 scripts/lib/make-crash-tree.py "$work/tree" "$files" samples
cp -a "$work/tree" "$work/original"
echo "tree: $(find "$work/tree" -type f | wc -l) files, $(du -sm "$work/tree" | cut -f1) MB"

check() {  # $1: "final" or a kill number
  "$bin" scan "$work/tree" --ndjson >"$work/scan.ndjson" 2>/dev/null || true
  python3 scripts/lib/check-crash-tree.py "$work/tree" "$work/original" "$work/scan.ndjson" "$SYNTHLABEL_LEDGER" "$1"
}

# exec, so the pid that is killed is synthlabel's own, not a subshell's.
label() { exec "$bin" label "$work/tree" --producer 001191110102MACQD9K64018705 --in-place >/dev/null 2>"$work/stderr"; }

# How long an uninterrupted run takes here (on a copy, with a ledger of its own), so the
# kills can land anywhere in it: before the first write, mid-batch, between rename and record.
cp -a "$work/original" "$work/timing"
start=$(date +%s.%N)
SYNTHLABEL_LEDGER=$work/timing.sqlite "$bin" label "$work/timing" --producer 001191110102MACQD9K64018705 --in-place >/dev/null 2>&1
span=$(python3 -c "print(max(0.05, $(date +%s.%N) - $start))")
rm -rf "$work/timing" "$work/timing.sqlite"*
echo "an uninterrupted run takes ${span} s; each kill comes at random within its first eighth"

for ((i = 1; i <= kills; i++)); do
  label &
  pid=$!
  sleep "$(python3 -c "import random; print(round(random.uniform(0.01, $span / 8), 3))")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check "$i"
done
(label)
tail -1 "$work/stderr"
check final
