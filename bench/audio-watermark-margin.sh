#!/usr/bin/env bash
# How much strength the audio mark has to spare on given programmes after one attack: each file
# is marked under several keys at each of several SNRs (label --watermark-snr), attacked, and
# read back; prints per SNR how many of the files × keys came back, and which files missed. This
# says which --watermark-snr a channel needs, and how far a hard programme is from reading back.
#
#   bash bench/audio-watermark-margin.sh AUDIO_FOLDER [ATTACK]   (default opus-32)
#   KEYS=6 sets how many keys; SNRS="30.5 29.5 28.5 27.5" the SNRs, in dB.
#
# ATTACK is one of bench/lib/audio_watermark_harness.py's (mp3-32, vorbis-q2, noise-21dB, ...).
set -euo pipefail
[[ $# -ge 1 && -d $1 ]] || { sed -n '2,10p' "$0"; exit 2; }
audio=$(realpath "$1")
attack=${2:-opus-32}
cd "$(dirname "$0")/.."
source bench/lib/audio-watermark-setup.sh

echo "$(ls "$audio" | wc -l) programmes in $audio, ${KEYS:-6} keys, after $attack"
for key in $(seq "${KEYS:-6}"); do "$bin" keys generate --algorithm watermark --out "$work/key$key" >/dev/null; done
for snr in ${SNRS:-30.5 29.5 28.5 27.5}; do
  hits=0
  total=0
  missed=()
  for key in $(seq "${KEYS:-6}"); do
    run=$work/$snr-$key
    "$bin" label "$audio" --producer $producer --produce-id "margin-$key" --watermark --watermark-key "$work/key$key.key" \
      --watermark-snr "$snr" --output "$run/marked" --no-ledger --json >"$run.labels.json" 2>/dev/null || true
    $harness attack "$run/marked" "$run/attacked" "$attack"
    "$bin" verify "$run/attacked/$attack" --watermark-key "$work/key$key.key" --json >"$run.report.json" 2>/dev/null || true
    read -r got of misses <<<"$($harness recovered "$run.labels.json" "$run.report.json")"
    hits=$((hits + got))
    total=$((total + of))
    [[ $misses == - ]] || missed+=(${misses//,/ })
  done
  summary=$(printf '%s\n' "${missed[@]}" | sort | uniq -c | awk 'NF == 2 { printf "%s%s x%d", sep, $2, $1; sep = ", " }')
  echo "SNR $snr dB: $hits of $total read back${summary:+ (missed: $summary)}"
done
