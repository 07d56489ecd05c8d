#!/usr/bin/env bash
# The audio watermark benchmark's tools from Debian: FluidSynth and a General MIDI soundfont and
# espeak-ng to make the programmes; lame, vorbis-tools, opus-tools, ffmpeg and sox for the attacks.
set -euo pipefail
packages=(fluidsynth fluid-soundfont-gm espeak-ng sox lame vorbis-tools opus-tools ffmpeg)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -c "import numpy, scipy" 2>/dev/null || pip install -q numpy scipy
python3 -c "import pesq" 2>/dev/null || pip install -q pesq
