#!/usr/bin/env bash
# Fuzzing campaign, bounded in time; not part of the default test command.
#
#   scripts/fuzz.sh [--budget MINUTES] [--tree-examples N] [--only REGEX] [--out DIR] [PATH ...]
#   scripts/fuzz.sh --atheris SECONDS [--out DIR]
#   scripts/fuzz.sh --list [PATH ...]
#
# Default mode: every property-based parser test (pytest -m fuzz) under the hypothesis
# "long" profile (tests/fuzzing.py: RISKAGENT_FUZZ=long, 100,000 examples per test, fresh
# randomness), one test per pytest process, one process at a time, under nice -n 10. PATH
# defaults to tests/collectors/host (every host-file parser) and
# tests/collectors/net/test_fuzz_replies.py (every network reply parser).
#   --budget MINUTES    total wall time (default 180); each test may use what is left of it
#                       and is stopped (reported "timeout") when it runs out; tests not
#                       reached are reported "not run". Parser tests run first, the
#                       collector-level ones (*_collector(s), *_on_a_fuzzed_tree) last.
#   --tree-examples N   examples for the collector-level tests (a whole collector over a
#                       fixture tree or an in-memory host: fuzz_tree in
#                       tests/collectors/host/test_fuzz_common.py), which cost several
#                       milliseconds each (default 2000; 0 gives them the full 100,000).
#                       Pure parser tests always run the full 100,000.
#   --only REGEX        only the test ids matching REGEX (grep -E).
#   --out DIR           where the per-test logs and summary.tsv go (default: a new
#                       directory under $TMPDIR, printed at the end; never the repository).
#
# Output: one line per test -- result, examples run (passing + failing, all phases, from
# --hypothesis-show-statistics), wall seconds, why hypothesis stopped -- in DIR/summary.tsv
# and on stdout. A failure leaves hypothesis's minimal example in DIR/<test>.log; add it to
# the test as an @example once fixed. Exit status 1 if any test failed.
#
# --atheris SECONDS: the coverage-guided targets bench/fuzz_envelope.py (report/envelope.py:
# parse_envelope, check_signatures, read_statement) and bench/fuzz_sshd.py (sshd_config with
# Include and Match, sshd -T), SECONDS each, corpus and crash artifacts under DIR. atheris
# is optional (.venv/bin/pip install atheris; it ships manylinux wheels, and builds from
# source only where none fits, which needs clang and libFuzzer). Where it cannot be
# imported, the script falls back to hypothesis for the same two targets: the long profile
# of tests/collectors/host/test_fuzz_sshd.py, and bench/fuzz_envelope.py --hypothesis 100000
# (mutations of the same seeds), each stopped after SECONDS.
#
# Examples:
#   scripts/fuzz.sh --budget 90                          # everything, within an hour and a half
#   scripts/fuzz.sh --only 'test_fuzz_(sudoers|pam)' --tree-examples 0
#   scripts/fuzz.sh --atheris 600
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

budget_min=180
tree_examples=2000
only=""
out=""
atheris_seconds=""
list_only=0
paths=()
while [ $# -gt 0 ]; do
    case "$1" in
        --budget) budget_min="$2"; shift 2 ;;
        --tree-examples) tree_examples="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --atheris) atheris_seconds="$2"; shift 2 ;;
        --list) list_only=1; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        *) paths+=("$1"); shift ;;
    esac
done
[ ${#paths[@]} -gt 0 ] || paths=(tests/collectors/host tests/collectors/net/test_fuzz_replies.py)
[ -n "$out" ] || out="$(mktemp -d "${TMPDIR:-/tmp}/riskagent-fuzz.XXXXXX")"
mkdir -p "$out/tmp"
# pytest's session guard fails a run on new files in the system temporary directory: give the
# campaign its own, so that other work on the machine does not count against it.
export TMPDIR="$out/tmp"

# Sum of the passing and failing test cases hypothesis reports for one test, all phases.
examples_of() { awk '/passing, .* failing/ { gsub(/,/, ""); n += $2 + $4 } END { print n + 0 }' "$1"; }
stop_reason_of() { grep -m1 -o 'Stopped because .*' "$1" | sed 's/Stopped because //' || true; }

run_one() {  # test id, seconds allowed, log file -> prints "result<TAB>examples<TAB>seconds<TAB>reason"
    local id="$1" allowed="$2" log="$3" start end rc result
    start=$(date +%s)
    RISKAGENT_FUZZ=long RISKAGENT_FUZZ_TREE_EXAMPLES="$tree_examples" \
        nice -n 10 timeout --signal=INT --kill-after=30 "$allowed" \
        "$PY" -m pytest -q -p no:cacheprovider -m fuzz "$id" --hypothesis-show-statistics >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        result=timeout
    elif grep -Eq '[0-9]+ (failed|error)' "$log"; then
        result=FAILED
    elif grep -Eq '[0-9]+ passed' "$log"; then
        result=passed  # (a session-guard complaint about files others changed meanwhile is not the test's)
    else
        result="error(rc=$rc)"
    fi
    printf '%s\t%s\t%s\t%s\n' "$result" "$(examples_of "$log")" "$((end - start))" "$(stop_reason_of "$log")"
}

if [ -n "$atheris_seconds" ]; then
    status=0
    if "$PY" -c 'import atheris' 2>/dev/null; then
        for target in envelope sshd; do
            mkdir -p "$out/atheris-$target/corpus" "$out/atheris-$target/artifacts"
            echo "== atheris: bench/fuzz_$target.py for ${atheris_seconds}s (corpus and artifacts in $out/atheris-$target)"
            (cd "$out/atheris-$target" && nice -n 10 "$OLDPWD/$PY" "$OLDPWD/bench/fuzz_$target.py" \
                -max_total_time="$atheris_seconds" -timeout=60 -rss_limit_mb=4096 \
                -artifact_prefix="$out/atheris-$target/artifacts/" "$out/atheris-$target/corpus" \
                >"$out/atheris-$target.log" 2>&1)
            rc=$?
            tail -n 3 "$out/atheris-$target.log"
            if [ $rc -ne 0 ] || [ -n "$(ls -A "$out/atheris-$target/artifacts")" ]; then
                echo "   CRASH (exit $rc): see $out/atheris-$target.log and $out/atheris-$target/artifacts/"
                status=1
            fi
        done
    else
        echo "== atheris cannot be imported: hypothesis fallback for the same two targets, ${atheris_seconds}s each"
        (nice -n 10 timeout --signal=INT "$atheris_seconds" "$PY" bench/fuzz_envelope.py --hypothesis 100000 >"$out/hypothesis-envelope.log" 2>&1)
        rc=$?
        tail -n 3 "$out/hypothesis-envelope.log"
        if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then status=1; fi
        printf '%s\t%s\n' "$(run_one tests/collectors/host/test_fuzz_sshd.py "$atheris_seconds" "$out/hypothesis-sshd.log")" \
            tests/collectors/host/test_fuzz_sshd.py | tee -a "$out/summary.tsv"
        grep -q '^FAILED' "$out/summary.tsv" && status=1
    fi
    echo "results: $out"
    exit $status
fi

ids=$(RISKAGENT_FUZZ=long "$PY" -m pytest -q -p no:cacheprovider --collect-only -m fuzz "${paths[@]}" 2>/dev/null | grep '::' || true)
[ -z "$only" ] || ids=$(printf '%s\n' "$ids" | grep -E "$only" || true)
# Parser tests first, collector-level ones (named *_collector, *_collectors, *_on_a_fuzzed_tree) last:
# when the budget runs out, what is left unrun is the least important.
collector_level='(_collectors?|_on_a_fuzzed_tree)$'
ids=$(printf '%s\n' "$ids" | grep -Ev "$collector_level"; printf '%s\n' "$ids" | grep -E "$collector_level")
if [ -z "$ids" ]; then echo "no fuzz test found in ${paths[*]}" >&2; exit 2; fi
if [ $list_only -eq 1 ]; then printf '%s\n' "$ids"; exit 0; fi

deadline=$(( $(date +%s) + budget_min * 60 ))
status=0
printf 'result\texamples\tseconds\tstopped because\ttest\n' | tee "$out/summary.tsv"
while IFS= read -r id; do
    left=$(( deadline - $(date +%s) ))
    if [ $left -le 5 ]; then
        printf 'not run\t0\t0\tbudget spent\t%s\n' "$id" | tee -a "$out/summary.tsv"
        continue
    fi
    log="$out/$(printf '%s' "$id" | tr '/:' '__').log"
    line=$(run_one "$id" "$left" "$log")
    printf '%s\t%s\n' "$line" "$id" | tee -a "$out/summary.tsv"
    case "$line" in passed*) ;; *) status=1 ;; esac
done <<<"$ids"
awk -F'\t' 'NR > 1 { n++; ex += $2; s += $3; if ($1 != "passed") bad++ } END { printf "%d tests, %d examples, %d s, %d not passed\n", n, ex, s, bad }' "$out/summary.tsv"
echo "results: $out"
exit $status
