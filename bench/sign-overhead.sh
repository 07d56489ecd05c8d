#!/usr/bin/env bash
# Signing overhead: labels COUNT (1,000) small PNGs into a new folder with and without
# --sign (SM2 and Ed25519), alternating, ROUNDS (5) rounds, and prints the medians and the
# ratio (target: at most 1.5x unsigned). Then signs a GIGABYTES (1) GB WAV and reports the
# time and peak memory, which must not grow with the file.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
count=${COUNT:-1000}
rounds=${ROUNDS:-5}
producer=001191110102MACQD9K64018705
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

mkdir -p "$work/in" "$work/keys"
for ((i = 0; i < count; i++)); do cp samples/gradient.png "$work/in/$i.png"; done
"$bin" keys generate --out "$work/keys/sm2" >/dev/null
"$bin" keys generate --algorithm ed25519 --out "$work/keys/ed25519" >/dev/null

run() {  # seconds for one labelling of the folder into a fresh output folder
  rm -rf "$work/out"
  local start; start=$(now)
  "$bin" label "$work/in" --producer $producer --produce-id BENCH --output "$work/out" "$@" >/dev/null 2>&1
  echo "$(now) - $start" | bc -l
}
: >"$work/plain"; : >"$work/sm2"; : >"$work/ed25519"
for ((round = 1; round <= rounds; round++)); do
  run >>"$work/plain"
  run --sign "$work/keys/sm2.key" >>"$work/sm2"
  run --sign "$work/keys/ed25519.key" >>"$work/ed25519"
done
signed=$("$bin" verify "$work/out" --trust "$work/keys" 2>/dev/null | grep -c "signature valid" || true)
plain=$(median <"$work/plain")
for algorithm in sm2 ed25519; do
  signed_time=$(median <"$work/$algorithm")
  printf '%-8s %d PNGs: unsigned %.2f s (%.0f files/s), signed %.2f s (%.0f files/s): %.2fx\n' "$algorithm" "$count" \
    "$plain" "$(echo "$count / $plain" | bc -l)" "$signed_time" "$(echo "$count / $signed_time" | bc -l)" \
    "$(echo "$signed_time / $plain" | bc -l)"
done
echo "         last run's files with a valid Ed25519 signature: $signed/$count"

gigabytes=${GIGABYTES:-1}
python3 bench/lib/make-wav.py "$work/big.wav" "$(echo "$gigabytes * 1000" | bc -l)"
for algorithm in sm2 ed25519; do
  rm -rf "$work/wavout"
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" label "$work/big.wav" --producer $producer --sign "$work/keys/$algorithm.key" \
    --output "$work/wavout" >/dev/null 2>&1
  read -r seconds kilobytes <"$work/time"
  valid=$("$bin" verify "$work/wavout/big.wav" --trust "$work/keys" 2>/dev/null | grep -c "signature valid" || true)
  printf '%-8s %s GB WAV signed in %.2f s, peak memory %.0f MB; signature valid: %s\n' "$algorithm" "$gigabytes" "$seconds" \
    "$(echo "$kilobytes / 1024" | bc -l)" "$([[ $valid == 1 ]] && echo yes || echo NO)"
done
echo "machine: $(nproc) cores"
