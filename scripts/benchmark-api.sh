#!/usr/bin/env bash
# Put/get/query operations per second through boto3: `kvtable serve` (release build) against
# moto's server, both on loopback. Installs moto's server with pip when it is missing (CI does
# not run this). Arguments go to Benchmarks/api_benchmark.py (--items, --rounds, --threads, --json).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c "import boto3" 2>/dev/null || python3 -m pip install --quiet boto3
python3 -c "import moto.server, flask, flask_cors" 2>/dev/null || python3 -m pip install --quiet "moto[server]"
swift build -c release --product kvtable
python3 Benchmarks/api_benchmark.py --kvtable "$(swift build -c release --show-bin-path)/kvtable" "$@"
