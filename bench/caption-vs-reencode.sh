#!/usr/bin/env bash
# Captioning a 2048×2048 image end to end (read, decode, draw, encode, metadata label, write)
# against a plain decode + encode of the same file with the same library and settings
# (libpng zlib level 6 for PNG, libjpeg-turbo for JPEG), both in one process, alternating,
# median of ROUNDS (default 9). Target for PNG: at most 1.3x.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product CaptionBenchmark >/dev/null
bench=$PWD/.build/release/CaptionBenchmark
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
rounds=${ROUNDS:-9}

# A photo-like picture (three fractal cloud fields as R, G, B: smooth, every colour different)
# and a flat graphic, as PNG; the photo also as JPEG q90.
for seed in 1 2 3; do ppmforge -clouds -width 2048 -height 2048 -seed $seed 2>/dev/null | ppmtopgm > "$work/c$seed.pgm"; done
rgb3toppm "$work/c1.pgm" "$work/c2.pgm" "$work/c3.pgm" > "$work/photo.ppm"
pnmtopng < "$work/photo.ppm" > "$work/photo.png"
cjpeg -quality 90 < "$work/photo.ppm" > "$work/photo.jpg"
ppmpat -anticamo -randomseed 5 2048 2048 | pnmtopng > "$work/graphic.png"
mkdir -p "$work/out"

echo "2048x2048, $rounds rounds each, $(nproc) cores (one used)"
for image in photo.png graphic.png photo.jpg; do
  printf '%-12s ' "$image"
  "$bench" "$work/$image" "$rounds" "$work/out"
done
