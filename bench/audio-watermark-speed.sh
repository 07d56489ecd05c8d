#!/usr/bin/env bash
# The audio watermark's speed on one core (taskset, once built), against issue 7's targets
# (embed >= 300x real time, detect >= 100x) and against the same commands without the mark. A
# programme of 300 s, 44.1 kHz stereo 16-bit, is made by FluidSynth; another of 60 s shows that
# memory does not grow with length, and the same 300 s with one channel inverted is the wide
# stereo (channels far louder than their mix) whose frames are transformed channel by channel.
# Median of RUNS (default 5) runs each; a command and its
# reference (the same without the mark) take turns, so that the VM's own drift, which moves
# single timings by half within minutes, moves both alike.
#
#   bash bench/audio-watermark-speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
bash bench/lib/audio-watermark-deps.sh
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
producer=001191110102MACQD9K64018705
runs=${RUNS:-5}

python3 bench/lib/audio_watermark_harness.py programme "$work/long.wav" 300 44100
sox "$work/long.wav" "$work/short.wav" trim 0 60
sox "$work/long.wav" "$work/wide.wav" remix 1 2v-1
"$bin" keys generate --algorithm watermark --out "$work/key" >/dev/null

# Everything from here on runs on core 0.
taskset -cp 0 $$ >/dev/null
# seconds COMMAND...: the wall time of one run.
seconds() {
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  python3 -c "print($(date +%s.%N) - $start)"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# paired_medians REFERENCE COMMAND: `runs` runs of each (shell functions), taking turns; prints
# the two medians.
paired_medians() {
  : >"$work/times-a"
  : >"$work/times-b"
  for _ in $(seq "$runs"); do
    seconds "$1" >>"$work/times-a"
    seconds "$2" >>"$work/times-b"
  done
  echo "$(median <"$work/times-a") $(median <"$work/times-b")"
}
peak_mib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }
ratio() { python3 -c "print(f'{$1 / $2:.0f}')"; }

label=("$bin" label --producer $producer --output "$work/out" --no-ledger)
mark=(--watermark --watermark-key "$work/key.key")
label_plain() { "${label[@]}" "$work/long.wav"; }
label_marked() { "${label[@]}" "${mark[@]}" "$work/long.wav"; }
read -r plain marked <<<"$(paired_medians label_plain label_marked)"
"${label[@]}" "${mark[@]}" "$work/long.wav" >/dev/null 2>&1
cp "$work/out/long.wav" "$work/long-marked.wav"
embed=$(python3 -c "print($marked - $plain)")
echo "300 s stereo 44.1 kHz, one core, median of $runs (each with its reference in turn):"
echo "  label                $(printf %.3f "$plain") s"
echo "  label --watermark    $(printf %.3f "$marked") s: the mark costs $(printf %.3f "$embed") s, $(ratio 300 "$embed")x real time" \
  "(whole command $(ratio 300 "$marked")x; target 300x)"
label_wide_plain() { "${label[@]}" "$work/wide.wav"; }
label_wide_marked() { "${label[@]}" "${mark[@]}" "$work/wide.wav"; }
read -r wide_plain wide_marked <<<"$(paired_medians label_wide_plain label_wide_marked)"
wide_embed=$(python3 -c "print($wide_marked - $wide_plain)")
echo "  the same, wide stereo (one channel inverted): the mark costs $(printf %.3f "$wide_embed") s," \
  "$(ratio 300 "$wide_embed")x real time (whole command $(ratio 300 "$wide_marked")x)"

verify_only() { "$bin" verify "$work/long.wav"; }
verify_searching() { "$bin" verify "$work/long.wav" --watermark-key "$work/key.key"; }
read -r verify_plain verify_unmarked <<<"$(paired_medians verify_only verify_searching)"
verify_marked=$(for _ in $(seq "$runs"); do seconds "$bin" verify "$work/long-marked.wav" --watermark-key "$work/key.key"; done | median)
search=$(python3 -c "print($verify_unmarked - $verify_plain)")
echo "  verify               $(printf %.3f "$verify_plain") s"
echo "  verify --watermark-key, unmarked (the whole file searched): $(printf %.3f "$verify_unmarked") s:" \
  "the search costs $(printf %.3f "$search") s, $(ratio 300 "$search")x real time (target 100x)"
echo "  verify --watermark-key, marked (stops at the first window that decodes): $(printf %.3f "$verify_marked") s"

echo "peak memory of label --watermark: $(peak_mib "${label[@]}" "${mark[@]}" "$work/short.wav") MiB for 60 s," \
  "$(peak_mib "${label[@]}" "${mark[@]}" "$work/long.wav") MiB for 300 s"
echo "peak memory of verify --watermark-key: $(peak_mib "$bin" verify "$work/short.wav" --watermark-key "$work/key.key") MiB for 60 s," \
  "$(peak_mib "$bin" verify "$work/long.wav" --watermark-key "$work/key.key") MiB for 300 s"
