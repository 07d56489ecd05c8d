#!/usr/bin/env bash
# Labels the same 1,000 small PNGs and 1,000 small JPEGs in place with synthlabel and with
# exiftool (one process each over the whole folder, both writing the TC260 XMP label and the
# IPTC source type through a temporary file and a rename), and prints files per second and
# the ratio. Three rounds, the two tools alternating, each run after a quiet pause; the
# medians of the times and of the per-round ratios are reported.
# Target: synthlabel at least 5x exiftool's throughput.
#
# synthlabel also forces replaced files to disk before renaming them (one syncfs per batch);
# exiftool does not. That cost is counted against synthlabel here.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
count=${COUNT:-1000}
rounds=${ROUNDS:-3}
# Seconds of quiet before each timed run: on this VM a burst of file creation and renames
# slows the next burst's kernel work for about a minute, whichever tool caused it.
pause=${PAUSE:-20}
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
producer=001191110102MACQD9K64018705
json='{"Label":"1","ContentProducer":"'$producer'","ProduceID":"BENCH1","ReservedCode1":"","ContentPropagator":"","PropagateID":"","ReservedCode2":""}'
source_type=http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fill() {  # fill DIR with COUNT copies of the given inputs
  local dir=$1; shift
  local inputs=("$@")
  rm -rf "$dir"; mkdir -p "$dir"
  for ((i = 0; i < count; i++)); do cp "${inputs[$((i % ${#inputs[@]}))]}" "$dir/$i.${inputs[0]##*.}"; done
  sync
  sleep "$pause"
}

for kind in png jpg; do
  case $kind in
    png) inputs=(samples/gradient.png samples/grey-interlaced.png) ;;
    jpg) inputs=(samples/gradient.jpg samples/with-metadata.jpg) ;;
  esac
  : >"$work/ours" ; : >"$work/theirs"
  for ((round = 1; round <= rounds; round++)); do
    fill "$work/synthlabel" "${inputs[@]}"
    start=$(now)
    "$bin" label "$work/synthlabel" --producer $producer --produce-id BENCH1 --in-place >/dev/null 2>&1
    echo "$(now) - $start" | bc -l >>"$work/ours"

    fill "$work/exiftool" "${inputs[@]}"
    start=$(now)
    exiftool -config support/exiftool/tc260.config -q -overwrite_original \
      "-XMP-TC260:AIGC=$json" "-XMP-iptcExt:DigitalSourceType=$source_type" "$work/exiftool" >/dev/null 2>&1
    echo "$(now) - $start" | bc -l >>"$work/theirs"
  done
  ours=$(median <"$work/ours")
  theirs=$(median <"$work/theirs")
  ratio=$(paste -d' ' "$work/ours" "$work/theirs" | awk '{print $2 / $1}' | median)
  # Each tool's output is read by the other: both really labelled every file.
  compliant=$("$bin" verify "$work/exiftool" 2>/dev/null | grep -c ": compliant" || true)
  witnessed=$(exiftool -config support/exiftool/tc260.config -q -s3 -XMP-TC260:AIGC "$work/synthlabel" | grep -c BENCH1 || true)
  printf '%-4s %d files: synthlabel %6.0f files/s (%.2f s)   exiftool %5.0f files/s (%.2f s)   ratio %4.1fx   [seconds per round: %s| %s]\n' \
    "$kind" "$count" "$(echo "$count / $ours" | bc -l)" "$ours" "$(echo "$count / $theirs" | bc -l)" "$theirs" "$ratio" \
    "$(tr '\n' ' ' <"$work/ours" | xargs printf '%.2f ')" "$(tr '\n' ' ' <"$work/theirs" | xargs printf '%.2f ')"
  echo "     checks: exiftool's files verified compliant by synthlabel $compliant/$count; synthlabel's read back by exiftool $witnessed/$count"
done
echo "machine: $(nproc) cores; synthlabel uses all of them, exiftool one"
