#!/usr/bin/env bash
# Times embedding and detecting the image mark on one core (taskset), codecs excluded, median
# of 15, at 1024² and 2048², beside invisible-watermark's dwtDctSvd on the same pictures and the
# same core. Target: embed and detect each under 80 ms at 1024², and linear in pixels.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source bench/lib/watermark-python-deps.sh
swift build -c release --product WatermarkBenchmark >/dev/null
swift build -c release --product synthlabel >/dev/null
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
.build/release/synthlabel keys generate --algorithm watermark --out "$work/key" >/dev/null
python3 - "$work" <<'PY'
import sys
import skimage.data
from PIL import Image
photo = Image.fromarray(skimage.data.astronaut())
for size in (1024, 2048):
    photo.resize((size, size), Image.LANCZOS).save(f"{sys.argv[1]}/photo{size}.png")
PY
for size in 1024 2048; do
  taskset -c 0 .build/release/WatermarkBenchmark "$work/key.key" 15 "$work/photo$size.png"
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 python3 - "$work/photo$size.png" <<'PY'
import sys, time, types
import cv2
import numpy as np
cv2.setNumThreads(1)
sys.modules.setdefault("torch", types.ModuleType("torch"))
from imwatermark import WatermarkDecoder, WatermarkEncoder
image = cv2.imread(sys.argv[1])
encoder = WatermarkEncoder()
encoder.set_watermark("bits", [1, 0] * 16)
embeds, detects = [], []
for _ in range(5):
    start = time.perf_counter(); marked = encoder.encode(image, "dwtDctSvd"); embeds.append(time.perf_counter() - start)
    start = time.perf_counter(); WatermarkDecoder("bits", 32).decode(marked, "dwtDctSvd"); detects.append(time.perf_counter() - start)
print(f"{sys.argv[1]} dwtDctSvd: embed {1000 * np.median(embeds):.1f} ms, detect {1000 * np.median(detects):.1f} ms (median of 5, same core)")
PY
done
