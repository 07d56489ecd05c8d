#!/usr/bin/env bash
# The trial on real media a new user would make: gathers the images, audio and Markdown a Debian
# machine with the project's packages already holds (plus variants made by real encoders and
# cut-off copies), labels, verifies, scans and propagates them with the release binary, checks
# every result with an independent tool, and prints a table by format. Exit 1 on any problem.
#   scripts/trial.sh [WORKDIR] [PER_FORMAT_LIMIT]    (default .trial, 60)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source scripts/lib/apt-install.sh
apt_install sox
scripts/install-deps.sh
swift build -c release --product synthlabel >/dev/null
python3 scripts/lib/trial.py "$PWD/.build/release/synthlabel" "${1:-.trial}" "${2:-60}"
