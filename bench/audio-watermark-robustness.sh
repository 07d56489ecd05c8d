#!/usr/bin/env bash
# The audio watermark against every attack of issue 7. Prints, per attack, the share of files
# whose whole 64-bit payload came back; the SNR of the marked files, and the wide-band PESQ of
# the speech among them (an objective witness of its quality); the time marking and detection
# took (in multiples of real time); and the false positives on unmarked 10 s clips and on
# files marked under another key; and the transplant attack of issue 27.
#
#   bash bench/audio-watermark-robustness.sh [AUDIO_FOLDER]   (default: 35 generated programmes)
#   COUNT=35 sets how many programmes are generated; UNMARKED=1000 how many unmarked clips;
#   WATERMARK_SNR=27.5 marks at that SNR (label --watermark-snr) instead of the default 30.5 dB.
#
# Needs lame, vorbis-tools, opus-tools, ffmpeg, sox, fluidsynth, fluid-soundfont-gm and
# espeak-ng (bench/lib/audio-watermark-deps.sh installs them). audiowmark, the issue's
# reference, is in neither Debian 12 nor PyPI, so it cannot run beside ours here.
set -euo pipefail
[[ $# -eq 0 || -d $1 ]] || { echo "no such folder: $1" >&2; exit 2; }
folder=${1:+$(realpath "$1")}
cd "$(dirname "$0")/.."
source bench/lib/audio-watermark-setup.sh

if [[ -n $folder ]]; then audio=$folder; else audio=$work/audio; $harness corpus "$audio" "${COUNT:-35}"; fi
seconds=$($harness seconds "$audio")
echo "programmes: $(ls "$audio" | wc -l) in $audio, $seconds s in all"
"$bin" keys generate --algorithm watermark --out "$work/key" >/dev/null
"$bin" keys generate --algorithm watermark --out "$work/other" >/dev/null

clock() { date +%s.%N; }
strength=()
[[ -n "${WATERMARK_SNR:-}" ]] && strength=(--watermark-snr "$WATERMARK_SNR") && echo "marking at an SNR of $WATERMARK_SNR dB"
start=$(clock)
"$bin" label "$audio" --producer $producer --watermark --watermark-key "$work/key.key" "${strength[@]}" --output "$work/marked" --no-ledger --json \
  >"$work/labels.json" 2>"$work/label.log" || { tail -5 "$work/label.log"; }
marking=$(python3 -c "print(f'{$(clock) - $start:.1f}')")
echo "label --watermark: $marking s for $seconds s of audio ($(python3 -c "print(f'{$seconds / $marking:.0f}')")x real time, all cores)"
$harness snr "$audio" "$work/marked"
$harness pesq "$audio" "$work/marked"
$harness attack "$work/marked" "$work/attacked"
start=$(clock)
for attack in "$work"/attacked/*/; do
  name=$(basename "$attack")
  "$bin" verify "$attack" --watermark-key "$work/key.key" --json >"$work/attacked/$name.json" 2>/dev/null || true
done
detecting=$(python3 -c "print(f'{$(clock) - $start:.1f}')")
attacked_seconds=$($harness seconds "$work/attacked")
echo "verify: $detecting s for $attacked_seconds s of attacked audio ($(python3 -c "print(f'{$attacked_seconds / $detecting:.0f}')")x real time, all cores)"
$harness score "$work/labels.json" "$work/attacked"

# False positives: unmarked 10 s clips, the unmarked originals, and files marked under another key.
$harness unmarked "$audio" "$work/unmarked" "${UNMARKED:-1000}"
count_present() { "$bin" verify "$1" --watermark-key "$2" --json 2>/dev/null | python3 -c \
  "import json,sys; print(sum(1 for f in json.load(sys.stdin)['files'] if (f.get('watermark') or {}).get('present')))"; }
echo "false positives: $(count_present "$work/unmarked" "$work/key.key") of $(ls "$work/unmarked" | wc -l) unmarked clips," \
  "$(count_present "$audio" "$work/key.key") of $(ls "$audio" | wc -l) originals," \
  "$(count_present "$work/marked" "$work/other.key") of $(ls "$work/marked" | wc -l) files marked under another key"

# Forgeries (issue 27): each marked programme's block, estimated without the key, imposed on the
# next original. A forgery may decode; it must not be tied to its victim.
$harness forge "$audio" "$work/marked" "$work/forged"
"$bin" verify "$work/forged" --watermark-key "$work/key.key" --json 2>/dev/null | python3 bench/lib/count_forgeries.py
