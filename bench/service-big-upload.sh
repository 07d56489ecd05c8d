#!/usr/bin/env bash
# A 1 GB WAV posted to `synthlabel serve`'s /v1/label by curl, streamed both ways: the body is
# spooled to disk as it arrives and the labelled file streamed back from disk, so the server's
# memory does not grow with the file. Target: the server's peak resident memory under 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/service.sh
megabytes=${MEGABYTES:-1024}

# Silence: a 44-byte header (16-bit stereo, 48 kHz) and zeros, written sparse.
python3 - "$work/big.wav" "$megabytes" <<'PY'
import struct, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1048576 // 4 * 4
with open(path, "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 192000, 4, 16)
            + b"data" + struct.pack("<I", size))
    f.truncate(44 + size)
PY
start_server "max_body_bytes: 2147483648"
read -r _ before < <(server_memory)
started=$(date +%s%N)
curl -sS -f -X POST -T "$work/big.wav" -H "Expect:" -H "Authorization: Bearer $token" \
  -D "$work/headers.txt" -o "$work/labelled.wav" "$base/v1/label?producer=$producer"
elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
read -r rss peak < <(server_memory)
claimed=$(awk -F': ' 'tolower($1) == "synthlabel-sha256" {print $2}' "$work/headers.txt" | tr -d '\r')
actual=$(sha256sum "$work/labelled.wav" | cut -c1-64)
verdict=$("$bin" verify "$work/labelled.wav" --json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["files"][0]["verdict"])')
echo "upload: $(( $(stat -c %s "$work/big.wav") / 1048576 )) MB WAV in, $(( $(stat -c %s "$work/labelled.wav") / 1048576 )) MB labelled out, ${elapsed} ms"
echo "server memory: ${before} MB peak before, ${peak} MB peak after (${rss} MB resident) (target < 100 MB)"
echo "SynthLabel-SHA256 header $( [[ $claimed == "$actual" ]] && echo matches || echo 'DOES NOT match' ) sha256sum; verify: $verdict"
