#!/usr/bin/env bash
# Labels a 200 MB WAV and compares wall time and peak memory with `cp` of the same file.
# Targets: at most 2x cp's wall time, peak memory under 64 MB. Median of 5 runs each.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
megabytes=${MEGABYTES:-200}

# A 16-bit stereo 48 kHz WAV header, then noise as sample data.
python3 bench/lib/make-wav.py "$work/big.wav" "$megabytes"

measure() {  # prints "seconds kilobytes"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
  cat "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in 1 2 3 4 5; do
  rm -f "$work/copy.wav"; rm -rf "$work/out"; sync
  measure cp "$work/big.wav" "$work/copy.wav" >>"$work/cp.txt"
  sync
  measure "$bin" label "$work/big.wav" --producer 001191110102MACQD9K64018705 --produce-id B --output "$work/out" >>"$work/ours.txt"
  rm -rf "$work/out"; sync
  measure "$bin" label "$work/big.wav" --producer 001191110102MACQD9K64018705 --produce-id B --output "$work/out" --no-ledger >>"$work/bare.txt"
done
# In place the data is fsynced before the rename (the original is being replaced), so this
# costs a disk flush that neither cp nor --output pays; shown for transparency.
for i in 1 2 3; do
  cp "$work/big.wav" "$work/inplace.wav"; sync
  measure "$bin" label "$work/inplace.wav" --producer 001191110102MACQD9K64018705 --produce-id B --in-place >>"$work/inplace.txt"
done
inplace_time=$(cut -d' ' -f1 "$work/inplace.txt" | median)
cp_time=$(cut -d' ' -f1 "$work/cp.txt" | median)
our_time=$(cut -d' ' -f1 "$work/ours.txt" | median)
bare_time=$(cut -d' ' -f1 "$work/bare.txt" | median)
our_memory=$(cut -d' ' -f2 "$work/ours.txt" | sort -n | tail -1)
cp_memory=$(cut -d' ' -f2 "$work/cp.txt" | sort -n | tail -1)
"$bin" verify "$work/out/big.wav" >/dev/null && echo "labelled copy verifies as compliant"
printf 'WAV %d MB: cp %.2f s (peak %.1f MB)   synthlabel %.2f s (peak %.1f MB)   time ratio %.2fx (target <= 2)   memory target < 64 MB\n' \
  "$megabytes" "$cp_time" "$(echo "$cp_memory / 1024" | bc -l)" "$our_time" "$(echo "$our_memory / 1024" | bc -l)" "$(echo "$our_time / $cp_time" | bc -l)"
printf 'without the ledger (--no-ledger: no SHA-256 of the file before and after): %.2f s, %.2fx cp\n' "$bare_time" "$(echo "$bare_time / $cp_time" | bc -l)"
printf 'in place, fsync before rename: %.2f s\n' "$inplace_time"
