#!/usr/bin/env bash
# The transport floor of the remote engine: a minimal C client (Benchmarks/wire_floor.c) sends
# GetItem to a release `kvtable serve --in-memory` on loopback, one request at a time over one
# keep-alive connection, three rounds. Compare its p50 with kvtable-bench's `kvtable-remote` and
# `kvtable-service` rows (Docs/Performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product kvtable > /dev/null
work=$(mktemp -d)
trap 'kill "${server:-0}" 2> /dev/null || true; rm -rf "$work"' EXIT
cc -O2 -D_GNU_SOURCE -o "$work/wire_floor" Benchmarks/wire_floor.c
port=${PORT:-18765}
.build/release/kvtable serve --in-memory --port "$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break
    sleep 0.1
done
for round in 1 2 3; do "$work/wire_floor" "$port" "${REQUESTS:-5000}"; done
