#!/usr/bin/env bash
# scan --html --thumbnails on large JPEGs (IMAGES photos of 2400×1600, default 300): the time
# thumbnails add to the scan, per image, beside ffmpeg making the same 200-pixel thumbnails on
# the same machine in the same run (ffmpeg -i IMG -vf scale=200:-2, one process per image, as
# many at once as there are cores). synthlabel decodes each JPEG already reduced (libjpeg-turbo's
# DCT scaling) on the scan's workers.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source scripts/lib/apt-install.sh
apt_install ffmpeg time >/dev/null
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
images=${IMAGES:-300}
mkdir -p "$work/photos" "$work/ffmpeg"
ffmpeg -loglevel error -f lavfi -i testsrc2=size=2400x1600 -frames:v 1 -q:v 3 "$work/base.jpg"
for index in $(seq 1 "$images"); do cp "$work/base.jpg" "$work/photos/photo-$index.jpg"; done
echo "photos: $images JPEGs of 2400×1600, $(du -sh "$work/photos" | cut -f1); $(nproc) cores"

seconds() { /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null 2>&1 || true; cat "$work/t"; }
plain=$(seconds "$bin" scan "$work/photos" --quiet --html "$work/plain.html")
thumbs=$(seconds "$bin" scan "$work/photos" --quiet --html "$work/thumbs.html" --thumbnails)
competitor=$(seconds bash -c "ls '$work/photos' | xargs -P '$(nproc)' -I{} ffmpeg -loglevel error -y -i '$work/photos/{}' -vf scale=200:-2 '$work/ffmpeg/{}'")
python3 - "$images" "$plain" "$thumbs" "$competitor" <<'PY'
import sys
images, plain, thumbs, ffmpeg = int(sys.argv[1]), *map(float, sys.argv[2:])
added = max(thumbs - plain, 0.0)
print("scan --html:              %.2f s" % plain)
print("scan --html --thumbnails: %.2f s: thumbnails add %.2f s, %.1f ms an image" % (thumbs, added, 1000 * added / images))
print("ffmpeg, same thumbnails:  %.2f s, %.1f ms an image" % (ffmpeg, 1000 * ffmpeg / images))
print("ratio:                    synthlabel's thumbnails take %.2f× ffmpeg's time" % (added / ffmpeg if ffmpeg else float("nan")))
PY
