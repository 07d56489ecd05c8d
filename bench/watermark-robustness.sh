#!/usr/bin/env bash
# The image watermark against every attack of issue 6, beside invisible-watermark's dwtDctSvd
# on the same images in the same run. Prints, per attack, the share of images whose whole
# payload came back (64 bits for synthlabel, 32 for dwtDctSvd), PSNR/SSIM, and the false
# positives on unmarked images and on images marked under another key.
#
#   bash bench/watermark-robustness.sh [IMAGE_FOLDER]   (default: 100 generated images)
#   UNMARKED=2000 sets how many unmarked variants are checked, FORGED=100 how many forgeries are tried.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source bench/lib/watermark-python-deps.sh
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
harness="python3 bench/lib/watermark_harness.py"
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
producer=001191110102MACQD9K64018705

if [[ $# -ge 1 ]]; then images=$1; else images=$work/images; $harness corpus "$images" 100; fi
echo "images: $(ls "$images" | wc -l) in $images"
"$bin" keys generate --algorithm watermark --out "$work/key" >/dev/null
"$bin" keys generate --algorithm watermark --out "$work/other" >/dev/null

"$bin" label "$images" --producer $producer --watermark --watermark-key "$work/key.key" --output "$work/marked" --no-ledger --json \
  >"$work/labels.json" 2>"$work/label.log" || { tail -5 "$work/label.log"; }
$harness quality "$images" "$work/marked"
$harness attack "$work/marked" "$work/attacked"
for attack in "$work"/attacked/*/; do
  name=$(basename "$attack")
  "$bin" verify "$attack" --watermark-key "$work/key.key" --json >"$work/attacked/$name.json" 2>/dev/null || true
done
$harness dwt "$images" "$work/dwt.json"
$harness score "$work/labels.json" "$work/attacked" "$work/dwt.json"

# False positives: unmarked variants, unmarked originals, and marked images under another key.
$harness unmarked "$images" "$work/unmarked" "${UNMARKED:-2000}"
count_present() { "$bin" verify "$1" --watermark-key "$2" --json 2>/dev/null | python3 -c \
  "import json,sys; print(sum(1 for f in json.load(sys.stdin)['files'] if (f.get('watermark') or {}).get('present')))"; }
echo "false positives: $(count_present "$work/unmarked" "$work/key.key") of $(ls "$work/unmarked" | wc -l) unmarked variants," \
  "$(count_present "$images" "$work/key.key") of $(ls "$images" | wc -l) originals," \
  "$(count_present "$work/marked" "$work/other.key") of $(ls "$work/marked" | wc -l) images marked under another key"

# Forgeries (issue 27): each marked image's tile, estimated without the key, added to another
# original. A forgery may decode; it must not be tied to its victim.
$harness forge "$images" "$work/marked" "$work/forged" "${FORGED:-100}"
"$bin" verify "$work/forged" --watermark-key "$work/key.key" --json 2>/dev/null | python3 bench/lib/count_forgeries.py
