#!/usr/bin/env bash
# `synthlabel serve` under load, against the way a Python service labels today.
#  - wrk (Debian) posts a 50 KB PNG to /v1/label on loopback for SECONDS (default 30) over
#    CONNECTIONS (default 4, the server's default max_concurrent on 2 cores) connections;
#  - a small Python driver (bench/lib/per_process_driver.py) runs one `synthlabel label`
#    process per file, 2 at a time, for the same time.
# Both record every act in a ledger (SQLite files; SERVICE_LEDGER=postgres://… puts the
# server's in PostgreSQL), and both get the same 2 cores (taskset -c 0,1).
# Targets: at least 20x the per-process throughput, p99 under 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/service.sh
seconds=${SECONDS_PER_RUN:-30}
connections=${CONNECTIONS:-4}

# A 50 KB PNG: a test pattern with film grain, which PNG cannot squeeze much.
ffmpeg -v error -f lavfi -i "testsrc2=size=186x140,noise=alls=12:allf=t" -frames:v 1 -update 1 "$work/in.png"
echo "input: $(stat -c %s "$work/in.png") bytes PNG; $(nproc) cores here, 2 used; ${seconds} s per run"

ledger_kind=${ledger%%:*}
start_server
before=$(completed_acts)
curl -sf -o /dev/null -H "Authorization: Bearer $token" --data-binary @"$work/in.png" "$base/v1/label?producer=$producer"
script=$(wrk_script "$work/in.png" "/v1/label?producer=$producer")
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$base" >"$work/wrk.txt"
read -r rss peak < <(server_memory)
served=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
refused=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
recorded=$(($(completed_acts) - before))

mkdir -p "$work/out"
SYNTHLABEL_LEDGER="$work/cli-ledger.sqlite" python3 bench/lib/per_process_driver.py \
  "$bin" "$work/in.png" "$work/out" "$producer" "$seconds" 2 >"$work/driver.json"
read -r files per_second dp50 dp99 < <(python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
print(d["files"], "%.1f" % d["per_second"], "%.1fms" % d["p50_ms"], "%.1fms" % d["p99_ms"])' "$work/driver.json")

printf '%-46s %12s %10s %10s\n' "" "files/s" "p50" "p99"
printf '%-46s %12s %10s %10s\n' "synthlabel serve, wrk -c$connections" "$served" "$p50" "$p99"
printf '%-46s %12s %10s %10s\n' "one synthlabel label per file, 2 at a time" "$per_second" "$dp50" "$dp99"
echo "ratio: $(python3 -c "print('%.1fx' % ($served / $per_second))") (target >= 20x)"
echo "wrk counted $requests answers (${refused:-0} not 2xx); the ledger ($ledger_kind) gained $recorded completed acts:"
echo "  one more for the warm-up, and those wrk left in flight when its time was up"
echo "server memory after the run: ${rss} MB resident, ${peak} MB peak"
