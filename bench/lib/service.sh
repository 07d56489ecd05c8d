# Sourced by the service benchmarks: a release build, a work folder, and `synthlabel serve`
# started on a free loopback port with one producer token and a ledger: an SQLite file in the
# work folder, or SERVICE_LEDGER (e.g. scripts/postgres.sh's database,
# postgres://synthlabel_test:synthlabel_test@127.0.0.1:5432/synthlabel_test).
[[ -x /opt/swift/usr/bin/swift ]] && export PATH="$PATH:/opt/swift/usr/bin"
source scripts/lib/apt-install.sh
apt_install wrk curl ffmpeg time >/dev/null
swift build -c release --product synthlabel >/dev/null
bin=$PWD/.build/release/synthlabel
work=$(mktemp -d -p "${BENCH_DIR:-$PWD}" .bench-XXXXXX)
producer=001191110102MACQD9K64018705
token=bench-token-0123456789
server_pid=""
ledger=${SERVICE_LEDGER:-sqlite:$work/service-ledger.sqlite}
trap '[[ -n $server_pid ]] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT

# start_server [EXTRA YAML LINE...]: the server on 2 cores (taskset), its pid in server_pid and
# its URL in base.
start_server() {
  mkdir -p "$work/spool"
  { echo "listen: 127.0.0.1:0"; echo "ledger: $ledger"; echo "spool: $work/spool"
    printf '%s\n' "$@"; echo "tokens:"
    echo "  - { token: \"$token\", role: producer, producers: [\"$producer\"] }"; } >"$work/service.yaml"
  taskset -c 0,1 "$bin" serve --config "$work/service.yaml" >"$work/server.log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 200); do
    port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f2) && [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { cat "$work/server.log"; exit 1; }
  base=http://127.0.0.1:$port
}

# How many completed acts the service's ledger holds.
completed_acts() {
  if [[ $ledger == postgres* ]]; then
    psql -X -q -t -A "$ledger" -c "SELECT count(*) FROM act WHERE state = 'completed'"
  else
    sqlite3 "${ledger#sqlite:}" "SELECT count(*) FROM act WHERE state = 'completed'"
  fi
}

# The server's resident and peak memory in MB: "rss peak".
server_memory() {
  awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.1f %.1f\n", r/1024, h/1024}' "/proc/$server_pid/status"
}

# A POST of FILE to PATH by wrk: writes the Lua script and prints its path.
wrk_script() {
  cat >"$work/post.lua" <<LUA
local f = io.open("$1", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Authorization"] = "Bearer $token"
wrk.path = "$2"
LUA
  echo "$work/post.lua"
}
