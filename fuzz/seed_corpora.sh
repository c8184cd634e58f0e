#!/usr/bin/env bash
# Fills <build dir>/corpus/<target>/ with starting inputs: the small seeds
# checked in under fuzz/seeds/<target>/ (samples taken from the tests), the
# project's own data files, and, when present, reference files read in
# place (../shared/data, Debian's SUMO examples), never copied into the
# repository. Idempotent: existing corpus files are kept, so inputs the
# fuzzer found in earlier runs stay.
#
#   fuzz/seed_corpora.sh <build dir>
set -euo pipefail

build="${1:?usage: seed_corpora.sh <build dir>}"
src="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$src")"
shared="${CITYTWIN_SHARED_DATA:-$root/../shared/data}"
sumo="${SUMO_HOME:-/usr/share/sumo}"
separator=$'\n%%\n' # fuzz_input.hpp's part_separator

# seed <target> <files...>: copies each existing file, named after its
# origin so that a corpus shows where its inputs came from.
seed() {
  local target="$1"
  shift
  mkdir -p "$build/corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local name
    name="$(echo "${f#"$root"/}" | tr '/' '_')"
    cp -n "$f" "$build/corpus/$target/$name"
  done
}

# seed_parts <target> <name> <files...>: one multi-part input of several
# files, joined by the separator (e.g. a TNTP network's four files).
seed_parts() {
  local target="$1" name="$2"
  shift 2
  for f in "$@"; do
    [ -f "$f" ] || return 0
  done
  mkdir -p "$build/corpus/$target"
  local out="$build/corpus/$target/$name"
  [ -e "$out" ] && return 0
  local first=1
  for f in "$@"; do
    [ "$first" -eq 1 ] || printf '%s' "$separator" >>"$out"
    cat "$f" >>"$out"
    first=0
  done
}

for dir in "$src"/seeds/*/; do
  seed "$(basename "$dir")" "$dir"*
done

# demo.city (600 KB) would slow every run down; aarhus.city has every
# section.
seed city_file "$root"/data/aarhus.city
seed access_config "$root"/data/access/*.yaml
seed scenario_file "$root"/data/scenarios/*.yaml
seed cluster_file "$root"/data/cluster/*.yaml
seed dataset "$root"/data/datasets/*.conf
seed bindings "$root"/data/bindings/*.bindings
# The zones of the dataset descriptions.
mkdir -p "$build/corpus/time_zone"
for conf in "$root"/data/datasets/*.conf; do
  zone="$(sed -n 's/^zone *= *//p' "$conf")"
  [ -n "$zone" ] && printf '%s' "$zone" >"$build/corpus/time_zone/$(basename "$conf" .conf)"
done

# Reference data, read in place.
for net in SiouxFalls; do
  d="$shared/tntp/$net"
  seed_parts tntp "shared_$net" "$d/${net}_net.tntp" "$d/${net}_node.tntp" \
    "$d/${net}_trips.tntp" "$d/${net}_flow.tntp"
done
if [ -d "$sumo" ]; then
  # Small nets and demand only: large seeds slow every run down.
  seed sumo_net $(find "$sumo" -name '*.net.xml' -size -40k 2>/dev/null | sort)
  seed sumo_routes $(find "$sumo" -name '*.rou.xml' -size -20k 2>/dev/null | sort)
fi

for dir in "$build"/corpus/*/; do
  printf 'seed_corpora: %-16s %4d inputs\n' "$(basename "$dir")" \
    "$(find "$dir" -type f | wc -l)"
done
