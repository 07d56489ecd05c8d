# Sourced by the audio watermark benchmarks, from the repository's root: installs their tools,
# builds synthlabel for release, and sets bin, harness, a work folder removed on exit, and the
# producer code the programmes are labelled with.
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
bash bench/lib/audio-watermark-deps.sh
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
harness="python3 bench/lib/audio_watermark_harness.py"
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
producer=001191110102MACQD9K64018705
