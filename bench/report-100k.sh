#!/usr/bin/env bash
# scan --html on 100,000 files (FILES): the report's size, the scan's time and peak memory with
# and without the report, and how fast Chromium opens and filters it (bench/lib/report_timing.py).
# The tree: 100 folders; in each, unlabelled PNGs and text files, compliant Markdown (listed
# only with --html-all) and noncompliant Markdown (a label with a misspelt field).
# Targets: at most about 50 MB; open and filter within 3 s in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source scripts/lib/apt-install.sh
apt_install chromium time >/dev/null
python3 -c "import playwright" 2>/dev/null || python3 -m pip install -q playwright==1.65.3
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
files=${FILES:-100000}

python3 - "$work/tree" "$files" samples/gradient.png <<'PY'
import os, sys
root, count, png = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "rb").read()
good = b'---\nAIGC:\n  Label: "1"\n  ContentProducer: "001191110102MACQD9K64018705"\n  ProduceID: "SL-%d"\n---\n\n# story\n'
bad = b'---\nAIGC:\n  Label: "1"\n  ContentProducer: "001191110102MACQD9K64018705"\n  ProduceId: "SL-%d"\n---\n\n# story\n'
for index in range(count):
    folder = os.path.join(root, "batch-%03d" % (index % 100))
    os.makedirs(folder, exist_ok=True)
    kind = index % 10
    if kind < 4:
        open(os.path.join(folder, "image-%06d.png" % index), "wb").write(png)
    elif kind < 7:
        open(os.path.join(folder, "note-%06d.txt" % index), "wb").write(b"a generated note %d\n" % index)
    elif kind < 9:
        open(os.path.join(folder, "story-%06d.md" % index), "wb").write(good % index)
    else:
        open(os.path.join(folder, "story-%06d.md" % index), "wb").write(bad % index)
PY
echo "tree: $files files in 100 folders, $(du -sh "$work/tree" | cut -f1)"

/usr/bin/time -f "%e %M" -o "$work/plain.time" "$bin" scan "$work/tree" --quiet >/dev/null 2>&1 || true
/usr/bin/time -f "%e %M" -o "$work/html.time" "$bin" scan "$work/tree" --quiet --html "$work/report.html" >/dev/null 2>&1 || true
read -r plain_s plain_kb <"$work/plain.time"
read -r html_s html_kb <"$work/html.time"
echo "scan alone:       ${plain_s} s, peak $((plain_kb / 1024)) MB"
echo "scan --html:      ${html_s} s, peak $((html_kb / 1024)) MB"
echo "report:           $(( $(stat -c %s "$work/report.html") / 1048576 )) MB ($(stat -c %s "$work/report.html") bytes; target about 50 MB)"
python3 bench/lib/report_timing.py "$work/report.html" "$work/tree/batch-04" >"$work/timing.json"
python3 - "$work/timing.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
print("chromium open:    %d ms to the drawn table (%d ms of it the page's script), %d rows (target 3,000 ms)" % (t["open_ms"], t["script_ms"], t["rows"]))
print("filter verdict:   %d ms (%d ms script), %d unlabelled" % (t["verdict_filter_ms"], t["verdict_filter_script_ms"], t["verdict_matches"]))
print("filter folder:    %d ms (%d ms script), %d in batch-04*" % (t["folder_filter_ms"], t["folder_filter_script_ms"], t["folder_matches"]))
print("page errors:      %s" % (t["errors"] or "none"))
PY
