#!/usr/bin/env bash
# The load run of the README's "Performance" section, in one go on this machine:
#   1. a trivial OpenAI-compatible provider (TrivialProvider, in the bench jar), called directly;
#   2. the Jetty sample in front of it: cache off (miss path) on a requests-only plan and on a plan
#      with every limit (tokensPerMinute, concurrentRequests, a budget), and cache on with a warm
#      entry (hit path);
#   3. Portkey's open-source gateway @portkey-ai/gateway@1.15.2 in front of it (skipped without npm);
# each driven by wrk (POST body from a Lua script) at 1 and 16 connections; then time to first byte
# of a stream (what the gateway adds), and 2,000 concurrent 10-second streams through the sample
# (errors, peak heap). Each row also gives the serving process's CPU time per request (all its
# threads, from /proc; found by its port with ss): what an answer costs, however the cores are shared.
# Everything binds to 127.0.0.1; every process it starts is stopped at exit.
#
# Usage: watchllm-bench/load.sh
# Environment (all optional):
#   DURATION=15        seconds measured per wrk row      WARMUP=5   seconds of unrecorded load before each row
#   CONNECTIONS="1 16" wrk connection counts             PROBES=2000 streamed requests per first-byte probe
#   STREAMS=2000       concurrent streams                STREAM_SECONDS=10  how long each of them lasts
#   GATEWAY_HEAP=512m  the sample's -Xmx                 JFR=FILE   record a JFR profile of the sample into FILE
#   BUILD=auto|always|never  build the jars (auto: only when missing)
#   PORTKEY=0          skip Portkey                      PORTKEY_DIR=DIR  where Portkey is npm-installed (reused)
#   CEILINGS=0         skip the ceiling rows: CeilingServer (a fixed answer with nothing behind it) mounted
#                      as a non-blocking core handler, a core handler on a pool thread, and an async servlet filter;
#                      and a bare relay to the provider through Jetty's HttpClient (the least a miss can add)
#   FILTER=0           skip the rows through the Servlet filter mount (a second sample process,
#                      -Dwatchllm.jetty.mount=filter; the main rows use the sample's default, WatchLlmHandler)
#   POOL=0             skip the rows through WatchLlmHandler on pool threads (a third sample process,
#                      -Dwatchllm.jetty.selector=false; the main rows use the handler's default: on Jetty's
#                      selector thread, as this engine never blocks)
#   KEEP=1             keep the work directory (configs, logs) instead of deleting it
# No process is pinned to a core: on a 2-core machine the load generator, the provider and the
# gateway share both cores, as they would on a small host; pinning would give one of them a single
# core and skew every ratio. wrk runs with one thread (one core at most).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-"1 16"}
PROBES=${PROBES:-2000}
STREAMS=${STREAMS:-2000}
STREAM_SECONDS=${STREAM_SECONDS:-10}
GATEWAY_HEAP=${GATEWAY_HEAP:-512m}
BUILD=${BUILD:-auto}
PORTKEY=${PORTKEY:-1}
FILTER=${FILTER:-1}
POOL=${POOL:-1}
CEILINGS=${CEILINGS:-1}
PORTKEY_VERSION=1.15.2
PORTKEY_DIR=${PORTKEY_DIR:-/tmp/watchllm-bench-portkey-$PORTKEY_VERSION}
JFR=${JFR:-}

BENCH_JAR=$ROOT/watchllm-bench/target/benchmarks.jar
SAMPLE_JAR=$ROOT/samples/jetty/target/watchllm-jetty.jar
LUA=$ROOT/watchllm-bench/post.lua
REPORT=$ROOT/watchllm-bench/target/load-report.txt

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "load.sh: '$1' is missing. $2" >&2
    exit 1
  fi
}
need java "Install a JDK 17+ (Debian: apt-get install -y openjdk-17-jdk-headless)."
need wrk "Install it (Debian package): apt-get update && apt-get install -y wrk"
need curl "Install it: apt-get update && apt-get install -y curl"

if [[ $BUILD == always || ( $BUILD == auto && ( ! -f $BENCH_JAR || ! -f $SAMPLE_JAR ) ) ]]; then
  need mvn "Install Maven 3.8+ (Debian: apt-get install -y maven), or build the jars elsewhere."
  echo "Building the sample and the bench jar ..."
  mvn -B -q -DskipTests package -pl samples/jetty,watchllm-bench -am
fi
[[ -f $BENCH_JAR && -f $SAMPLE_JAR ]] || { echo "load.sh: $BENCH_JAR or $SAMPLE_JAR is missing (BUILD=never?)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/watchllm-load.XXXXXX)
PIDS=()
JSTAT_PID=
cleanup() {
  [[ -n $JSTAT_PID ]] && kill "$JSTAT_PID" 2>/dev/null || true
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ ${KEEP:-0} == 1 ]]; then echo "Work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until FILE has a line matching REGEX (up to 60 s) and prints that line.
await_line() {
  local file=$1 regex=$2 pid=$3 i
  for ((i = 0; i < 600; i++)); do
    if grep -aqE "$regex" "$file" 2>/dev/null; then grep -aE "$regex" "$file" | head -1; return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "load.sh: process $pid died; its log ($file):" >&2; tail -20 "$file" >&2; exit 1; }
    sleep 0.1
  done
  echo "load.sh: timed out waiting for '$regex' in $file" >&2
  exit 1
}

# The port in a "... http://127.0.0.1:PORT..." line; ends the run when there is none (its process failed).
port_of() {
  local p
  p=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+).*#\1#p' <<<"$1")
  [[ $p =~ ^[0-9]+$ ]] || { echo "load.sh: a process did not start (see the logs in $WORK; KEEP=1 keeps them)" >&2; exit 1; }
  echo "$p"
}

free_port() {
  local p
  for ((p = 20000 + RANDOM % 20000; ; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}

# Starts a TrivialProvider; sets LAST_PORT and LAST_PID.
start_provider() {
  local name=$1; shift
  java -Xms256m -Xmx1g -cp "$BENCH_JAR" dev.watchllm.bench.load.TrivialProvider --host 127.0.0.1 --port 0 "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  LAST_PORT=$(port_of "$(await_line "$WORK/$name.log" 'listening on http://127\.0\.0\.1:[0-9]+' "$LAST_PID")") || exit 1
}

echo "== Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(java -version 2>&1 | head -1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "== Settings: DURATION=${DURATION}s WARMUP=${WARMUP}s CONNECTIONS='$CONNECTIONS' PROBES=$PROBES STREAMS=$STREAMS STREAM_SECONDS=$STREAM_SECONDS GATEWAY_HEAP=$GATEWAY_HEAP"

# ---- the providers: a fast one, and a slow streaming one for the concurrency run -------------------
SLOW_CHUNKS=20
SLOW_INTERVAL_MS=$((STREAM_SECONDS * 1000 / (SLOW_CHUNKS + 3)))   # 24 events with usage: 23 gaps
start_provider provider
UP=$LAST_PORT
start_provider provider-slow --chunks "$SLOW_CHUNKS" --interval-ms "$SLOW_INTERVAL_MS"
UP_SLOW=$LAST_PORT
echo "Provider: http://127.0.0.1:$UP/v1 (slow streams: http://127.0.0.1:$UP_SLOW/v1, $SLOW_CHUNKS chunks ${SLOW_INTERVAL_MS} ms apart)"

# ---- the sample: one process; projects with the cache off (requests-only plan / every limit) and on --
mint() { java -jar "$SAMPLE_JAR" keys create --project "$1" --env bench >"$WORK/key-$1.txt"; }
mint bench-miss
mint bench-hit
mint bench-limits
MISS_KEY=$(sed -n 1p "$WORK/key-bench-miss.txt")
HIT_KEY=$(sed -n 1p "$WORK/key-bench-hit.txt")
LIMITS_KEY=$(sed -n 1p "$WORK/key-bench-limits.txt")
entry() { sed -n 3p "$WORK/key-$1.txt" | sed 's/^- //'; }
cat >"$WORK/watchllm.yaml" <<EOF
# Generated by load.sh: the trivial provider behind the sample.
upstreams:
  - name: trivial
    baseUrl: http://127.0.0.1:$UP/v1
    models: ["gpt-*"]
    timeout: 60s
  - name: trivial-slow
    baseUrl: http://127.0.0.1:$UP_SLOW/v1
    models: ["slow-*"]
    timeout: 60s
# Limits far above what a run reaches: every request is admitted, so the rows measure what checking costs.
# 'bench' has only the limits every plan has; 'bench-all' adds every optional one, and its project a budget.
plans:
  bench: { requestsPerMinute: 1000000000, requestsPerMonth: 1000000000000 }
  bench-all: { requestsPerMinute: 1000000000, requestsPerMonth: 1000000000000, tokensPerMinute: 60000000000, concurrentRequests: 100000 }
projects:
  - id: bench-miss
    plan: bench
    keys: [ $(entry bench-miss) ]
    cache: { enabled: false }
  - id: bench-hit
    plan: bench
    keys: [ $(entry bench-hit) ]
    cache: { enabled: true, ttl: 24h }
  - id: bench-limits
    plan: bench-all
    keys: [ $(entry bench-limits) ]
    cache: { enabled: false }
    budget: { monthlyUsd: 1000000000 }
store: { type: local, dir: $WORK/store }
EOF
GATEWAY_OPTS=(-Xmx"$GATEWAY_HEAP" -Xlog:gc:file="$WORK/gateway-gc.log":uptime)
[[ -n $JFR ]] && GATEWAY_OPTS+=(-XX:StartFlightRecording=filename="$JFR",settings=profile)
java "${GATEWAY_OPTS[@]}" -jar "$SAMPLE_JAR" --config "$WORK/watchllm.yaml" --host 127.0.0.1 --port 0 >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
GW=$(port_of "$(await_line "$WORK/gateway.log" 'WatchLLM listening on http://127\.0\.0\.1:[0-9]+' "$GW_PID")") || exit 1
echo "WatchLLM sample: http://127.0.0.1:$GW/v1 (pid $GW_PID, -Xmx$GATEWAY_HEAP${JFR:+, JFR to $JFR}; mounted as WatchLlmHandler, on the selector)"
# Another process of the same sample, with the JVM property PROP: same config and keys, its own store
# (the disk tier is one process's). Sets LAST_PORT.
start_sample() {
  local name=$1 prop=$2
  sed "s#dir: $WORK/store#dir: $WORK/store-$name#" "$WORK/watchllm.yaml" >"$WORK/watchllm-$name.yaml"
  java -Xmx"$GATEWAY_HEAP" "$prop" -jar "$SAMPLE_JAR" --config "$WORK/watchllm-$name.yaml" --host 127.0.0.1 --port 0 >"$WORK/gateway-$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  LAST_PORT=$(port_of "$(await_line "$WORK/gateway-$name.log" 'WatchLLM listening on http://127\.0\.0\.1:[0-9]+' "$LAST_PID")") || exit 1
  echo "WatchLLM sample, $name: http://127.0.0.1:$LAST_PORT/v1 (pid $LAST_PID, -Xmx$GATEWAY_HEAP, $prop)"
}
GWF= GWP=
if [[ $FILTER == 1 ]]; then
  start_sample filter -Dwatchllm.jetty.mount=filter   # the Servlet filter mount
  GWF=$LAST_PORT
fi
if [[ $POOL == 1 ]]; then
  start_sample pool -Dwatchllm.jetty.selector=false   # WatchLlmHandler on pool threads (the mode of an engine that may block)
  GWP=$LAST_PORT
fi

# ---- ceilings: what the host alone allows an answer from memory, by mount ----------------------
CEIL_NB= CEIL_CORE= CEIL_SERVLET= CEIL_RELAY=
if [[ $CEILINGS == 1 ]]; then
  # Starts a CeilingServer with MOUNT; sets LAST_PORT.
  start_fixed() {
    java -Xmx"$GATEWAY_HEAP" -cp "$BENCH_JAR" dev.watchllm.bench.load.CeilingServer "$1" --port 0 --upstream "http://127.0.0.1:$UP" >"$WORK/fixed-$1.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    LAST_PORT=$(port_of "$(await_line "$WORK/fixed-$1.log" 'listening on http://127\.0\.0\.1:[0-9]+' "$LAST_PID")") || exit 1
  }
  start_fixed core-nonblocking
  CEIL_NB=$LAST_PORT
  start_fixed core
  CEIL_CORE=$LAST_PORT
  start_fixed servlet
  CEIL_SERVLET=$LAST_PORT
  start_fixed relay
  CEIL_RELAY=$LAST_PORT
  echo "Ceilings (CeilingServer): core-nonblocking :$CEIL_NB, core :$CEIL_CORE, servlet :$CEIL_SERVLET, relay :$CEIL_RELAY"
fi

# ---- Portkey ----------------------------------------------------------------------------------
PK=
PORTKEY_NOTE=
if [[ $PORTKEY != 1 ]]; then
  PORTKEY_NOTE="Portkey: skipped (PORTKEY=$PORTKEY)."
elif ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  PORTKEY_NOTE="Portkey: skipped: npm/node is missing (Debian: apt-get install -y nodejs npm)."
else
  if [[ ! -f $PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json ]] \
     || ! grep -q "\"version\": \"$PORTKEY_VERSION\"" "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json"; then
    echo "Installing @portkey-ai/gateway@$PORTKEY_VERSION into $PORTKEY_DIR ..."
    mkdir -p "$PORTKEY_DIR"
    (cd "$PORTKEY_DIR" && npm install --no-audit --no-fund --loglevel=error "@portkey-ai/gateway@$PORTKEY_VERSION" >"$WORK/npm.log" 2>&1) \
      || { tail -5 "$WORK/npm.log"; PORTKEY_NOTE="Portkey: skipped: npm install failed (see above)."; }
  fi
  if [[ -z $PORTKEY_NOTE ]]; then
    PK=$(free_port)
    (cd "$PORTKEY_DIR" && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port="$PK") >"$WORK/portkey.log" 2>&1 &
    PIDS+=("$!")
    PK_PID=$!
    for ((i = 0; i < 300; i++)); do
      curl -s -o /dev/null "http://127.0.0.1:$PK/" && break
      kill -0 "$PK_PID" 2>/dev/null || break
      sleep 0.1
    done
    if ! curl -s -o /dev/null "http://127.0.0.1:$PK/"; then
      PORTKEY_NOTE="Portkey: skipped: it did not start (log: $WORK/portkey.log)."
      PK=
    else
      echo "Portkey $PORTKEY_VERSION: http://127.0.0.1:$PK/v1 (node $(node --version), pid $PK_PID)"
    fi
  fi
fi
[[ -n $PORTKEY_NOTE ]] && echo "$PORTKEY_NOTE"
PK_HEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$UP/v1|Authorization: Bearer sk-bench-unused"

# ---- plain requests through wrk ---------------------------------------------------------------
cat >"$WORK/body.json" <<'EOF'
{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write one sentence about load testing."}],"temperature":0.2,"max_tokens":64}
EOF

# A request through the sample (port $2, default the main one) with KEY; prints the X-WatchLLM-Cache value (empty when absent).
cache_header() {
  curl -s -o /dev/null -D - "http://127.0.0.1:${2:-$GW}/v1/chat/completions" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" | tr -d '\r' \
    | awk -F': ' 'tolower($1) == "x-watchllm-cache" { print $2 }'
}

# Runs one wrk row: KEY LABEL URL HEADERS; appends "KEY CONNS RESULT-FIELDS" to results.
RESULTS=$WORK/results.txt
: >"$RESULTS"
# CPU time (user + system, in clock ticks) a process has used so far; the process serving PORT.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pid_of_port() { ss -Htlnp "sport = :$1" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1; }
CLK_TCK=$(getconf CLK_TCK)
row() {
  local key=$1 label=$2 url=$3 headers=$4 c out port pid before after cpu
  port=${url#http://127.0.0.1:}
  port=${port%%/*}
  pid=$(pid_of_port "$port")
  for c in $CONNECTIONS; do
    WRK_BODY_FILE=$WORK/body.json WRK_HEADERS=$headers wrk -t1 -c"$c" -d"${WARMUP}s" --timeout 10s -s "$LUA" "$url" >/dev/null
    before=$(cpu_ticks "$pid")
    out=$(WRK_BODY_FILE=$WORK/body.json WRK_HEADERS=$headers wrk -t1 -c"$c" -d"${DURATION}s" --timeout 10s -s "$LUA" "$url")
    after=$(cpu_ticks "$pid")
    # the serving process's CPU per request (all its threads), in microseconds; -1 when it could not be read
    cpu=$(awk -v b="$before" -v a="$after" -v t="$CLK_TCK" -v r="$(grep '^RESULT' <<<"$out" | cut -d' ' -f7)" \
      'BEGIN { if (b > 0 && r > 0) printf "%.1f", (a - b) * 1000000 / t / r; else print -1 }')
    echo "$key $c $(grep '^RESULT' <<<"$out" | cut -d' ' -f2-) $cpu" >>"$RESULTS"
    printf '  %-32s %3s conns: %s, server CPU %s us/req\n' "$label" "$c" "$(grep '^RESULT' <<<"$out" | awk '{printf "%.0f req/s, p50 %.3f ms, p99 %.3f ms", $2, $3/1000, $4/1000}')" "$cpu"
  done
}

# A freshly started JVM is still compiling its hot paths: each gateway is warmed up once, unrecorded,
# before its first row (otherwise the first row measured, the miss path, pays for the JIT).
warm_gateway() {
  WRK_BODY_FILE=$WORK/body.json WRK_HEADERS="Authorization: Bearer $MISS_KEY" wrk -t1 -c16 -d"$((WARMUP * 2))s" --timeout 10s -s "$LUA" "http://127.0.0.1:$1/v1/chat/completions" >/dev/null
}
warm_gateway "$GW"
[[ -n $GWF ]] && warm_gateway "$GWF"
[[ -n $GWP ]] && warm_gateway "$GWP"
[[ -n $CEIL_RELAY ]] && warm_gateway "$CEIL_RELAY"

echo
echo "== Plain chat completions (wrk, ${DURATION}s per row after ${WARMUP}s warm-up)"
echo "  X-WatchLLM-Cache with the cache off: '$(cache_header "$MISS_KEY")'"
row direct "provider (direct)" "http://127.0.0.1:$UP/v1/chat/completions" ""
row miss "WatchLLM miss (cache off)" "http://127.0.0.1:$GW/v1/chat/completions" "Authorization: Bearer $MISS_KEY"
row limits "WatchLLM miss, all limits" "http://127.0.0.1:$GW/v1/chat/completions" "Authorization: Bearer $LIMITS_KEY"
# The first request stores the entry just after its answer went out; the next ones must be hits.
# Prints the X-WatchLLM-Cache value of the sample on PORT once it reads HIT (or the last one, after 5 s).
await_hit() {
  local status= i
  for ((i = 0; i < 50; i++)); do
    status=$(cache_header "$HIT_KEY" "$1")
    [[ $status == HIT ]] && break
    sleep 0.1
  done
  echo "$status"
}
HIT_STATUS=$(await_hit "$GW")
echo "  X-WatchLLM-Cache with the cache on and a warm entry: '$HIT_STATUS'"
if [[ $HIT_STATUS != HIT ]]; then
  HIT_NOTE="NOTE: the hit row is NOT a cache hit: X-WatchLLM-Cache is '${HIT_STATUS:-absent}', not HIT, so it measures the miss path again."
  echo "  $HIT_NOTE"
fi
row hit "WatchLLM hit (cache on)" "http://127.0.0.1:$GW/v1/chat/completions" "Authorization: Bearer $HIT_KEY"
if [[ -n $GWF ]]; then
  row missf "WatchLLM miss, filter mount" "http://127.0.0.1:$GWF/v1/chat/completions" "Authorization: Bearer $MISS_KEY"
  HITF_STATUS=$(await_hit "$GWF")
  echo "  X-WatchLLM-Cache through the filter mount with a warm entry: '$HITF_STATUS'"
  if [[ $HITF_STATUS != HIT ]]; then
    HIT_NOTE="${HIT_NOTE:-}${HIT_NOTE:+ }NOTE: the filter-mount hit row is NOT a cache hit (X-WatchLLM-Cache '${HITF_STATUS:-absent}')."
  fi
  row hitf "WatchLLM hit, filter mount" "http://127.0.0.1:$GWF/v1/chat/completions" "Authorization: Bearer $HIT_KEY"
fi
if [[ -n $GWP ]]; then
  HITP_STATUS=$(await_hit "$GWP")
  echo "  X-WatchLLM-Cache through the handler on pool threads with a warm entry: '$HITP_STATUS'"
  if [[ $HITP_STATUS != HIT ]]; then
    HIT_NOTE="${HIT_NOTE:-}${HIT_NOTE:+ }NOTE: the pool-thread hit row is NOT a cache hit (X-WatchLLM-Cache '${HITP_STATUS:-absent}')."
  fi
  row hitp "WatchLLM hit, pool threads" "http://127.0.0.1:$GWP/v1/chat/completions" "Authorization: Bearer $HIT_KEY"
fi
if [[ -n $CEIL_NB ]]; then
  row ceilnb "fixed answer, core non-blocking" "http://127.0.0.1:$CEIL_NB/v1/chat/completions" ""
  row ceilcore "fixed answer, core handler" "http://127.0.0.1:$CEIL_CORE/v1/chat/completions" ""
  row ceilservlet "fixed answer, servlet filter" "http://127.0.0.1:$CEIL_SERVLET/v1/chat/completions" ""
  row ceilrelay "bare relay (Jetty HttpClient)" "http://127.0.0.1:$CEIL_RELAY/v1/chat/completions" ""
fi
[[ -n $PK ]] && row portkey "Portkey $PORTKEY_VERSION" "http://127.0.0.1:$PK/v1/chat/completions" "$PK_HEADERS"

# ---- time to first byte of a stream -------------------------------------------------------------
echo
echo "== Streams: time to first byte ($PROBES sequential streamed requests, 16 chunks each, after 500 warm-up)"
STREAM_RESULTS=$WORK/streams.txt
: >"$STREAM_RESULTS"
probe() {
  local key=$1 label=$2 url=$3; shift 3
  local out
  out=$(java -cp "$BENCH_JAR" dev.watchllm.bench.load.FirstByteProbe --url "$url" --requests "$PROBES" --warmup 500 "$@" 2>&1)
  echo "$key $(grep '^RESULT' <<<"$out" | cut -d' ' -f2-)" >>"$STREAM_RESULTS"
  printf '  %-28s %s\n' "$label" "$(grep '^RESULT' <<<"$out" | awk '{printf "first byte p50 %.3f ms, p99 %.3f ms; whole stream p50 %.3f ms; bad streams %d", $2/1000, $3/1000, $4/1000, $6}')"
}
probe direct "provider (direct)" "http://127.0.0.1:$UP/v1/chat/completions"
probe miss "WatchLLM (cache off)" "http://127.0.0.1:$GW/v1/chat/completions" --header "Authorization: Bearer $MISS_KEY"
PK_STREAM_NOTE=
if [[ -n $PK ]]; then
  pk_stream=$(curl -s -N "http://127.0.0.1:$PK/v1/chat/completions" -H 'x-portkey-provider: openai' \
    -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1" -H 'Authorization: Bearer sk-bench-unused' \
    -H 'Content-Type: application/json' -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}' | tail -c 300)
  if grep -q '\[DONE\]' <<<"$pk_stream"; then
    probe portkey "Portkey $PORTKEY_VERSION" "http://127.0.0.1:$PK/v1/chat/completions" \
      --header "x-portkey-provider: openai" --header "x-portkey-custom-host: http://127.0.0.1:$UP/v1" --header "Authorization: Bearer sk-bench-unused"
  else
    PK_STREAM_NOTE="Portkey $PORTKEY_VERSION: streamed requests fail here (it answered: $(tr -d '\n' <<<"$pk_stream" | cut -c1-120)); its log says: $(grep -a -m1 -E 'Error|error' "$WORK/portkey.log" | cut -c1-120)"
    echo "  $PK_STREAM_NOTE"
  fi
fi

# ---- concurrency: many long streams at once ----------------------------------------------------
echo
echo "== Concurrency: $STREAMS concurrent streams of ${STREAM_SECONDS}s through the sample (cache off)"
GC_LINES_BEFORE=$(wc -l <"$WORK/gateway-gc.log")
jstat -gc "$GW_PID" 200 >"$WORK/jstat.txt" 2>/dev/null &
JSTAT_PID=$!
out=$(java -Xmx1g -cp "$BENCH_JAR" dev.watchllm.bench.load.ConcurrentStreams --url "http://127.0.0.1:$GW/v1/chat/completions" \
  --header "Authorization: Bearer $MISS_KEY" --model slow-bench --streams "$STREAMS" --ramp-ms 2000 \
  --expect-events $((SLOW_CHUNKS + 3)) --timeout-s $((STREAM_SECONDS * 3 + 30)) 2>&1)
kill "$JSTAT_PID" 2>/dev/null || true
wait "$JSTAT_PID" 2>/dev/null || true
JSTAT_PID=
grep '^PROBLEM' <<<"$out" | sed 's/^/  /' || true
read -r C_OK C_ERR C_PEAK C_P50 C_P99 C_MAX <<<"$(grep '^RESULT' <<<"$out" | cut -d' ' -f2-)"
# Peak heap: the largest heap-before-GC in the GC log during the run, or the largest jstat sample (KB).
GC_PEAK_MB=$(tail -n +"$((GC_LINES_BEFORE + 1))" "$WORK/gateway-gc.log" | sed -nE 's/.* ([0-9]+)M->[0-9]+M\(([0-9]+)M\).*/\1/p' | sort -n | tail -1)
JSTAT_PEAK_MB=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 ~ /^[0-9.]+$/ { u = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; if (u > m) m = u }
  END { printf "%.0f", m / 1024 }' "$WORK/jstat.txt")
PEAK_HEAP_MB=$(( ${GC_PEAK_MB:-0} > ${JSTAT_PEAK_MB:-0} ? ${GC_PEAK_MB:-0} : ${JSTAT_PEAK_MB:-0} ))
RSS_PEAK_MB=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$GW_PID/status")
CONC_LINE="$STREAMS streams of ${STREAM_SECONDS}s: $C_OK complete, $C_ERR errors, peak open $C_PEAK; stream duration p50 ${C_P50} ms, p99 ${C_P99} ms; gateway peak heap ${PEAK_HEAP_MB} MB (-Xmx$GATEWAY_HEAP), peak RSS ${RSS_PEAK_MB} MB"
echo "  $CONC_LINE"
kill -0 "$GW_PID" 2>/dev/null || echo "  NOTE: the gateway process died during the run (see $WORK/gateway.log)."

# ---- the table ----------------------------------------------------------------------------------
{
  echo
  echo "WatchLLM load run, $(date -u +%Y-%m-%d), $(nproc) cores shared by wrk, provider and gateway (no pinning); wrk -t1, ${DURATION}s per row"
  echo
  awk -v pk="$PK" -v pkv="$PORTKEY_VERSION" '
    { key[NR] = $1; c[NR] = $2; rps[NR] = $3; p50[NR] = $4; p99[NR] = $5; sock[NR] = $6; bad[NR] = $7; cpu[NR] = $9; n = NR
      if ($1 == "direct") { drps[$2] = $3; dp50[$2] = $4 }
      if ($1 == "portkey") { prps[$2] = $3 } }
    END {
      name["direct"] = "provider (direct)"; name["miss"] = "WatchLLM miss (cache off)"
      name["hit"] = "WatchLLM hit (cache on)"; name["portkey"] = "Portkey " pkv; name["limits"] = "WatchLLM miss, all limits"
      name["missf"] = "WatchLLM miss, filter mount"; name["hitf"] = "WatchLLM hit, filter mount"; name["hitp"] = "WatchLLM hit, pool threads"
      name["ceilnb"] = "fixed answer, core non-blocking"; name["ceilcore"] = "fixed answer, core handler"; name["ceilservlet"] = "fixed answer, servlet filter"; name["ceilrelay"] = "bare relay (Jetty HttpClient)"
      printf "| %-31s | %5s | %8s | %8s | %8s | %8s | %9s | %8s | %10s | %6s |\n", "target", "conns", "req/s", "p50 ms", "p99 ms", "x direct", "x Portkey", "+p50 ms", "CPU us/req", "errors"
      printf "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", "---------------------------------", "------:", "---------:", "---------:", "---------:", "---------:", "----------:", "---------:", "-----------:", "-------:"
      for (i = 1; i <= n; i++) {
        xp = (prps[c[i]] > 0) ? sprintf("%.1f", rps[i] / prps[c[i]]) : "-"
        add = (key[i] == "direct") ? "-" : sprintf("%+.3f", (p50[i] - dp50[c[i]]) / 1000)
        cu = (cpu[i] >= 0) ? sprintf("%.1f", cpu[i]) : "-"
        printf "| %-31s | %5d | %8.0f | %8.3f | %8.3f | %8.2f | %9s | %8s | %10s | %6d |\n", name[key[i]], c[i], rps[i], p50[i] / 1000, p99[i] / 1000, rps[i] / drps[c[i]], xp, add, cu, sock[i] + bad[i]
      }
    }' "$RESULTS"
  awk '$1 == "miss" { m[$2] = $3; mp[$2] = $4 } $1 == "limits" { l[$2] = $3; lp[$2] = $4 }
    END { line = ""; for (c in m) if (c in l) line = line sprintf("%s %s conns: %.2f x the throughput, %+.3f ms at p50", (line == "" ? "" : ";"), c, l[c] / m[c], (lp[c] - mp[c]) / 1000)
          if (line != "") { print ""; print "Miss path with every limit (tokens per minute, concurrency, budget) vs the requests-only plan:" line } }' "$RESULTS"
  [[ -n ${HIT_NOTE:-} ]] && echo && echo "$HIT_NOTE"
  [[ -n $PORTKEY_NOTE ]] && echo && echo "$PORTKEY_NOTE"
  echo
  echo "Streams (first byte = first SSE event; $PROBES sequential requests, 16 chunks):"
  echo
  awk -v pkv="$PORTKEY_VERSION" '
    { key[NR] = $1; f50[NR] = $2; f99[NR] = $3; t50[NR] = $4; err[NR] = $6; n = NR; if ($1 == "direct") d = $2 }
    END {
      name["direct"] = "provider (direct)"; name["miss"] = "WatchLLM (cache off)"; name["portkey"] = "Portkey " pkv
      printf "| %-26s | %13s | %13s | %15s | %18s | %10s |\n", "target", "first byte p50", "first byte p99", "whole stream p50", "added p50 vs direct", "bad streams"
      printf "|%s|%s|%s|%s|%s|%s|\n", "----------------------------", "---------------:", "---------------:", "-----------------:", "--------------------:", "------------:"
      for (i = 1; i <= n; i++) {
        add = (key[i] == "direct") ? "-" : sprintf("%+.3f ms", (f50[i] - d) / 1000)
        printf "| %-26s | %10.3f ms | %10.3f ms | %12.3f ms | %18s | %11d |\n", name[key[i]], f50[i] / 1000, f99[i] / 1000, t50[i] / 1000, add, err[i]
      }
    }' "$STREAM_RESULTS"
  [[ -n $PK_STREAM_NOTE ]] && echo && echo "$PK_STREAM_NOTE"
  echo
  echo "Concurrency: $CONC_LINE"
} | tee "$REPORT"
echo
echo "Report written to $REPORT"
