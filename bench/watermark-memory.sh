#!/usr/bin/env bash
# Peak memory and time of `label --watermark` (which reads the mark back before claiming it)
# and of `verify` on a marked 8192² JPEG (67 Mpixel, 14 MB, a smooth pattern with noise),
# beside plain labelling of the same file as the reference. GNU time's maximum resident size.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source bench/lib/watermark-python-deps.sh
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" keys generate --algorithm watermark --out "$work/key" >/dev/null
python3 - "$work/big.jpg" <<'PY'
import sys
import numpy as np
from PIL import Image
side = 8192
y, x = np.mgrid[0:side, 0:side].astype(np.float32)
rgb = np.stack([128 + 60 * np.sin(x / 300) + 30 * np.cos(y / 170), 128 + 50 * np.sin((x + y) / 400),
                100 + 40 * np.cos(x / 90) * np.sin(y / 250)], -1)
rgb += np.random.default_rng(1).normal(0, 6, rgb.shape).astype(np.float32)
Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(sys.argv[1], quality=90)
PY
measure() {  # what, command…
    local what=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true  # verify exits 1 on an unlabelled file
    read -r seconds kilobytes < <(tail -1 "$work/time")  # after any "exited with non-zero status" line
    printf '%-34s %6.1f s  %6d MB peak\n' "$what" "$seconds" $((kilobytes / 1024))
}
label=("$bin" label "$work/big.jpg" --producer 001191110102MACQD9K64018705 --no-ledger)
measure "label (reference, no mark)" "${label[@]}" --output "$work/plain"
measure "label --watermark" "${label[@]}" --watermark --watermark-key "$work/key.key" --output "$work/marked"
measure "verify --watermark-key (marked)" "$bin" verify "$work/marked/big.jpg" --watermark-key "$work/key.key"
measure "verify --watermark-key (unmarked)" "$bin" verify "$work/big.jpg" --watermark-key "$work/key.key"
