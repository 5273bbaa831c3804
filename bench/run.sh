#!/usr/bin/env bash
# run.sh builds every benchmark server and the load generator, runs each
# case for every server in interleaved rounds (A B C, A B C, ...), and
# writes the medians with each server's ratio to gotio into
# docs/benchmarks.md.
#
#   bench/run.sh              full run: 3 rounds, about 14 minutes on 2 cores
#   QUICK=1 bench/run.sh      one short round, about 3 minutes
#
#   bench/run.sh cluster      the cluster case alone (cluster-bcast: three
#                             gotio nodes on NATS, embedded and external,
#                             beside one node), about 2 minutes; writes
#                             bench/results/<stamp>-cluster.md unless OUT
#
# Optional environment: ROUNDS (rounds per case), CASES (space-separated
# subset of the case names below), PROFILE=0 (skip the gotio CPU profile),
# OUT (markdown file to write, default docs/benchmarks.md), PORT (first
# port; default a random one from 11000), UNPINNED=1
# (also run every chosen case, except cluster-bcast, with the server at
# GOMAXPROCS=2 and neither process pinned: what a user runs; the server and
# the load generator then share both cores; results as <case>-unpinned).
#
# The server runs on CPU 0 and the load generator on CPU 1 (taskset), each
# with GOMAXPROCS=1. Every run gets a fresh server process on a fresh port.
# cluster-bcast (bench/cmd/cluster) runs its processes unpinned, each at
# GOMAXPROCS=1.
set -euo pipefail

cluster_only=""
if [ "${1:-}" = cluster ]; then
	cluster_only=1
	CASES=cluster-bcast
elif [ -n "${1:-}" ]; then
	echo "run.sh: unknown argument $1 (the only one is: cluster)" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$here"

cmdline="bench/run.sh"
[ -n "$cluster_only" ] && cmdline="bench/run.sh cluster"
[ -n "${QUICK:-}" ] && cmdline="QUICK=$QUICK $cmdline"
[ -n "${ROUNDS:-}" ] && cmdline="ROUNDS=$ROUNDS $cmdline"
[ -n "${CASES:-}" ] && [ -z "$cluster_only" ] && cmdline="CASES='$CASES' $cmdline"
[ -n "${PROFILE:-}" ] && cmdline="PROFILE=$PROFILE $cmdline"
[ -n "${UNPINNED:-}" ] && cmdline="UNPINNED=$UNPINNED $cmdline"
unpinned=""
[ -n "${UNPINNED:-}" ] && [ "$UNPINNED" != 0 ] && unpinned=1

die() { echo "run.sh: $*" >&2; exit 1; }
command -v taskset >/dev/null || die "taskset (util-linux) is required"
command -v go >/dev/null || die "go is required"
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU 0, load on CPU 1)"
ulimit -n 20000 2>/dev/null || true
[ "$(ulimit -n)" -ge 15500 ] || die "ulimit -n is $(ulimit -n); the idle cases need 10,500 descriptors per process, cluster-bcast's single node 15,500"

if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then
	rounds=${ROUNDS:-1}
	warmup=0.5s duration=2s settle=1s pushes=20 pomelo_pushes=20
else
	rounds=${ROUNDS:-3}
	warmup=1s duration=4s settle=2s pushes=100 pomelo_pushes=100
fi

# case | protocol | load generator arguments | servers (interleaved in this order)
all_cases=(
	"tcp-echo|tcp|-workload echo -conns 100 -depth 1 -warmup $warmup -duration $duration|gotio gotio-gnet std netpoll gnet nbio zinx"
	"tcp-echo-pipelined|tcp|-workload echo -conns 100 -depth 8 -warmup $warmup -duration $duration|gotio gotio-gnet std netpoll gnet nbio zinx"
	"ws-echo|ws|-workload echo -conns 100 -depth 1 -warmup $warmup -duration $duration|gotio gotio-gnet nbio gorilla"
	"tcp-idle|tcp|-workload idle -conns 10000 -settle $settle|gotio gotio-gnet std netpoll netpoll-tuned gnet nbio zinx"
	"ws-idle|ws|-workload idle -conns 10000 -settle $settle|gotio gotio-gnet nbio gorilla"
	"tcp-bcast|tcp|-workload bcast -conns 5000 -pushes $pushes|gotio gotio-gnet std netpoll gnet nbio zinx"
	"pomelo-bcast|pomelo|-workload bcast -conns 5000 -pushes $pomelo_pushes|gotio gotio-gnet pitaya"
	"pomelo-idle|pomelo|-workload idle -conns 10000 -settle $settle|gotio gotio-gnet pitaya"
	"sio-idle|socketio|-workload idle -conns 10000 -settle $settle|gotio gotio-gnet"
	"ws-bcast|ws|-workload bcast -conns 5000 -pushes $pushes|gotio gotio-gnet"
	"sio-bcast|socketio|-workload bcast -conns 5000 -pushes $pushes|gotio gotio-gnet"
	# bench/cmd/cluster: pomelo clients in one group, a push to it from node 0;
	# single-N is one node with N clients, the others three nodes x 5,000.
	# 100 pushes even when QUICK: with 20 the window (~0.2 s on one node) is
	# too short beside the cluster's start of delivery and /proc's 10 ms ticks.
	"cluster-bcast|pomelo|-conns 5000 -pushes 100|single-5000 single-15000 embedded external"
)

# server name -> binary and extra flags
server_cmd() {
	case "$1" in
	netpoll-tuned) echo "netpoll -tuned" ;;
	gotio-gnet) echo "gotio-gnet -transport gnet" ;;
	*) echo "$1" ;;
	esac
}

start=$(date +%s)
echo "run.sh: building into bench/bin/"
mkdir -p bin results
# The external NATS of cluster-bcast, from the nats-server module gotio requires.
go build -o bin/nats-server github.com/nats-io/nats-server/v2
if [ -n "$cluster_only" ]; then
	go build -o bin/ ./servers/gotio ./cmd/load ./cmd/cluster ./cmd/report
else
	go build -o bin/ ./servers/... ./cmd/...
	go build -tags gotio_gnet -o bin/gotio-gnet ./servers/gotio
	(cd pitaya && go build -o ../bin/pitaya .) || echo "run.sh: pitaya did not build; the pomelo cases run gotio alone" >&2
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="results/$stamp.jsonl"
logs="results/$stamp-logs"
mkdir -p "$logs"
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Ports: from PORT, or a random base below the ephemeral range (another
# run.sh, in another checkout, may share the machine's loopback), skipping
# any port something listens on.
port=${PORT:-$((11000 + RANDOM % 18000))}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_ports() { # n: advance port to the first of n consecutive ports nobody listens on
	local n=$1 i
	while :; do
		port=$((port + 1))
		[ "$port" -gt 32000 ] && port=11001
		for ((i = 0; i < n; i++)); do
			if listening $((port + i)); then
				port=$((port + i))
				continue 2
			fi
		done
		return 0
	done
}
run_one() { # case proto server round load-args [server-extra]
	local c=$1 proto=$2 srv=$3 round=$4 args=$5 extra=${6:-}
	next_ports 1
	local log="$logs/$c-$srv-$round.log" pid
	# Pinned: server on CPU 0, load on CPU 1, GOMAXPROCS=1 each. Unpinned
	# (case <name>-unpinned): the server at GOMAXPROCS=2, no taskset.
	local srv_run=(env GOMAXPROCS=1 taskset -c 0) load_run=(env GOMAXPROCS=1 taskset -c 1)
	if [[ $c == *-unpinned ]]; then
		srv_run=(env GOMAXPROCS=2) load_run=(env GOMAXPROCS=1)
	fi
	# shellcheck disable=SC2046
	"${srv_run[@]}" bin/$(server_cmd "$srv") -addr "127.0.0.1:$port" -proto "$proto" $extra >"$log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2086
	if ! "${load_run[@]}" bin/load -addr "127.0.0.1:$port" -pid "$pid" -proto "$proto" \
		-case "$c" -server "$srv" -round "$round" $args >>"$results" 2>>"$log"; then
		echo "  $c $srv round $round FAILED: $(tail -n 1 "$log")" >&2
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# run_cluster runs one cluster-bcast setup (bench/cmd/cluster) in one round:
# single-N (one node, N clients, no bus), embedded or external (three nodes,
# 5,000 clients each, the NATS server in node 0 or a nats-server process).
run_cluster() { # case setup round args
	local c=$1 setup=$2 round=$3 args=$4
	local log="$logs/$c-$setup-$round.log" mode conns=""
	next_ports 22 # bench/cmd/cluster uses port .. port+21
	case "$setup" in
	single-*) mode=single conns="-conns ${setup#single-}" ;;
	*) mode=$setup ;;
	esac
	mkdir -p "$logs/$c-$setup-$round"
	# shellcheck disable=SC2086
	if ! bin/cluster -bin bin -mode "$mode" -port "$port" -logs "$logs/$c-$setup-$round" \
		-case "$c" -server "$setup" -round "$round" $args $conns >>"$results" 2>"$log"; then
		echo "  $c $setup round $round FAILED: $(tail -n 1 "$log")" >&2
	fi
	port=$((port + 21))
}

for entry in "${all_cases[@]}"; do
	IFS='|' read -r c proto args servers <<<"$entry"
	if [ -n "${CASES:-}" ] && [[ " $CASES " != *" $c "* ]]; then
		continue
	fi
	echo "run.sh: $c ($rounds rounds: $servers${unpinned:+; and unpinned})"
	for ((r = 1; r <= rounds; r++)); do
		if [ "$c" = cluster-bcast ]; then
			for s in $servers; do
				run_cluster "$c" "$s" "$r" "$args"
			done
			continue
		fi
		for s in $servers; do
			[ "$s" = pitaya ] && [ ! -x bin/pitaya ] && continue
			run_one "$c" "$proto" "$s" "$r" "$args"
		done
		[ -n "$unpinned" ] || continue
		for s in $servers; do
			[ "$s" = pitaya ] && [ ! -x bin/pitaya ] && continue
			run_one "$c-unpinned" "$proto" "$s" "$r" "$args"
		done
	done
done

# Profiles of the gotio server: CPU under both echo loads, heap with the
# idle connections open. Their pprof -top goes into the report.
prof_md=""
if [ "${PROFILE:-1}" != 0 ] && [ -z "$cluster_only" ]; then
	prof_md="results/$stamp-profiles.md"
	: >"$prof_md"
	profile_one() { # title case proto load-args kind
		local title=$1 c=$2 proto=$3 args=$4 kind=$5
		local prof="$here/results/$stamp-gotio-$c.$kind"
		echo "run.sh: profiling gotio ($title)"
		local flag="-cpuprofile" idx=""
		if [ "$kind" = heap ]; then flag="-memprofile" idx="-sample_index=inuse_space"; fi
		run_one "$c-profile" "$proto" gotio 1 "$args" "$flag $prof"
		[ -s "$prof" ] || return 0
		{
			printf '#### %s\n\n```\n' "$title"
			# shellcheck disable=SC2086
			go tool pprof -top $idx -nodecount=25 bin/gotio "$prof" 2>/dev/null | sed -n '/^Showing nodes/,$p'
			printf '```\n\n'
		} >>"$prof_md"
	}
	profile_one "CPU, tcp-echo (ping-pong)" tcp-echo tcp "-workload echo -conns 100 -depth 1 -warmup $warmup -duration $duration" cpu
	profile_one "CPU, tcp-echo-pipelined (8 frames per write)" tcp-echo-pipelined tcp "-workload echo -conns 100 -depth 8 -warmup $warmup -duration $duration" cpu
	profile_one "heap in use, tcp-idle (10,000 connections)" tcp-idle tcp "-workload idle -conns 10000 -settle $settle -heapsignal" heap
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - start))
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
peers=$(go list -m github.com/cloudwego/netpoll github.com/panjf2000/gnet/v2 github.com/lesismal/nbio \
	github.com/gorilla/websocket github.com/aceld/zinx 2>/dev/null | sed 's/^github.com\///' | paste -sd, - | sed 's/,/, /g')
pitaya_v=$(cd pitaya && go list -m github.com/topfreegames/pitaya/v3 2>/dev/null | sed 's/^github.com\///')
# gotio is built from the working tree (replace => ../): say which.
gotio_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain -- aio codec group stat handler cluster 2>/dev/null | awk '{print $2}' | paste -sd' ' -)
gotio_src="commit $gotio_rev${dirty:+ with uncommitted changes in $dirty}"
machine="- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory
- $(go version); gotio: $gotio_src; peers: $peers, $pitaya_v
- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $rounds round(s); the run took ${elapsed} s
- Load average before / after: $load_before / $load_after (the machine is shared; CPU µs per message is the steadiest figure)"
if [ -z "$cluster_only" ]; then
	machine="$machine
- Server pinned to CPU 0, load generator to CPU 1, both GOMAXPROCS=1${unpinned:+; the *unpinned* sections: server GOMAXPROCS=2, load generator GOMAXPROCS=1, neither pinned (they share both cores)}"
fi
if [ -z "${CASES:-}" ] || [[ " $CASES " == *" cluster-bcast "* ]]; then
	machine="$machine
- cluster-bcast: every process unpinned at GOMAXPROCS=1 (up to three servers, three load generators and nats-server on $(nproc) CPUs)"
fi

# The profiling runs stay out of the tables.
grep -v -- '-profile"' "$results" >"$results.tables" || true
default_out=$root/docs/benchmarks.md
[ -n "$cluster_only" ] && default_out=$here/results/$stamp-cluster.md
out=${OUT:-$default_out}
mkdir -p "$(dirname "$out")"
bin/report -results "$results.tables" -out "$out" -cmd "$cmdline" -machine "$machine" ${prof_md:+-profile "$prof_md"}
echo "run.sh: wrote $out (raw results: bench/$results) in ${elapsed} s"
