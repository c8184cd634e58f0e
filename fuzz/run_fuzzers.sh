#!/usr/bin/env bash
# Runs every fuzzer of a fuzz build for a fixed time, one after the other
# (never in parallel: the machine is shared), and prints a summary table.
#
#   fuzz/run_fuzzers.sh <build dir> <seconds> [target ...]
#
# Corpora in <build dir>/corpus/<target>/ (fuzz/seed_corpora.sh fills
# them; new inputs the fuzzer finds are added there), crashes, timeouts and
# out-of-memory inputs in <build dir>/crashes/<target>/, full logs in
# <build dir>/logs/<target>.log. Exit status 1 if any target crashed.
set -uo pipefail
# UBSan reports carry a stack trace, like ASan's.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

build="${1:?usage: run_fuzzers.sh <build dir> <seconds> [target ...]}"
seconds="${2:-60}"
shift 2 || true
src="$(cd "$(dirname "$0")" && pwd)"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for exe in "$build"/fuzz/*_fuzz; do
    [ -x "$exe" ] && targets+=("$(basename "$exe" _fuzz)")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "run_fuzzers: no fuzzers in $build/fuzz (build them first)" >&2
  exit 2
fi

mkdir -p "$build/logs"
rows=()
failed=0
for t in "${targets[@]}"; do
  exe="$build/fuzz/${t}_fuzz"
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$crashes"
  dict=()
  case "$t" in
    ngsi_api) dict=(-dict="$src/dict/ngsi_api.dict") ;;
    q | query_string) dict=(-dict="$src/dict/q.dict") ;;
    sumo_net | sumo_routes) dict=(-dict="$src/dict/xml.dict") ;;
    senml | payload_decoder | ngsi_ld | ngsi_entity | subscription | \
      geo_query | stream_hub) dict=(-dict="$src/dict/json.dict") ;;
  esac
  before="$(find "$crashes" -type f | wc -l)"
  echo "run_fuzzers: $t for ${seconds}s"
  # The regression inputs run first, as part of the corpus (read-only).
  regressions=()
  if [ -d "$src/regressions/$t" ]; then
    regressions=("$src/regressions/$t")
  fi
  "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
    "$corpus" "${regressions[@]}" >"$log" 2>&1
  status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ -z "$runs" ]; then
    runs="$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)"
  fi
  time_s="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  per_s="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  if [ -z "$per_s" ] && [ -n "$runs" ] && [ -n "$time_s" ] && [ "$time_s" -gt 0 ]; then
    per_s=$((runs / time_s))
  fi
  # Inputs saved by this run only (earlier runs' stay for inspection).
  num_crashes=$(( $(find "$crashes" -type f | wc -l) - before ))
  if [ "$status" -ne 0 ] || [ "$num_crashes" -gt 0 ]; then
    failed=1
    kind="$(grep -m1 -oE 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-z-]+' "$log" \
            || grep -m1 -oE 'runtime error: .*' "$log" || echo "exit $status")"
    echo "run_fuzzers: $t FAILED ($kind), see $log"
  fi
  rows+=("$t|${runs:-?}|${per_s:-?}|$num_crashes")
done

echo
printf '%-16s %12s %8s %8s\n' target executions exec/s crashes
for row in "${rows[@]}"; do
  IFS='|' read -r t runs per_s n <<<"$row"
  printf '%-16s %12s %8s %8s\n' "$t" "$runs" "$per_s" "$n"
done
exit "$failed"
