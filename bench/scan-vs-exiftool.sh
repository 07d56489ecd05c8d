#!/usr/bin/env bash
# Scans 10,000 files (PNG, JPEG, WAV, MP3, FLAC, Markdown; half labelled; 1 KB to 5 MB) with
# `synthlabel scan --ndjson` and reads the same label tags with `exiftool -j -fast`, in one
# run, and prints files per second, the ratio and synthlabel's peak memory. Then scans
# 100,000 small files. Targets: at least 10x exiftool's files/s, peak memory under 100 MB.
#
# Every file of the trees is a file of its own (a copy, not a hard link: about 6.5 GB for the
# 10,000, 0.9 GB for the 100,000), so each is read from its own pages. Both tools read through
# the same page cache, which the machine's memory can hold, and each tool's first pass is not
# timed. exiftool runs as one process, and again as one process per core over the folders.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
count=${COUNT:-10000}
small=${SMALL:-100000}
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
export SYNTHLABEL_LEDGER="$work/ledger.sqlite"   # the ledger is on, as by default, but not the user's own
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/tree" "$work/small"

# Distinct files: every format at 1 KB, 16 KB, 256 KB, 1 MB and 5 MB (roughly), by real encoders.
python3 - "$work/base" <<'PY'
import os, random, struct, sys
out = sys.argv[1]
random.seed(7)
def wav(path, size):
    frames = max(64, size // 2)
    data = bytes(random.getrandbits(8) for _ in range(2 * frames)) if size <= 300_000 else os.urandom(2 * frames)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 44100, 88200, 2, 16))
        f.write(b"data" + struct.pack("<I", len(data)) + data)
def ppm(path, size):
    side = max(8, int((size / 3) ** 0.5))
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (side, side) + os.urandom(side * side * 3))
for name, size in [("1k", 1_000), ("16k", 16_000), ("256k", 256_000), ("1m", 1_000_000), ("5m", 5_000_000)]:
    wav(f"{out}/w{name}.wav", size)
    ppm(f"{out}/i{name}.ppm", size)
    with open(f"{out}/t{name}.md", "w") as f:
        f.write("# Generated text\n\n" + ("Lorem ipsum dolor sit amet. " * (size // 28 + 1))[:size])
PY
for name in 1k 16k 256k 1m 5m; do
  pnmtopng "$work/base/i$name.ppm" > "$work/base/p$name.png" 2>/dev/null
  cjpeg -quality 90 -outfile "$work/base/j$name.jpg" "$work/base/i$name.ppm"
  # Audio sizes differ by codec; scale the input so the encoded files spread as well.
  flac --silent -f -o "$work/base/f$name.flac" "$work/base/w$name.wav"
  lame --quiet -b 320 "$work/base/w$name.wav" "$work/base/m$name.mp3"
  rm "$work/base/i$name.ppm"
done
# Half of the distinct files labelled (copies named L-*).
mkdir -p "$work/labelled"
"$bin" label "$work/base" --producer 001191110102MACQD9K64018705 --output "$work/labelled" >/dev/null 2>&1
for f in "$work/labelled"/*; do mv "$f" "$work/base/L-$(basename "$f")"; done
echo "distinct files: $(ls "$work/base" | wc -l) ($(du -sh "$work/base" | cut -f1)), $(stat -c %s "$work/base"/* | sort -n | head -1) to $(stat -c %s "$work/base"/* | sort -n | tail -1) bytes"

# The trees, as copies: 10,000 files weighted to small sizes, 100 per folder, every format, odd
# ones labelled; and 100,000 files of 1 KB and 16 KB, 1,000 per folder.
python3 - "$work" "$count" "$small" <<'PY'
import os, shutil, sys
work, count, small = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = {name.rsplit(".", 1)[0]: name for name in os.listdir(f"{work}/base")}
sizes = ["1k", "1k", "1k", "16k", "16k", "16k", "256k", "256k", "1m", "5m"]
kinds = ["p", "j", "w", "m", "f", "t"]
for i in range(count):
    key = ("L-" if i % 2 else "") + kinds[(i // len(sizes)) % len(kinds)] + sizes[i % len(sizes)]
    folder = f"{work}/tree/{i // 100}"
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(f"{work}/base/{base[key]}", f"{folder}/{i}-{base[key]}")
smallnames = sorted(n for k, n in base.items() if k.endswith(("1k", "16k")))
for i in range(small):
    folder = f"{work}/small/{i // 1000}"
    os.makedirs(folder, exist_ok=True)
    name = smallnames[i % len(smallnames)]
    shutil.copyfile(f"{work}/base/{name}", f"{folder}/{i}-{name}")
PY
echo "tree: $count files, $(find "$work/tree" -type f -printf "%s\n" | awk "{s+=\$1} END {printf \"%.1f GB\", s/1e9}") of file data"

now() { date +%s.%N; }
# Warm both (the page cache), untimed.
"$bin" scan --ndjson "$work/tree" >/dev/null 2>&1 || true
exiftool -config support/exiftool/tc260.config -j -fast -r -q -q -XMP-TC260:AIGC -ID3:UserDefinedText -Vorbis:AIGC "$work/tree" >/dev/null 2>&1 || true

start=$(now)
/usr/bin/time -f "%M" -o "$work/rss" "$bin" scan --ndjson "$work/tree" >"$work/ours.ndjson" 2>/dev/null || true
ours=$(echo "$(now) - $start" | bc -l)
peak=$(cat "$work/rss")
start=$(now)
exiftool -config support/exiftool/tc260.config -j -fast -r -q -q -XMP-TC260:AIGC -ID3:UserDefinedText -Vorbis:AIGC "$work/tree" >"$work/theirs.json" 2>/dev/null || true
theirs=$(echo "$(now) - $start" | bc -l)
scanned=$(wc -l <"$work/ours.ndjson")
compliant=$(grep -c '"verdict":"compliant"' "$work/ours.ndjson" || true)
read_by_exiftool=$(grep -c '"SourceFile"' "$work/theirs.json" || true)
printf 'scan %d files: synthlabel %.0f files/s (%.2f s, peak %.1f MB)   exiftool -fast %.0f files/s (%.2f s)   ratio %.1fx\n' \
  "$count" "$(echo "$count / $ours" | bc -l)" "$ours" "$(echo "$peak / 1024" | bc -l)" "$(echo "$count / $theirs" | bc -l)" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
echo "     checks: synthlabel reported $scanned files ($compliant compliant, expected $((count / 2))); exiftool reported $read_by_exiftool"
# exiftool as one process per core, over the folders.
cores=$(nproc)
start=$(now)
find "$work/tree" -mindepth 1 -maxdepth 1 -type d | xargs -P "$cores" -n 10 \
  exiftool -config support/exiftool/tc260.config -j -fast -r -q -q -XMP-TC260:AIGC -ID3:UserDefinedText -Vorbis:AIGC \
  >"$work/theirs-parallel.json" 2>/dev/null || true
parallel=$(echo "$(now) - $start" | bc -l)
printf '     exiftool -fast, %d processes: %.0f files/s (%.2f s, %d reported)   ratio %.1fx\n' "$cores" \
  "$(echo "$count / $parallel" | bc -l)" "$parallel" "$(grep -c '"SourceFile"' "$work/theirs-parallel.json" || true)" "$(echo "$parallel / $ours" | bc -l)"

# 100,000 small files.
"$bin" scan --ndjson "$work/small" >/dev/null 2>&1 || true
start=$(now)
/usr/bin/time -f "%M" -o "$work/rss" "$bin" scan --ndjson "$work/small" >"$work/small.ndjson" 2>/dev/null || true
seconds=$(echo "$(now) - $start" | bc -l)
printf 'scan %d small files: synthlabel %.0f files/s (%.2f s, peak %.1f MB, %d reported)\n' \
  "$small" "$(echo "$small / $seconds" | bc -l)" "$seconds" "$(echo "$(cat "$work/rss") / 1024" | bc -l)" "$(wc -l <"$work/small.ndjson")"
