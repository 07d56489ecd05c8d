#!/usr/bin/env bash
# `synthlabel serve` under steady load for DURATION seconds (default 600): wrk posts a 50 KB
# PNG to /v1/label over 4 connections while the server's resident memory is read every 10 s.
# Target: memory flat (the last minute's no higher than the second minute's, within 10 %).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/service.sh
duration=${DURATION:-600}

ffmpeg -v error -f lavfi -i "testsrc2=size=186x140,noise=alls=12:allf=t" -frames:v 1 -update 1 "$work/in.png"
start_server
script=$(wrk_script "$work/in.png" "/v1/label?producer=$producer")
wrk -t2 -c4 -d"${duration}s" -s "$script" "$base" >"$work/wrk.txt" &
load=$!
: >"$work/memory.txt"
for ((second = 10; second <= duration; second += 10)); do
  sleep 10
  echo "$second $(server_memory)" >>"$work/memory.txt"
done
wait "$load"
echo "soak: ${duration} s, $(awk '/requests in/ {print $1}' "$work/wrk.txt") requests," \
  "$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt") per second, $(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt" | grep . || echo 0) not 2xx"
echo "resident memory (MB) at each minute:"
awk '$1 % 60 == 0 {printf "  %3d min  %6.1f\n", $1 / 60, $2}' "$work/memory.txt"
awk -v d="$duration" '
  $1 > 60 && $1 <= 120 {early = (early > $2 ? early : $2)}
  $1 > d - 60 {late = (late > $2 ? late : $2)}
  {peak = $3}
  END {printf "second minute max %.1f MB, last minute max %.1f MB (%+.1f %%), peak %.1f MB\n", early, late, (late - early) * 100 / early, peak}
' "$work/memory.txt"
