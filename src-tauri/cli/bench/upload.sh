#!/usr/bin/env bash
# Benchmark `yespo-admin-cli tokens upload` of the reader's 1,000,000-contact benchmark file to a
# sandbox started with its published rate limits on, imports as fast as it can and 100 ms added
# to every answer; in the same run against the same sandbox, a plain sequential uploader (send
# one request, poll until FINISHED, next) as the baseline. Prints figures; never fails on a goal.
#
#   src-tauri/cli/bench/upload.sh                       # 1,000,000 rows
#   ROWS=20000 upload.sh                                # quick check of the script itself
#
# Env: ROWS (default 1000000), LATENCY_MS (default 100), POLL (the baseline's poll interval in
# seconds, default 0.5), CONCURRENCY (requests in flight, default 2, the app's default),
# CLI and SANDBOX (binaries to use instead of building them), DATA (default target/bench-data).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
ROWS=${ROWS:-1000000}
LATENCY_MS=${LATENCY_MS:-100}
POLL=${POLL:-0.5}
CONCURRENCY=${CONCURRENCY:-2}
target=${CARGO_TARGET_DIR:-$root/target}
data=${DATA:-$target/bench-data}

if [[ -z ${CLI:-} || -z ${SANDBOX:-} ]]; then
  (cd "$root" && cargo build --release -p yespo-admin-cli -p yespo-sandbox --bins)
  CLI=${CLI:-$target/release/yespo-admin-cli}
  SANDBOX=${SANDBOX:-$target/release/yespo-sandbox}
fi
py=$(python3 -c 'import sys; print(sys.executable)')
"$py" "$here/make_token_files.py" --rows "$ROWS" --out "$data"
file=$data/tokens-$ROWS.json

tmp=$(mktemp -d)
sandbox_pid=
cleanup() {
  [[ -n $sandbox_pid ]] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The sandbox: rate limits on (its default), unlimited import speed, added latency.
"$SANDBOX" --port 0 --contacts 0 --latency-ms "$LATENCY_MS" --import-speed 0 >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 100); do [[ -s $tmp/sandbox.out ]] && break; sleep 0.1; done
read -r url key < <("$py" -c '
import json, sys
info = json.loads(open(sys.argv[1]).readline())
key = next(k["key"] for k in info["api_keys"] if k["rights"] == "full_access")
print(info["base_url"] + "/api", key)' "$tmp/sandbox.out")
export YESPO_API_KEY=$key
export YESPO_ADMIN_HOME=$tmp/profile

# timed NAME CMD...: run CMD with stdout to $tmp/NAME.out; GNU time's wall, user, sys, max RSS.
timed() {
  local name=$1 rc=0
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  echo "$name exit $rc: $(tail -n 1 "$tmp/$name.time")" >&2
}

echo "uploading $file to $url ($LATENCY_MS ms latency, rate limits on)" >&2
timed app "$CLI" tokens upload "$file" --api-url "$url" --concurrency "$CONCURRENCY" --json
timed baseline "$py" "$here/sequential_upload.py" "$file" "$url" --poll "$POLL"
timed app_again "$CLI" tokens upload "$file" --api-url "$url" --concurrency "$CONCURRENCY" --json
sandbox_rss=$(awk '/VmHWM/ {print $2}' "/proc/$sandbox_pid/status")

"$py" - "$tmp" "$ROWS" "$LATENCY_MS" "$POLL" "$CONCURRENCY" "$sandbox_rss" <<'PY'
import json, sys
tmp, rows, latency, poll, conc, sandbox_kib = sys.argv[1:]
def load(name):
    wall, user, sys_, kib = open(f"{tmp}/{name}.time").read().split("\n")[-2].split()
    try:
        out = json.loads(open(f"{tmp}/{name}.out").read())
    except ValueError:
        out = {"error": open(f"{tmp}/{name}.err").read()[-300:]}
    return float(wall), float(user) + float(sys_), int(kib) / 1024, out
print(f"{int(rows):,} contacts, {latency} ms latency per answer, sandbox rate limits on, import speed unlimited")
print(f"{'':28}{'wall s':>8}{'CPU s':>8}{'peak RSS MiB':>14}{'requests':>10}{'confirmed':>11}")
results = {}
for name, label in [("app", f"yespo-admin-cli (c={conc})"), ("baseline", f"sequential (poll {poll} s)"),
                    ("app_again", f"yespo-admin-cli again")]:
    wall, cpu, mib, out = results[name] = load(name)
    print(f"{label:28}{wall:8.1f}{cpu:8.1f}{mib:14.1f}{out.get('requests', '?'):>10}{out.get('confirmed', '?'):>11}"
          + (f"  error: {out['error']}" if out.get("error") else ""))
app, base = results["app"], results["baseline"]
print(f"speed-up over the sequential uploader: {base[0] / app[0]:.1f}x (goal >= 3x)")
print(f"client peak RSS {app[2]:.1f} MiB (goal <= 100 MiB); sandbox peak RSS {int(sandbox_kib) / 1024:.0f} MiB")
out = app[3]
if "rows" in out:
    parts = ["confirmed", "rejected", "failed", "superseded", "not_sent", "unconfirmed"]
    print("outcomes: " + ", ".join(f"{p} {out[p]}" for p in parts) + f" = {sum(out[p] for p in parts)} of {out['rows']} rows")
PY
