#!/usr/bin/env bash
# The opening-frames caption on a 60 s 1080p H.264 clip (2 s GOPs, AAC sound): `synthlabel
# label --explicit` (smart rendering: the GOPs under the 2 s caption re-encoded, every later
# packet copied) against `ffmpeg -vf drawtext` re-encoding the whole clip with the same encoder
# settings (libx264 CRF 16, preset fast) and the same font. Median of ROUNDS (default 3).
# Target: at least 10x faster.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
font=$PWD/Sources/SynthLabel/Explicit/Font/CaptionFont.otf
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
rounds=${ROUNDS:-3}

ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=60 -f lavfi -i sine=f=440:d=60 \
  -c:v libx264 -preset veryfast -g 60 -pix_fmt yuv420p -c:a aac -shortest "$work/clip.mp4"

measure() {  # prints "seconds kilobytes"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
  cat "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$rounds"); do
  rm -rf "$work/out" "$work/drawtext.mp4"
  measure "$bin" label "$work/clip.mp4" --producer 001191110102MACQD9K64018705 --explicit --output "$work/out" >>"$work/ours.txt"
  measure ffmpeg -v error -i "$work/clip.mp4" -map 0 -c:a copy -c:v libx264 -crf 16 -preset fast \
    -vf "drawtext=fontfile=$font:text=AI生成:fontsize=64:fontcolor=white:box=1:boxcolor=black@0.78:boxborderw=18:x=w-tw-40:y=h-th-40:enable=lt(t\,2)" \
    "$work/drawtext.mp4" >>"$work/ffmpeg.txt"
done
errors=$(ffmpeg -v error -i "$work/out/clip.mp4" -f null - 2>&1 | wc -l)
"$bin" verify --all-checks "$work/out/clip.mp4" | grep -E "explicit.caption" || true
ours=$(cut -d' ' -f1 "$work/ours.txt" | median)
theirs=$(cut -d' ' -f1 "$work/ffmpeg.txt" | median)
our_memory=$(cut -d' ' -f2 "$work/ours.txt" | sort -n | tail -1)
size() { stat -c %s "$1"; }
printf '60 s 1080p30 H.264, %d rounds, %d cores: synthlabel %.2f s (peak %d MB, %.1f MB out)   ffmpeg drawtext %.2f s (%.1f MB out)   %.1fx faster (target >= 10)\n' \
  "$rounds" "$(nproc)" "$ours" "$((our_memory / 1024))" "$(echo "$(size "$work/out/clip.mp4") / 1048576" | bc -l)" \
  "$theirs" "$(echo "$(size "$work/drawtext.mp4") / 1048576" | bc -l)" "$(echo "$theirs / $ours" | bc -l)"
printf 'original %.1f MB; ffmpeg -v error on the captioned clip printed %d lines\n' "$(echo "$(size "$work/clip.mp4") / 1048576" | bc -l)" "$errors"
