#!/usr/bin/env bash
# Installs what SynthLabel needs on a Debian machine: the C libraries it links (libpng,
# libsndfile, zlib, SQLite, FFmpeg's), the independent tools its tests ask (exiftool, flac, libsndfile's and
# libjpeg-turbo's programs, lame), and the encoders that make samples/. Safe to run twice.
set -euo pipefail

packages=(
  pkg-config libpng-dev libsndfile1-dev zlib1g-dev   # linked by the library
  libfreetype-dev libturbojpeg0-dev libssl-dev        # caption drawing, JPEG pixels, SM2/Ed25519 signatures
  libsqlite3-dev sqlite3                              # the labelling ledger, and its witness in the tests
  libavformat-dev libavcodec-dev libswscale-dev       # video captions (FFmpeg's libraries)
  tesseract-ocr tesseract-ocr-chi-sim                 # OCR witness for captions
  libimage-exiftool-perl flac sndfile-programs        # witnesses in the tests
  libjpeg-turbo-progs lame netpbm python3 time        # encoders for samples/, decoders, benchmarks
  webp ffmpeg qpdf vorbis-tools opus-tools libtiff-tools   # makers and readers of the other carriers' test files
  mkvtoolnix atomicparsley                            # mkvmerge and mkvinfo (Matroska), AtomicParsley (MP4 boxes): witnesses
  pandoc python3-yaml                                 # Markdown front matter witnesses
  python3-numpy                                       # the watermark forgery attack the tests run
  postgresql-15 postgresql-client-15                  # the shared ledger's tests (scripts/postgres.sh starts it)
  chromium fonts-noto-cjk                             # the report pages, opened in a browser by the tests
)
source "$(dirname "$0")/lib/apt-install.sh"
apt_install "${packages[@]}"

# schemathesis (PyPI): fuzzes the service from its OpenAPI document in the tests.
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install -q schemathesis==4.32.5 \
  || python3 -m pip install -q --break-system-packages schemathesis==4.32.5

# gmssl (PyPI), a second SM2 implementation the signature tests ask; not packaged by Debian.
# Playwright drives Debian's chromium (no browser of its own is downloaded) in the page tests.
python3 -c "import playwright" 2>/dev/null || python3 -m pip install -q playwright==1.65.3 \
  || python3 -m pip install -q --break-system-packages playwright==1.65.3
python3 -c "import gmssl" 2>/dev/null || python3 -m pip install -q gmssl==3.2.2 \
  || python3 -m pip install -q --break-system-packages gmssl==3.2.2

if ! command -v swift >/dev/null; then
  if [[ -x /opt/swift/usr/bin/swift ]]; then
    echo "swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "SynthLabel needs a Swift 6 toolchain (swift.org/install) on PATH" >&2
  fi
  exit 1
fi
