#!/usr/bin/env bash
# The implicit label on MP4, metadata only:
#  1. a 2 GB MP4 (moov last, as FFmpeg writes it) labelled into a new folder, against `cp`
#     (target: at most 1.5x);
#  2. the same file labelled in place (target: under 50 ms whatever the size). The label is still
#     written to a temporary file that is renamed over the original, so a kill leaves the
#     original whole; the media data reaches the temporary file by copy_file_range, which a
#     filesystem with shared extents (XFS, Btrfs) does by reference and ext4 by copying.
#  3. 1,000 small MP4s labelled by one `synthlabel label` run, against `ffmpeg -c copy -movflags
#     use_metadata_tags -metadata AIGC=…` once per file (target: at least 5x faster).
# BENCH_DIR picks the filesystem (default: the repository's); GIGABYTES the big file's size.
# The ledger's SHA-256 of each file before and after reads every byte twice, so 1 and 2 are
# also timed with --no-ledger.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
gigabytes=${GIGABYTES:-2}
producer=001191110102MACQD9K64018705

measure() {  # prints "seconds kilobytes"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
  cat "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
milliseconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(((end - start) / 1000000)); }

echo "filesystem: $(stat -f -c %T "$work"), $(nproc) cores"
# Random pictures at QP 0 barely compress (about 140 MB for 4 s of 720p); looped by stream copy.
ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 25 -i /dev/urandom -f lavfi -i sine=d=4 -t 4 \
  -c:v libx264 -preset ultrafast -qp 0 -c:a aac "$work/noise.mp4"
loops=$(( gigabytes * 1024 * 1048576 / $(stat -c %s "$work/noise.mp4") ))
ffmpeg -v error -stream_loop "$loops" -i "$work/noise.mp4" -map 0 -c copy "$work/big.mp4"
rm "$work/noise.mp4"
echo "big.mp4: $(( $(stat -c %s "$work/big.mp4") / 1048576 )) MB"

# 1. Into a new folder, with the ledger (its SHA-256 of the file before and after) and without.
for i in 1 2 3; do
  rm -rf "$work/out" "$work/copy.mp4"; sync
  measure cp "$work/big.mp4" "$work/copy.mp4" >>"$work/cp.txt"
  rm -f "$work/copy.mp4"; sync
  measure "$bin" label "$work/big.mp4" --producer "$producer" --output "$work/out" >>"$work/ours.txt"
  rm -rf "$work/out"; sync
  measure "$bin" label "$work/big.mp4" --producer "$producer" --output "$work/out" --no-ledger >>"$work/bare.txt"
done
[[ $(ffprobe -v error -show_entries format_tags=AIGC -of default=nw=1:nk=1 "$work/out/big.mp4") == *ContentProducer* ]] \
  && echo "ffprobe reads the AIGC tag of the labelled copy"
rm -rf "$work/out"
cp_time=$(cut -d' ' -f1 "$work/cp.txt" | median)
our_time=$(cut -d' ' -f1 "$work/ours.txt" | median)
bare_time=$(cut -d' ' -f1 "$work/bare.txt" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx cp", a / b; else printf "cp shared the extents in under 10 ms" }'; }
printf '1. new folder: cp %.2f s   synthlabel %.2f s (peak %d MB), %s (target <= 1.5)   --no-ledger %.2f s, %s\n' \
  "$cp_time" "$our_time" "$(( $(cut -d' ' -f2 "$work/ours.txt" | sort -n | tail -1) / 1024 ))" "$(ratio "$our_time" "$cp_time")" \
  "$bare_time" "$(ratio "$bare_time" "$cp_time")"

# 2. In place, moov last.
for i in 1 2 3; do
  cp "$work/big.mp4" "$work/inplace.mp4"; sync
  milliseconds "$bin" label "$work/inplace.mp4" --producer "$producer" --in-place >>"$work/inplace.txt"
  cp "$work/big.mp4" "$work/inplace.mp4"; sync
  milliseconds "$bin" label "$work/inplace.mp4" --producer "$producer" --in-place --no-ledger >>"$work/inplace-bare.txt"
done
printf '2. in place: median %d ms (runs: %s; target < 50 ms)   --no-ledger: median %d ms (runs: %s)\n' \
  "$(median <"$work/inplace.txt")" "$(paste -sd' ' "$work/inplace.txt")" "$(median <"$work/inplace-bare.txt")" "$(paste -sd' ' "$work/inplace-bare.txt")"
rm -f "$work/inplace.mp4" "$work/big.mp4"

# 3. A thousand small files (SMALL=0 skips it).
[[ ${SMALL:-1} == 0 ]] && exit 0
mkdir -p "$work/small" "$work/ours" "$work/ffmpeg"
ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25:duration=1 -f lavfi -i sine=d=1 -c:v libx264 -c:a aac -shortest "$work/one.mp4"
for i in $(seq -w 1 1000); do cp "$work/one.mp4" "$work/small/$i.mp4"; done
label='{"AIGC":{"Label":"1","ContentProducer":"'$producer'","ProduceID":"B-1","ReservedCode1":"","ContentPropagator":"","PropagateID":"","ReservedCode2":""}}'
sync
ours=$(milliseconds "$bin" label "$work/small" --producer "$producer" --output "$work/ours")
theirs=$(milliseconds bash -c 'for f in "$1"/*.mp4; do ffmpeg -v error -i "$f" -map 0 -c copy -movflags use_metadata_tags -metadata AIGC="$3" "$2/${f##*/}"; done' \
  _ "$work/small" "$work/ffmpeg" "$label")
[[ $(ls "$work/ours" | wc -l) == 1000 && $(ls "$work/ffmpeg" | wc -l) == 1000 ]] && echo "both wrote 1000 files"
printf '3. 1000 small MP4s: synthlabel %d ms   ffmpeg per file %d ms   %.1fx faster (target >= 5)\n' "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
