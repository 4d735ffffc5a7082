#!/usr/bin/env bash
# opensearch.sh — run a throwaway local OpenSearch 2.19 cluster for healthsearch tests.
#
#   scripts/opensearch.sh start [N]   build the launcher if needed, start N nodes
#                                     (default 1) and wait until the cluster is green
#   scripts/opensearch.sh stop        stop every node started here (TERM, then KILL)
#   scripts/opensearch.sh status      pid / ports / alive per node, plus cluster health
#
# No OpenSearch distribution is downloaded: engines/opensearch is a tiny Maven
# project whose launcher (NodeLauncher) starts one OpenSearch node in-process from
# the jars on Maven Central (server + transport-netty4, analysis-common,
# lang-painless, mapper-extras). Maven resolves them into ~/.m2 on the first run;
# later runs build offline (-o) and fall back to online only if that fails.
#
# Each node is its own JVM (-Xms512m -Xmx512m) bound to 127.0.0.1 only:
#   node-i: HTTP $OPENSEARCH_HTTP_BASE+i-1 (9201, 9202, ...),
#           transport $OPENSEARCH_TRANSPORT_BASE+i-1 (9301, 9302, ...),
#   cluster name healthsearch-test, work dir $OPENSEARCH_WORK/node-i/ with
#   data/, logs/node.log (all node output), tmp/, node.pid, ports.
#
# `start` wipes the nodes' data first (each run is a fresh cluster) unless
# OPENSEARCH_KEEP_DATA=1. `start N` while exactly nodes 1..N of this work dir are
# already running and the cluster answers is a no-op (exit 0); while any other set
# of nodes runs it fails and asks for `stop` first. If the cluster is not green with
# N nodes within $OPENSEARCH_START_TIMEOUT seconds, start prints the tail of every
# node log, stops the nodes and exits 1.
#
# Environment (all optional):
#   OPENSEARCH_WORK            work dir (default: <repo>/target/opensearch)
#   OPENSEARCH_HTTP_BASE       first HTTP port (default 9201)
#   OPENSEARCH_TRANSPORT_BASE  first transport port (default 9301)
#   OPENSEARCH_HEAP            heap per node (default 512m)
#   OPENSEARCH_JAVA_OPTS       extra JVM options for every node
#   OPENSEARCH_START_TIMEOUT   seconds to wait for green (default 180)
#   OPENSEARCH_STOP_TIMEOUT    seconds to wait after TERM before KILL (default 30)
#   OPENSEARCH_KEEP_DATA=1     keep node data between starts
#   OPENSEARCH_KNN=1           experimental: also load the k-NN plugin 2.19.1.0 from
#                              Maven Central (pure-Java parts only: knn_vector with
#                              "engine": "lucene", knn_score, painless innerProduct;
#                              the faiss/nmslib engines need native libs it lacks)
#   OPENSEARCH_EXTRA_CLASSPATH extra jars (classpath syntax, dir/* allowed) for
#                              every node, e.g. an experimental extra plugin
#   OPENSEARCH_EXTRA_PLUGINS   comma-separated Plugin classes to load from it
#   JAVA_HOME                  JDK to use (default: `java` on PATH; needs 17+)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINE="$REPO/engines/opensearch"
WORK="${OPENSEARCH_WORK:-$REPO/target/opensearch}"
HTTP_BASE="${OPENSEARCH_HTTP_BASE:-9201}"
TRANSPORT_BASE="${OPENSEARCH_TRANSPORT_BASE:-9301}"
HEAP="${OPENSEARCH_HEAP:-512m}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-180}"
STOP_TIMEOUT="${OPENSEARCH_STOP_TIMEOUT:-30}"
CLUSTER_NAME="healthsearch-test"
MAIN_CLASS="org.healthsearch.engines.opensearch.NodeLauncher"
LAUNCHER_JAR="$ENGINE/target/opensearch-node-launcher-0.1.0.jar"
KNN="${OPENSEARCH_KNN:-0}"
MAX_NODES=9

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="java"; fi

die() { echo "opensearch.sh: $*" >&2; exit 1; }
log() { echo "opensearch.sh: $*" >&2; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found (install: $2)"; }

node_dir() { echo "$WORK/node-$1"; }
pid_file() { echo "$(node_dir "$1")/node.pid"; }

# Node numbers that have a PID file, ascending.
known_nodes() {
    local d
    shopt -s nullglob
    for d in "$WORK"/node-*/node.pid; do
        d="${d%/node.pid}"
        echo "${d##*/node-}"
    done | sort -n
    shopt -u nullglob
}

# Prints the pid of node $1 if it is alive and is really our launcher, else nothing.
node_pid() {
    local f pid
    f="$(pid_file "$1")"
    [[ -f "$f" ]] || return 0
    pid="$(cat "$f" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    # Guard against a recycled pid: the process must be our launcher for this node.
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$MAIN_CLASS.*node.name=node-$1 "; then
        echo "$pid"
    fi
}

# "node-1, node-3" from "1 3".
node_list() {
    local out="" i
    for i in "$@"; do out+="${out:+, }node-$i"; done
    echo "$out"
}

http_port() { echo $((HTTP_BASE + $1 - 1)); }
transport_port() { echo $((TRANSPORT_BASE + $1 - 1)); }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Build the launcher and copy the dependency jars, unless already up to date.
build() {
    need mvn "apt-get install maven"
    need "$JAVA" "apt-get install openjdk-17-jdk-headless"
    local stale=1
    if [[ -f "$LAUNCHER_JAR" && -d "$ENGINE/target/dependency" ]] &&
        [[ "$KNN" != 1 || -n "$(compgen -G "$ENGINE/target/knn/opensearch-knn-*.jar")" ]]; then
        if [[ -z "$(find "$ENGINE/pom.xml" "$ENGINE/src" -newer "$LAUNCHER_JAR" -type f -print -quit)" ]]; then
            stale=0
        fi
    fi
    [[ $stale == 1 ]] || return 0
    log "building launcher (mvn package dependency:copy-dependencies)"
    local out
    out="$(mktemp)"
    local goals=(-q -B -f "$ENGINE/pom.xml" package dependency:copy-dependencies)
    if [[ "$KNN" == 1 ]]; then goals+=(-Pknn); fi
    if ! mvn -o "${goals[@]}" >"$out" 2>&1; then
        log "offline build failed; trying with Maven Central"
        if ! mvn "${goals[@]}" >"$out" 2>&1; then
            cat "$out" >&2
            rm -f "$out"
            die "maven build failed"
        fi
    fi
    rm -f "$out"
    touch "$LAUNCHER_JAR"
}

# JVM options of a distribution's SystemJvmOptions that matter here, plus the heap.
jvm_opts() {
    local i="$1" dir
    dir="$(node_dir "$i")"
    echo "-Xms$HEAP -Xmx$HEAP -Xss1m -Djava.awt.headless=true -Dfile.encoding=UTF-8"
    echo "-XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30"
    echo "-XX:-OmitStackTraceInFastThrow -XX:+ShowCodeDetailsInExceptionMessages"
    echo "-Djna.nosys=true -Djava.locale.providers=SPI,COMPAT"
    echo "-Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true"
    echo "-Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0"
    echo "-Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true"
    echo "-Djava.io.tmpdir=$dir/tmp -XX:ErrorFile=$dir/logs/hs_err_pid%p.log"
    local plugins="${OPENSEARCH_EXTRA_PLUGINS:-}"
    if [[ "$KNN" == 1 ]]; then plugins+="${plugins:+,}org.opensearch.knn.plugin.KNNPlugin"; fi
    if [[ -n "$plugins" ]]; then echo "-Dhealthsearch.opensearch.plugins=$plugins"; fi
    echo "${OPENSEARCH_JAVA_OPTS:-}"
}

classpath() {
    local cp="$LAUNCHER_JAR:$ENGINE/target/dependency/*"
    if [[ "$KNN" == 1 ]]; then cp+=":$ENGINE/target/knn/*"; fi
    echo "$cp${OPENSEARCH_EXTRA_CLASSPATH:+:$OPENSEARCH_EXTRA_CLASSPATH}"
}

start_node() {
    local i="$1" n="$2" dir seeds="" managers="" j
    dir="$(node_dir "$i")"
    for ((j = 1; j <= n; j++)); do
        seeds+="${seeds:+,}127.0.0.1:$(transport_port "$j")"
        managers+="${managers:+,}node-$j"
    done
    if [[ "${OPENSEARCH_KEEP_DATA:-0}" != 1 ]]; then rm -rf "$dir/data"; fi
    mkdir -p "$dir/data" "$dir/logs" "$dir/tmp"
    echo "$(http_port "$i") $(transport_port "$i")" >"$dir/ports"
    # The inner bash writes its own pid (the JVM's, after exec) to node.pid.
    # shellcheck disable=SC2046,SC2016 # jvm_opts is a word list; $$ is for the inner bash
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$dir/node.pid" \
        "$JAVA" $(jvm_opts "$i") \
        -cp "$(classpath)" "$MAIN_CLASS" \
        "node.name=node-$i" \
        "cluster.name=$CLUSTER_NAME" \
        "network.host=127.0.0.1" \
        "http.port=$(http_port "$i")" \
        "transport.port=$(transport_port "$i")" \
        "path.home=$dir" \
        "path.data=$dir/data" \
        "path.logs=$dir/logs" \
        "discovery.seed_hosts=$seeds" \
        "cluster.initial_cluster_manager_nodes=$managers" \
        "cluster.routing.allocation.disk.threshold_enabled=false" \
        </dev/null >"$dir/logs/node.log" 2>&1 &
}

tail_logs() {
    local i
    for i in "$@"; do
        echo "----- node-$i: $(node_dir "$i")/logs/node.log (last 30 lines) -----" >&2
        tail -n 30 "$(node_dir "$i")/logs/node.log" >&2 2>/dev/null || true
    done
}

health_url() {
    echo "http://127.0.0.1:$(http_port "$1")/_cluster/health?wait_for_status=green&wait_for_nodes=$2&timeout=5s"
}

cmd_start() {
    local n="${1:-1}" i pid running=() started
    [[ "$n" =~ ^[1-9]$ ]] || die "start: N must be 1..$MAX_NODES, got '$n'"
    need curl "apt-get install curl"
    need setsid "apt-get install util-linux"

    for i in $(known_nodes); do
        pid="$(node_pid "$i")"
        if [[ -n "$pid" ]]; then running+=("$i"); else rm -f "$(pid_file "$i")"; fi
    done
    if ((${#running[@]} > 0)); then
        if [[ "${running[*]}" == "$(seq -s ' ' 1 "$n")" ]] &&
            curl -sf -o /dev/null "$(health_url 1 "$n")"; then
            log "$n node(s) already running and green; nothing to do"
            return 0
        fi
        die "nodes already running ($(node_list "${running[@]}")); run '$0 stop' first"
    fi
    for ((i = 1; i <= n; i++)); do
        local p
        for p in "$(http_port "$i")" "$(transport_port "$i")"; do
            if port_busy "$p"; then die "port $p on 127.0.0.1 is in use by another process"; fi
        done
    done

    build
    mkdir -p "$WORK"
    started=$(date +%s%N)
    for ((i = 1; i <= n; i++)); do start_node "$i" "$n"; done
    log "started $n node(s) in $WORK; waiting up to ${START_TIMEOUT}s for green"

    local deadline=$(($(date +%s) + START_TIMEOUT))
    while :; do
        for ((i = 1; i <= n; i++)); do
            if [[ -f "$(pid_file "$i")" && -z "$(node_pid "$i")" ]]; then
                log "node-$i exited during startup"
                tail_logs "$i"
                cmd_stop >/dev/null 2>&1 || true
                exit 1
            fi
        done
        if curl -sf -o /dev/null "$(health_url 1 "$n")" 2>/dev/null; then break; fi
        if (($(date +%s) >= deadline)); then
            log "cluster not green with $n node(s) after ${START_TIMEOUT}s"
            curl -s "http://127.0.0.1:$(http_port 1)/_cluster/health?pretty" >&2 2>/dev/null || true
            tail_logs $(seq 1 "$n")
            cmd_stop >/dev/null 2>&1 || true
            exit 1
        fi
        sleep 1
    done
    local ms=$((($(date +%s%N) - started) / 1000000))
    log "cluster $CLUSTER_NAME green with $n node(s) after $((ms / 1000)).$((ms % 1000 / 100))s;" \
        "http://127.0.0.1:$(http_port 1)"
}

cmd_stop() {
    local i pid pids=() nodes=() waited=0
    for i in $(known_nodes); do
        pid="$(node_pid "$i")"
        if [[ -n "$pid" ]]; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
            nodes+=("$i")
        fi
    done
    while ((waited < STOP_TIMEOUT * 10)); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive == 0)) && break
        sleep 0.1
        waited=$((waited + 1))
    done
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not exit ${STOP_TIMEOUT}s after TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for i in $(known_nodes); do rm -f "$(pid_file "$i")"; done
    if ((${#nodes[@]} > 0)); then
        log "stopped $(node_list "${nodes[@]}")"
    else
        log "no nodes running"
    fi
}

cmd_status() {
    local i pid ports any=""
    local nodes
    nodes="$(known_nodes)"
    if [[ -z "$nodes" ]]; then
        echo "no nodes (no PID files in $WORK)"
        return 3
    fi
    printf '%-8s %-8s %-6s %-10s %s\n' node pid http transport state
    for i in $nodes; do
        pid="$(node_pid "$i")"
        read -r -a ports 2>/dev/null <"$(node_dir "$i")/ports" || ports=("?" "?")
        if [[ -n "$pid" ]]; then
            printf '%-8s %-8s %-6s %-10s %s\n' "node-$i" "$pid" "${ports[0]}" "${ports[1]}" alive
            [[ -n "$any" ]] || any="${ports[0]}"
        else
            printf '%-8s %-8s %-6s %-10s %s\n' "node-$i" "$(cat "$(pid_file "$i")" 2>/dev/null || echo -)" \
                "${ports[0]}" "${ports[1]}" dead
        fi
    done
    if [[ -z "$any" ]]; then
        echo "no node alive"
        return 3
    fi
    if ! curl -sf "http://127.0.0.1:$any/_cluster/health?pretty"; then
        echo "node on port $any does not answer /_cluster/health"
        return 1
    fi
    echo
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    echo "usage: $0 start [N] | stop | status" >&2
    exit 2
    ;;
esac
