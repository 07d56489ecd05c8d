#!/usr/bin/env bash
# Regenerates samples/ with real encoders: netpbm's pnmtopng (libpng), cjpeg (libjpeg-turbo),
# libsndfile's tools, flac and lame. The pictures are synthetic gradients, the sound a chirp.
set -euo pipefail
cd "$(dirname "$0")/.."
out=samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# A 160x120 colour gradient as a binary PPM, written by Python (no image library needed).
python3 - "$work/gradient.ppm" <<'PY'
import sys
w, h = 160, 120
pixels = bytearray()
for y in range(h):
    for x in range(w):
        pixels += bytes(((x * 255) // (w - 1), (y * 255) // (h - 1), ((x + y) * 3) % 256))
with open(sys.argv[1], "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (w, h) + pixels)
PY

pnmtopng "$work/gradient.ppm" > "$out/gradient.png" 2>/dev/null
ppmtopgm "$work/gradient.ppm" | pnmtopng -interlace > "$out/grey-interlaced.png" 2>/dev/null
cjpeg -quality 85 -outfile "$out/gradient.jpg" "$work/gradient.ppm"
# A JPEG that already has EXIF and XMP written by exiftool, to show merging.
cjpeg -quality 80 -outfile "$out/with-metadata.jpg" "$work/gradient.ppm"
exiftool -q -overwrite_original -EXIF:Artist="Sample Studio" -XMP-dc:Title="Sunset study" "$out/with-metadata.jpg"

# One second of a swept sine through libsndfile, as 16-bit PCM, then FLAC and MP3.
sndfile-generate-chirp -from 200 -to 4000 -amp 0.5 22050 1 "$work/chirp-float.wav" >/dev/null
sndfile-convert -pcm16 "$work/chirp-float.wav" "$out/chirp.wav" >/dev/null
flac --silent --force -o "$out/chirp.flac" "$out/chirp.wav"
lame --quiet -b 64 "$out/chirp.wav" "$out/chirp.mp3"

cat > "$out/story.md" <<'MD'
---
title: A short generated story
lang: en
---

# The lighthouse

The keeper counted the ships until the fog came in.
MD

cat > "$out/notes.md" <<'MD'
# Meeting notes

Generated summary of the planning call.
MD

echo "This plain text file has no metadata carrier; label --explicit gives it a notice." > "$out/readme.txt"
ls -l "$out"

# A photo-like picture (fractal clouds as R, G and B), and the README's before/after picture of
# it captioned by synthlabel (built here if needed).
for seed in 4 5 6; do ppmforge -clouds -width 480 -height 320 -seed $seed 2>/dev/null | ppmtopgm > "$work/c$seed.pgm"; done
rgb3toppm "$work/c4.pgm" "$work/c5.pgm" "$work/c6.pgm" | cjpeg -quality 85 > "$out/clouds.jpg"
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product synthlabel >/dev/null
.build/release/synthlabel label "$out/clouds.jpg" --producer 001191110102MACQD9K64018705 --produce-id sample \
  --explicit --output "$work/captioned" >/dev/null
mkdir -p docs
pnmcat -lr -jcenter <(djpeg "$out/clouds.jpg") <(ppmmake white 16 320) <(djpeg "$work/captioned/clouds.jpg") \
  | cjpeg -quality 85 > docs/caption-before-after.jpg
ls -l "$out" docs/caption-before-after.jpg
