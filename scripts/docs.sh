#!/usr/bin/env bash
# Builds the library's DocC documentation (Sources/SynthLabel/SynthLabel.docc and every public
# declaration's comment) into .build/docs, failing on any warning (a broken link, say).
# Open .build/docs/index.html through a web server, or read the JSON under .build/docs/data.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
graphs=.build/symbol-graphs
rm -rf "$graphs" && mkdir -p "$graphs"
swift build --target SynthLabel -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$PWD/$graphs" >/dev/null
# Only the library's own graph: the dependencies' would document them too.
find "$graphs" -name '*.symbols.json' ! -name 'SynthLabel*' -delete
docc convert Sources/SynthLabel/SynthLabel.docc --additional-symbol-graph-dir "$graphs" --output-path .build/docs \
  --fallback-display-name SynthLabel --fallback-bundle-identifier org.synthlabel.SynthLabel --warnings-as-errors
echo "documentation in .build/docs"
