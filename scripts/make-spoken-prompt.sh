#!/usr/bin/env bash
# Regenerates Sources/SynthLabel/Explicit/Audio/Voice/SpokenPrompt.wav: "人工智能生成" spoken by
# espeak-ng's Mandarin voice at 140 words per minute (about 137 characters per minute, inside
# GB 45438's 120-160), trimmed to the speech, 16 kHz mono G.711 mu-law (about 45 KB).
# Run once by a maintainer; the result is committed. Needs: apt-get install espeak-ng ffmpeg
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
espeak-ng -v cmn -s 140 -w "$work/speech.wav" "人工智能生成"
# Trim leading and trailing silence (below -40 dBFS), resample, encode.
ffmpeg -v error -i "$work/speech.wav" \
  -af "silenceremove=start_periods=1:start_threshold=-40dB,areverse,silenceremove=start_periods=1:start_threshold=-40dB,areverse" \
  -ar 16000 -ac 1 -c:a pcm_mulaw -y Sources/SynthLabel/Explicit/Audio/Voice/SpokenPrompt.wav
ls -l Sources/SynthLabel/Explicit/Audio/Voice/SpokenPrompt.wav
