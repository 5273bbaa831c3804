#!/usr/bin/env bash
# idle-multi.sh holds many idle connections at once across several server
# processes (one process is limited to ~19,000 sockets by ulimit -n here)
# and reports each server's RSS per connection, the total, and the
# kernel's share (Slab and socket memory from /proc/meminfo and
# /proc/net/sockstat, which also count the load generators' sockets on the
# same machine).
#
#   bench/idle-multi.sh                          3 gotio servers x 17,000 TCP connections
#   SERVER=gotio-gnet PROCS=3 CONNS=17000 bench/idle-multi.sh
#   PROTO=ws SERVER=gotio bench/idle-multi.sh
#
# Each server runs with GOMAXPROCS=1; the load generators run beside them
# (one per server). Bounded: about 30 s per run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

server=${SERVER:-gotio}
procs=${PROCS:-3}
conns=${CONNS:-17000}
proto=${PROTO:-tcp}
settle=${SETTLE:-5s}

die() { echo "idle-multi.sh: $*" >&2; exit 1; }
ulimit -n 20000 2>/dev/null || true
[ "$(ulimit -n)" -gt "$((conns + 200))" ] || die "ulimit -n is $(ulimit -n); need more than $conns per process"
mkdir -p bin results
go build -o bin/ ./servers/gotio ./servers/gnet ./servers/nbio ./servers/netpoll ./cmd/load
go build -tags gotio_gnet -o bin/gotio-gnet ./servers/gotio

cmd_of() {
	case "$1" in
	gotio-gnet) echo "gotio-gnet -transport gnet" ;;
	netpoll-tuned) echo "netpoll -tuned" ;;
	*) echo "$1" ;;
	esac
}

meminfo() { awk -v k="$1" '$1 == k":" {print $2}' /proc/meminfo; }
sockmem() { awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) * 4}' /proc/net/sockstat; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="results/multi-$stamp.jsonl"
: >"$out"
pids=()
loads=()
cleanup() {
	for p in "${loads[@]}" "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

slab0=$(meminfo Slab)
sock0=$(sockmem)
port=$((21000 + RANDOM % 1000 * 10))
for ((i = 0; i < procs; i++)); do
	# shellcheck disable=SC2046
	GOMAXPROCS=1 bin/$(cmd_of "$server") -addr "127.0.0.1:$((port + i))" -proto "$proto" >"results/multi-$stamp-srv$i.log" 2>&1 &
	pids+=($!)
done
sleep 0.5
# The loads open their connections together and hold them for settle; each
# reads its server's RSS at the end of the settle, when every load holds
# its connections (they start together and open at the same rate).
for ((i = 0; i < procs; i++)); do
	GOMAXPROCS=1 bin/load -addr "127.0.0.1:$((port + i))" -pid "${pids[$i]}" -proto "$proto" \
		-case "multi-$proto-idle" -server "$server" -round "$i" -workload idle -conns "$conns" -settle "$settle" \
		>>"$out" 2>"results/multi-$stamp-load$i.log" &
	loads+=($!)
done
# Kernel memory while every connection is open: halfway through the settle.
sleep 0.2
while [ "$(awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)" -lt "$((procs * conns * 2))" ]; do
	sleep 0.2
	kill -0 "${loads[0]}" 2>/dev/null || break
done
sleep 1
slab1=$(meminfo Slab)
sock1=$(sockmem)
inuse=$(awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)
for p in "${loads[@]}"; do wait "$p" || die "a load generator failed: see bench/results/multi-$stamp-load*.log"; done
loads=()

python3 - "$out" "$server" "$proto" "$procs" "$conns" "$slab0" "$slab1" "$sock0" "$sock1" "$inuse" <<'EOF'
import json, sys
path, server, proto, procs, conns, slab0, slab1, sock0, sock1, inuse = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.strip()]
total = sum(r["conns"] for r in rows)
rss = sum(r["rss_kib"] - r["rss_base_kib"] for r in rows)
print(f"server {server}, proto {proto}: {len(rows)} processes, {total} idle connections open at once")
for r in rows:
    print(f"  process {r['round']}: {r['conns']} connections, {r['kib_per_conn']:.2f} KiB per connection (RSS {r['rss_base_kib']/1024:.1f} -> {r['rss_kib']/1024:.1f} MiB)")
print(f"  user space: {rss/total:.2f} KiB per connection over all processes")
socks = int(inuse)
slab = (int(slab1) - int(slab0)) / max(socks, 1)
sk = (int(sock1) - int(sock0)) / max(socks, 1)
print(f"  kernel (whole machine, {socks} TCP sockets in use, both ends): Slab +{slab:.2f} KiB per socket, TCP buffers +{sk:.2f} KiB per socket")
print(f"  1,000,000 connections: {rss/total*1e6/1048576:.2f} GiB of server RSS + about {(slab+sk)*1e6/1048576:.2f} GiB of kernel memory for the server's sockets")
EOF
