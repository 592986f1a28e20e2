#!/usr/bin/env bash
# Coverage-guided fuzzing of one of KVTable's parsers with libFuzzer (Fuzz/, a package of its own).
#
#     scripts/fuzz.sh FUZZER [MINUTES]      FUZZER: expression-parser | request-json | item-codec | all
#     FUZZ_SECONDS=20 scripts/fuzz.sh all   (seconds instead of minutes: CI's short run)
#
# Builds Fuzz/ with `-sanitize=fuzzer,address` (debug, so that the harnesses reach KVTable's
# internal codec), then runs the fuzzer for MINUTES (default 1) from the seed corpus in
# Fuzz/Corpus/FUZZER. Inputs that reach new code are kept in .build/fuzz/corpus/FUZZER (not in
# git: merge the useful ones into Fuzz/Corpus with `-merge=1` by hand). A crash, a failed check
# or an AddressSanitizer report stops the run with exit 1 and leaves the input in
# .build/fuzz/findings/; turn it into a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzzer=${1:?"usage: scripts/fuzz.sh expression-parser|request-json|item-codec|all [MINUTES]"}
minutes=${2:-1}
# FUZZ_SECONDS, when set, replaces MINUTES (CI's short run).
seconds=${FUZZ_SECONDS:-$((minutes * 60))}
case $fuzzer in
  all) fuzzers=(expression-parser request-json item-codec) ;;
  expression-parser|request-json|item-codec) fuzzers=("$fuzzer") ;;
  *) echo "unknown fuzzer '$fuzzer': expression-parser, request-json, item-codec or all" >&2; exit 2 ;;
esac

root=$PWD
scratch=$root/.build/fuzz
mkdir -p "$scratch/findings"
# swiftc honours only the last `-sanitize=` it is given, and SwiftPM passes its
# `--sanitize=fuzzer --sanitize=address` as two, in no fixed order: half such builds had no
# coverage instrumentation (libFuzzer then tests blindly) or no AddressSanitizer. So SwiftPM's
# `--sanitize=fuzzer` links libFuzzer, and one `-sanitize=fuzzer,address`, passed last, decides
# every compile. The run below also refuses a harness that reports no coverage.
(cd Fuzz && swift build --scratch-path "$scratch/build" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address >&2)

failed=0
for name in "${fuzzers[@]}"; do
  case $name in
    expression-parser) product=FuzzExpressionParser ;;
    request-json) product=FuzzRequestJSON ;;
    item-codec) product=FuzzItemCodec ;;
  esac
  binary=$scratch/build/debug/$product
  mkdir -p "$scratch/corpus/$name"
  echo "fuzzing $name for $seconds s from Fuzz/Corpus/$name" >&2
  log=$scratch/$name.log
  status=0
  SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$scratch/findings/$name-" "$scratch/corpus/$name" "Fuzz/Corpus/$name" > "$log" 2>&1 || status=$?
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  if [[ $status -ne 0 ]]; then
    grep -E "ERROR|Fatal error|SUMMARY|artifact" "$log" | head -20 >&2
    echo "$name: FAILED after $executions executions (coverage $coverage edges); the input is in $scratch/findings/, the log in $log" >&2
    failed=1
  elif [[ ${coverage:-0} -eq 0 ]]; then
    echo "$name: the harness reports no coverage (not instrumented?); see $log" >&2
    failed=1
  else
    echo "$name: $executions executions in $seconds s, coverage $coverage edges, no finding (log: $log)"
  fi
done
exit $failed
