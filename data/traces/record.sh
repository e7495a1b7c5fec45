#!/usr/bin/env bash
# Compile the C programs here and record their memory traces with Valgrind's
# lackey tool, gzip-compressed. Run from anywhere: bash data/traces/record.sh
# Needs gcc, valgrind and gzip. Rewrites the *.trace.gz files beside this script.
set -euo pipefail
cd "$(dirname "$0")"
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT

record() { # name, then the command to trace
  local name=$1
  shift
  valgrind --tool=lackey --trace-mem=yes --log-file="$build/$name.log" "$@" >/dev/null
  # lackey writes the trace to its log; keep the access lines and drop the == banners.
  grep -v '^==' "$build/$name.log" | gzip -9n >"$name.trace.gz"
  printf '%-22s %9d accesses %8d bytes gzip\n' "$name.trace.gz" \
    "$(grep -vc '^==' "$build/$name.log")" "$(stat -c %s "$name.trace.gz")"
}

for prog in sum transpose list_walk; do
  gcc -O1 -static -o "$build/$prog" "$prog.c"
done
record sum "$build/sum"
record transpose_naive "$build/transpose" naive
record transpose_blocked "$build/transpose" blocked
record list_walk "$build/list_walk"
