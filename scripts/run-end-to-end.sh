#!/usr/bin/env bash
# The end-to-end suites: `kvtable serve` driven by boto3 (Tests/EndToEnd/dynamodb_api_test.py) and
# by raw hostile HTTP requests (Tests/EndToEnd/bad_input_test.py).
# Needs python3 with boto3 (`python3 -m pip install boto3`); .ci/run installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import boto3" 2>/dev/null; then
  echo "The end-to-end suite needs boto3: python3 -m pip install boto3" >&2
  exit 1
fi
# The same build as `swift test` (tests included), so that after the Swift tests nothing is rebuilt.
swift build --build-tests
python3 Tests/EndToEnd/dynamodb_api_test.py "$(swift build --show-bin-path)/kvtable"
# Over 200 hostile requests: each a 4xx with a DynamoDB-shaped body, the store unchanged.
python3 Tests/EndToEnd/bad_input_test.py "$(swift build --show-bin-path)/kvtable"
