#!/usr/bin/env bash
# Benchmark `yespo-admin-cli tokens validate` against a plain-Python validator on the same files,
# and time `tokens preview`. Prints figures; never fails on a budget miss or a count mismatch.
#
#   src-tauri/cli/bench/run.sh                      # 1,000,000 rows, 5 runs
#   ROWS=20000 RUNS=3 CLI=/path/to/fake run.sh      # quick check of the script itself
#
# Env: ROWS (default 1000000), RUNS (default 5), CLI (a binary to use instead of building one),
# DATA (where the files go, default target/bench-data).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
target=${CARGO_TARGET_DIR:-$root/target}
data=${DATA:-$target/bench-data}

if [[ -z ${CLI:-} ]]; then
  (cd "$root" && cargo build --release -p yespo-admin-cli)
  CLI=$target/release/yespo-admin-cli
fi
# The interpreter itself, not a shim (pyenv's bash shim adds ~0.15 s to every timed run).
py=$(python3 -c 'import sys; print(sys.executable)')
"$py" "$here/make_token_files.py" --rows "$ROWS" --out "$data"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed OUT CMD...: run CMD once with stdout to OUT; print "<wall s> <peak RSS KiB>".
# A validator may exit non-zero when it finds bad rows, so the exit code is reported, not fatal.
timed() {
  local out=$1 rc=0
  shift
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/err" || rc=$?
  if ((rc != 0)) && [[ ${warm:-} ]]; then
    echo "note: exit $rc from $* (timed anyway) $(head -c 300 "$tmp/err")" >&2
  fi
  tail -n 1 "$tmp/time" # GNU time puts "Command exited with non-zero status" on a line before
}

for f in "$data/tokens-$ROWS.json" "$data/tokens-$ROWS.csv"; do
  kind=${f##*.}
  echo "validating $f: warm-up, then $RUNS runs each, alternating" >&2
  # Warm-up: page cache filled for both, so neither pays for the disk.
  warm=1 timed "$tmp/rust.$kind" "$CLI" tokens validate "$f" --json >/dev/null
  warm=1 timed "$tmp/py.$kind" "$py" "$here/validate_reference.py" "$f" >/dev/null
  for _ in $(seq "$RUNS"); do
    echo "$kind rust $(timed "$tmp/rust.$kind" "$CLI" tokens validate "$f" --json)" >>"$tmp/results"
    echo "$kind py $(timed "$tmp/py.$kind" "$py" "$here/validate_reference.py" "$f")" >>"$tmp/results"
  done
  # Preview: 10 ms steps of /usr/bin/time are too coarse against 50 ms; EPOCHREALTIME is in µs.
  for _ in 1 2 3 4 5; do
    t0=$EPOCHREALTIME
    "$CLI" tokens preview "$f" --rows 100 --json >"$tmp/preview.$kind" 2>/dev/null || true
    t1=$EPOCHREALTIME
    echo "$kind $t0 $t1" >>"$tmp/preview"
  done
done

"$py" - "$tmp" "$data" "$ROWS" <<'EOF'
import json, os, statistics, sys
tmp, data, rows = sys.argv[1:]
BUDGET_S, BUDGET_RSS_MIB, BUDGET_PREVIEW_MS = {"json": 1.0, "csv": 0.5}, 64, 50
ok = lambda good: "ok" if good else "MISS"

runs = {}
for line in open(f"{tmp}/results"):
    kind, tool, secs, kib = line.split()
    runs.setdefault((kind, tool), []).append((float(secs), int(kib) / 1024))

def counts(path):
    """The four counts from a validator's JSON output, wherever the object holding them sits."""
    try:
        todo = [json.load(open(path))]
    except (OSError, ValueError):
        return None
    while todo:
        o = todo.pop()
        if isinstance(o, dict):
            if "rows" in o and "invalid" in o:
                return {k: o.get(k) for k in ("rows", "valid", "invalid", "duplicates")}
            todo.extend(o.values())
        elif isinstance(o, list):
            todo.extend(o)
    return None

print(f"\n{'file':<22}{'size MB':>9}{'rows':>10}{'rust s':>8}{'rust RSS MiB':>13}{'py s':>8}"
      f"{'py RSS MiB':>11}{'py/rust':>9}  time  RSS")
mismatches = []
for kind in ("json", "csv"):
    r, p = runs[(kind, "rust")], runs[(kind, "py")]
    rs, rm = statistics.median(s for s, _ in r), max(m for _, m in r)
    ps, pm = statistics.median(s for s, _ in p), max(m for _, m in p)
    # Median of pairwise ratios: runs were interleaved, so each pair saw the same machine state.
    ratio = statistics.median(b[0] / max(a[0], 0.01) for a, b in zip(r, p))
    name = f"tokens-{rows}.{kind}"
    rc, pc = counts(f"{tmp}/rust.{kind}"), counts(f"{tmp}/py.{kind}")
    print(f"{name:<22}{os.path.getsize(os.path.join(data, name)) / 1e6:>9.1f}{(pc or {}).get('rows', '?'):>10}"
          f"{rs:>8.2f}{rm:>13.1f}{ps:>8.2f}{pm:>11.1f}{ratio:>9.1f}  {ok(rs <= BUDGET_S[kind]):<4}  "
          f"{ok(rm <= BUDGET_RSS_MIB)}")
    if rc != pc:
        mismatches.append(f"!!!!! COUNT MISMATCH on {name}: rust {rc} vs python {pc}")
print(f"budgets: validate json <= {BUDGET_S['json']} s, csv <= {BUDGET_S['csv']} s, "
      f"peak RSS <= {BUDGET_RSS_MIB} MiB (medians of the runs; RSS is the max)")
for m in mismatches:
    print(m)

pv = {}
for line in open(f"{tmp}/preview"):
    kind, t0, t1 = line.split()
    pv.setdefault(kind, []).append((float(t1.replace(",", ".")) - float(t0.replace(",", "."))) * 1000)
for kind, ms in pv.items():
    med = statistics.median(ms)
    print(f"preview --rows 100 tokens-{rows}.{kind}: median {med:.1f} ms of {len(ms)}  "
          f"{ok(med <= BUDGET_PREVIEW_MS)} (budget {BUDGET_PREVIEW_MS} ms)")
    try:
        json.load(open(f"{tmp}/preview.{kind}"))
    except ValueError:
        print(f"!!!!! preview of {kind} did not print JSON: {open(f'{tmp}/preview.{kind}').read(300)!r}")
EOF
