#!/usr/bin/env bash
# ops/mutate.sh — `make mutate`: do the tests notice when a promise breaks?
#
# Each test/mutants/NN-name.mutant is one small change to the source that breaks one promise
# the README makes (format: test/mutants/README.md).  One at a time, in a scratch copy of
# this tree under var/mutants/ (the repository is never touched), the mutant is applied,
# the copy is built, and only the mutant's suites run (ops/test.sh, on a stack instance of
# their own).  A mutant is
#   caught     its suites fail (the test names that failed are shown);
#   SURVIVED   its suites pass: a broken promise that no test notices;
#   STALE      its original text is not in the file exactly once (the code moved on:
#              re-anchor the mutant to the new code);
#   BROKEN     the mutated copy does not build (a bad mutant);
#   ERROR      its suites could not run (the stack did not start, twice): no verdict.
# The run fails unless every mutant is caught.  A mutant with a "pending:" line may survive
# (shown as "survived (pending)", with its reason) until the tests it waits for are merged;
# then delete the line.
#
#   ops/mutate.sh [NN ...]      only the mutants with these numbers (MUTANTS="NN …" in make)
#
# Before the mutants, the same suites run on the unmutated copy (the baseline): a suite that
# fails already would make every mutant look caught.  MUTATE_BASELINE=0 skips that.
# Stack: instance YICHUANG_INSTANCE (mutate), ports YICHUANG_PORT (18050),
# YICHUANG_REDIS_PORT (16350), YICHUANG_MYSQL_PORT (13350); each run wipes it first.
# The result table is also written to var/mutants/result.txt; logs in var/mutants/NN.log.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=$ROOT/var/mutants
BASE=$SCRATCH/base RUN=$SCRATCH/run
export YICHUANG_INSTANCE=${YICHUANG_INSTANCE:-mutate}
export YICHUANG_PORT=${YICHUANG_PORT:-18050} YICHUANG_REDIS_PORT=${YICHUANG_REDIS_PORT:-16350}
export YICHUANG_MYSQL_PORT=${YICHUANG_MYSQL_PORT:-13350}
INST=$YICHUANG_INSTANCE
[ "$INST" != test ] && [ "$INST" != run ] || { echo "mutate: use an instance of its own, not '$INST'" >&2; exit 2; }
command -v python3 >/dev/null || { echo "mutate: python3 is needed (ops/deps.sh test)" >&2; exit 2; }

say() { printf 'mutate: %s\n' "$*"; }

# field FILE KEY: the value of "KEY: value" in a mutant's header.
field() {
  sed -n '/^--- original$/q; s/^'"$2"':[[:space:]]*//p' "$1" | head -n 1
}

# apply MUTANT DIR [check]: replace the mutant's original text (exactly one occurrence) in
# DIR/<file> with its replacement; "check" only counts.  Exit 0 applied, 3 stale, 2 bad file.
apply() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import sys
path, root, check = sys.argv[1], sys.argv[2], sys.argv[3] == "check"
head, orig, repl, part = {}, [], [], "head"
for line in open(path, encoding="utf-8").read().split("\n"):
    if line == "--- original": part = "orig"; continue
    if line == "--- replacement": part = "repl"; continue
    if line == "--- end": part = "done"; continue
    if part == "head":
        if line.strip() and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1); head[k.strip()] = v.strip()
    elif part == "orig": orig.append(line)
    elif part == "repl": repl.append(line)
if part != "done" or not orig or "file" not in head or "suites" not in head or "promise" not in head:
    print(f"{path}: needs file:, suites:, promise:, then --- original / --- replacement / --- end")
    sys.exit(2)
old, new = "\n".join(orig), "\n".join(repl)
target = f"{root}/{head['file']}"
try:
    text = open(target, encoding="utf-8").read()
except OSError as e:
    print(f"{head['file']}: {e.strerror}"); sys.exit(3)
n = text.count(old)
if n != 1:
    print(f"{head['file']}: the original text is there {n} times (want exactly once)")
    sys.exit(3)
if not check:
    # A new file (new inode, new mtime): make rebuilds it, and nothing shares it.
    tmp = target + ".mutant"
    open(tmp, "w", encoding="utf-8").write(text.replace(old, new))
    import os; os.replace(tmp, target)
PY
}

# copy_tree SRC DST [with-var]: the tree without var/ (its stacks) and, from the repository,
# without what git ignores; modification times kept, so make rebuilds only what changed.
copy_tree() {
  mkdir -p "$2"
  (cd "$1" && tar --exclude=./var -cf - .) | (cd "$2" && tar -xf -)
}

mutants=() sel=("$@")
[ ${#sel[@]} -gt 0 ] || read -r -a sel <<<"${MUTANTS:-}"
if [ ${#sel[@]} -gt 0 ]; then
  for n in "${sel[@]}"; do
    m=$(ls test/mutants/"$n"-*.mutant 2>/dev/null | head -n 1)
    [ -n "$m" ] || { echo "mutate: no test/mutants/$n-*.mutant" >&2; exit 2; }
    mutants+=("$m")
  done
else
  mutants=(test/mutants/*.mutant)
fi
[ ${#mutants[@]} -gt 0 ] && [ -f "${mutants[0]}" ] || { echo "mutate: no mutants in test/mutants/" >&2; exit 2; }

# ---------------------------------------------------------------- the scratch copy
[ -d "$RUN/ops" ] && (cd "$RUN" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1)
[ -d "$BASE/ops" ] && (cd "$BASE" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1)
rm -rf "$SCRATCH"
mkdir -p "$BASE"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | (cd "$BASE" && tar -xf -)
[ -d test/browser/node_modules ] && ln -s "$ROOT/test/browser/node_modules" "$BASE/test/browser/node_modules"
say "scratch copy in ${BASE#$ROOT/}; building it"
if ! make -C "$BASE" --no-print-directory all tests >"$SCRATCH/base-build.log" 2>&1; then
  tail -20 "$SCRATCH/base-build.log"; echo "mutate: the unmutated copy does not build" >&2; exit 1
fi

# Every anchor first: a stale mutant is reported before an hour of runs, not after.
stale=0
for m in "${mutants[@]}"; do
  if ! out=$(apply "$m" "$BASE" check); then
    echo "  $(basename "$m" .mutant): STALE — $out"; stale=$((stale + 1))
  fi
done

suites_of() { field "$1" suites; }

# run_suites DIR SUITES LOG: ops/test.sh in DIR on SUITES, output appended to LOG.
# 0 passed, 1 a test failed (its "failed:" line names what), 2 no verdict: the run ended
# without naming a failure (the stack did not start: on a busy machine mariadb-install-db
# can fail for want of resources) — tried twice.
run_suites() {
  local try part=$3.part
  for try in 1 2; do
    if (cd "$1" && YICHUANG_TESTS="$2" bash ops/test.sh) >"$part" 2>&1; then
      cat "$part" >>"$3"; rm -f "$part"; return 0
    fi
    cat "$part" >>"$3"
    if grep -q '^failed: ' "$part"; then rm -f "$part"; return 1; fi
    rm -f "$part"
    echo "mutate: (try $try) the suites ended without a verdict: $(tail -n 2 "$3" | head -n 1)" >>"$3"
  done
  return 2
}
if [ "${MUTATE_BASELINE:-1}" != 0 ]; then
  all=$(for m in "${mutants[@]}"; do suites_of "$m"; done | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
  say "baseline: $all on the unmutated copy"
  if ! run_suites "$BASE" "$all" "$SCRATCH/baseline.log"; then
    grep -E '^failed:|passed, |without a verdict' "$SCRATCH/baseline.log"
    echo "mutate: the suites fail without any mutant (var/mutants/baseline.log): fix that first" >&2
    exit 1
  fi
  say "baseline: $(tail -n 1 "$SCRATCH/baseline.log")"
fi

# ---------------------------------------------------------------- one mutant at a time
caught=0 survived=0 pending=0 broken=0 errors=0 rows=()
for m in "${mutants[@]}"; do
  id=$(basename "$m" .mutant) suites=$(suites_of "$m") why=$(field "$m" pending)
  if ! apply "$m" "$BASE" check >/dev/null; then
    rows+=("$(printf '%-36s %-9s %s' "$id" STALE "$(field "$m" file): re-anchor it")"); continue
  fi
  [ -d "$RUN/ops" ] && (cd "$RUN" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1)
  rm -rf "$RUN"
  copy_tree "$BASE" "$RUN"
  apply "$m" "$RUN" >/dev/null
  log=$SCRATCH/$id.log
  printf 'mutate: %-36s (%s) … ' "$id" "$suites"
  if ! make -C "$RUN" --no-print-directory all tests >"$log" 2>&1; then
    echo BROKEN; broken=$((broken + 1))
    rows+=("$(printf '%-36s %-9s %s' "$id" BROKEN "does not build: $log")"); continue
  fi
  t0=$SECONDS
  run_suites "$RUN" "$suites" "$log"; rc=$?
  if [ $rc -eq 2 ]; then
    echo "ERROR (no verdict) $((SECONDS - t0))s"; errors=$((errors + 1))
    rows+=("$(printf '%-36s %-9s %s' "$id" ERROR "its suites could not run: $log")")
  elif [ $rc -eq 0 ]; then
    if [ -n "$why" ]; then
      echo "survived (pending) $((SECONDS - t0))s"; pending=$((pending + 1))
      rows+=("$(printf '%-36s %-9s %s' "$id" pending "survived; allowed while pending: $why")")
    else
      echo "SURVIVED $((SECONDS - t0))s"; survived=$((survived + 1))
      rows+=("$(printf '%-36s %-9s %s' "$id" SURVIVED "$suites pass with it: $(field "$m" promise)")")
    fi
  else
    # What the failing tests said, for whoever reads the log later (the copy goes).
    for f in "$RUN/var/$INST-results"/*.log; do
      [ -f "$f" ] && { echo "--- $(basename "$f")"; grep -v '^\[ RUN \|^\[       OK \]' "$f" | head -200; }
    done >>"$log"
    by=$(sed -n 's/^failed: \(.*\) (logs in .*/\1/p' "$log" | tail -n 1)
    tests=$(sed -n 's/^\[  FAILED  \] \([A-Za-z0-9_]*\)$/\1/p' "$log" | sort -u | tr '\n' ' ')
    echo "caught $((SECONDS - t0))s by $by${tests:+ ($tests)}"; caught=$((caught + 1))
    note=; [ -n "$why" ] && note=" — caught although pending: delete its pending line"
    rows+=("$(printf '%-36s %-9s %s' "$id" caught "by $by${tests:+: ${tests% }}$note")")
  fi
done
[ -d "$RUN/ops" ] && (cd "$RUN" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1)
[ -d "$BASE/ops" ] && (cd "$BASE" && bash ops/stack.sh wipe "$INST" >/dev/null 2>&1)

{
  echo "make mutate, $(date -u +%Y-%m-%dT%H:%MZ): ${#mutants[@]} mutants"
  for r in "${rows[@]}"; do echo "  $r"; done
  echo "$caught caught, $survived survived, $pending pending, $stale stale, $broken broken, $errors without a verdict"
} | tee "$SCRATCH/result.txt"
[ "$survived" -eq 0 ] && [ "$stale" -eq 0 ] && [ "$broken" -eq 0 ] && [ "$errors" -eq 0 ]
