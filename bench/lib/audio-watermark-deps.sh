#!/usr/bin/env bash
# The audio watermark benchmark's tools from Debian: FluidSynth and a General MIDI soundfont and
# espeak-ng to make the programmes; lame, vorbis-tools, opus-tools, ffmpeg and sox for the attacks.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/apt-install.sh"
apt_install fluidsynth fluid-soundfont-gm espeak-ng sox lame vorbis-tools opus-tools ffmpeg
python3 -c "import numpy, scipy" 2>/dev/null || pip install -q numpy scipy
python3 -c "import pesq" 2>/dev/null || pip install -q pesq
