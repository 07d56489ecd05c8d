#!/usr/bin/env bash
# Checks that a restructuring changed no output: builds REF (default: main's previous commit)
# beside the working tree, labels every sample with both builds in the same ways (metadata only;
# explicit labels; watermark; Ed25519 signature, which is deterministic) and compares the files
# byte for byte. Usage: scripts/same-output.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-HEAD~1}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/old" "$ref" >/dev/null
(cd "$work/old" && swift build -c release --product synthlabel >/dev/null 2>&1)
swift build -c release --product synthlabel >/dev/null
new=.build/release/synthlabel
old=$work/old/.build/release/synthlabel
"$new" keys generate --algorithm watermark --out "$work/mark" >/dev/null
"$new" keys generate --algorithm ed25519 --out "$work/sign" >/dev/null
# The audio samples are short chirps; the watermark needs a longer programme.
python3 - "$work/programme.wav" <<'PY'
import sys, wave, math, random
random.seed(5)
with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(2); out.setsampwidth(2); out.setframerate(44100)
    frames = bytearray()
    for i in range(44100 * 20):
        level = 0.2 + 0.15 * math.sin(i / 44100 * 3) + 0.1 * (i // 11025 % 3)
        for _ in range(2):
            value = int(max(-1, min(1, level * (random.random() * 2 - 1))) * 32767)
            frames += value.to_bytes(2, "little", signed=True)
    out.writeframes(bytes(frames))
PY
mkdir -p "$work/inputs" && cp samples/* "$work/programme.wav" "$work/inputs/"
status=0
run() {  # name, options…
    local name=$1
    shift
    for build in old new; do
        local bin=$old
        [[ $build == new ]] && bin=$new
        "$bin" label "$work/inputs" --producer 001191110102MACQD9K64018705 --produce-id SAME --no-ledger \
            --output "$work/$build-$name" "$@" >/dev/null 2>&1 || true
    done
    local count
    count=$(find "$work/new-$name" -type f | wc -l)
    if diff -r "$work/old-$name" "$work/new-$name" >/dev/null; then
        echo "$name: $count files, byte-identical"
    else
        echo "$name: DIFFERENT"
        diff -rq "$work/old-$name" "$work/new-$name" || true
        status=1
    fi
}
run metadata
run explicit --explicit
run watermark --watermark --watermark-key "$work/mark.key"
run signed --sign "$work/sign.key"
exit $status
