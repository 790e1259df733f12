#!/usr/bin/env python3
"""Yespo Admin's own budgets, side by side with a bare Tauri 2 window (src-tauri/budgets/bare-app:
the same Tauri version, window and security config, release profile). Prints figures; never fails
on a budget miss. Run it through `./dev bench`, which builds what it needs and gives it a display,
a private D-Bus session and an unlocked test keychain.

  first paint   from the process's start to the page's own mark: two animation frames after its
                first content is drawn (Yespo Admin: the window's frame and the first screen's
                title and what it waits for; the bare app: its hello), in wall-clock time as the
                page reports it over IPC and the app prints it: <= 1.1x bare, <= 1 s. The time
                to the first screen complete (its data, the status bar) is printed beside it
  idle memory   PSS summed over the app and every process it started (WebKit's web and network
                processes), after IDLE seconds: <= 1.15x bare; demo mode's extra is shown apart
  .deb          the package's size: <= 15 MB
  CLI           `yespo-admin-cli tokens validate` of the 1M-contact files: the one in the .deb
                against the binary its own benchmark times (src-tauri/cli/bench/run.sh): unchanged

Every start has fresh XDG and profile folders; the apps run in turn (bare, app, app --demo, ...)
so a drift of the machine's speed touches all alike.
"""

import argparse
import glob
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RELEASE = os.path.join(TARGET, "release")
MB = 1_000_000
# What Yespo Admin sets for WebKit at start unless the user has (src-tauri/lib.rs).
APP_WEBKIT_SWITCHES = {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": "1"}


def descendants(pid):
    """pid and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                # The name may hold spaces and parentheses: the fields after the last ')' are safe.
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def role(pid, root):
    if pid == root:
        return "app"
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        return "other"
    if comm.startswith("WebKitWebProces"):
        return "web"
    if comm.startswith("WebKitNetworkPr"):
        return "network"
    return "other"


def pss_by_role(root):
    """{role: {"pss": kB, "anon": kB, "file": kB, "shmem": kB}} over the process tree."""
    totals = {}
    for pid in descendants(root):
        fields = {}
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key, _, rest = line.partition(":")
                    if key in ("Pss", "Pss_Anon", "Pss_File", "Pss_Shmem"):
                        fields[key] = int(rest.split()[0])
        except OSError:
            continue
        slot = totals.setdefault(role(pid, root), {"pss": 0, "anon": 0, "file": 0, "shmem": 0})
        slot["pss"] += fields.get("Pss", 0)
        slot["anon"] += fields.get("Pss_Anon", 0)
        slot["file"] += fields.get("Pss_File", 0)
        slot["shmem"] += fields.get("Pss_Shmem", 0)
    return totals


def stop(proc):
    """Ends the app and everything it started, and lets the machine settle before the next start."""
    tree = descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in tree):
        time.sleep(0.05)
    time.sleep(1)


def start_once(argv, env, idle):
    """One cold start: (seconds to the first content painted, seconds to the first screen complete
    or None, PSS by role after `idle` seconds)."""
    scratch = tempfile.mkdtemp(prefix="yespo-budgets-")
    run_env = dict(os.environ, **env)
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        run_env[name] = os.path.join(scratch, name.lower())
    run_env["YESPO_ADMIN_HOME"] = os.path.join(scratch, "profile")
    run_env["YESPO_ADMIN_REPORT_PAINT"] = "1"
    spawned = time.time()
    proc = subprocess.Popen(argv, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        painted, complete = wait_for_paint(proc, timeout=60)
        time.sleep(idle)
        memory = pss_by_role(proc.pid)
    finally:
        stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)
    return painted / 1000 - spawned, (complete / 1000 - spawned if complete else None), memory


def wait_for_paint(proc, timeout):
    """The page's report: `…: painted at <ms since the epoch>[ complete at <ms>]` (wall clock, so
    the time the report itself takes to arrive is not counted)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buffered = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sel.select(left):
            raise SystemExit(f"{proc.args[0]}: no paint mark within {timeout} s")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise SystemExit(f"{proc.args[0]}: exited before its paint mark")
        buffered += chunk
        for line in buffered.decode(errors="replace").splitlines(keepends=True):
            if ": painted at " in line and line.endswith("\n"):
                words = line.split()
                painted = float(words[words.index("painted") + 2])
                complete = float(words[words.index("complete") + 2]) if "complete" in words else None
                return painted, complete


def median_range(values, scale=1.0, digits=0):
    vals = [v * scale for v in values]
    fmt = f"{{:.{digits}f}}"
    return f"{fmt.format(statistics.median(vals))} [{fmt.format(min(vals))}–{fmt.format(max(vals))}]"


def memory_table(results):
    """Median MB per role and kind for one app's runs."""
    out = {}
    for role_name in ("app", "web", "network", "other"):
        for kind in ("pss", "anon", "file", "shmem"):
            out[(role_name, kind)] = statistics.median(r[1].get(role_name, {}).get(kind, 0) for r in results) * 1024 / MB
    return out


def verdict(ok):
    return "ok" if ok else "OVER"


def bench_windows(runs, idle):
    bare = os.path.join(RELEASE, "tauri-bare-app")
    app = os.path.join(RELEASE, "yespo-admin")
    for binary in (bare, app):
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"{binary} is missing: run ./dev bench (it builds the release binaries)")
    kinds = {"bare": ([bare], {}), "app": ([app], {}), "demo": ([app, "--demo"], {}),
             # The bare app with the WebKit switches Yespo Admin sets for itself (src-tauri/lib.rs).
             "bare+": ([bare], APP_WEBKIT_SWITCHES)}
    results = {k: [] for k in kinds}
    # One start each first, not counted: the page cache then holds every library for all.
    for argv, env in kinds.values():
        start_once(argv, env, 0.5)
    for i in range(runs):
        for name, (argv, env) in kinds.items():
            painted, complete, memory = start_once(argv, env, idle)
            results[name].append((painted, memory, complete))
            done = f", complete {complete * 1000:4.0f} ms" if complete else ""
            print(f"  run {i + 1}/{runs} {name:5} painted {painted * 1000:4.0f} ms{done}", file=sys.stderr)

    paint = {k: [r[0] for r in v] for k, v in results.items()}
    complete = {k: [r[2] for r in v] for k, v in results.items() if k in ("app", "demo")}
    mem = {k: memory_table(v) for k, v in results.items()}
    print(f"\nBudgets: release build, {runs} cold starts each in turn after one warm-up, idle {idle:g} s; "
          "median [min–max]")
    print(f"{'':34}{'bare Tauri':>20}{'Yespo Admin':>20}{'ratio':>8}  budget")
    paint_ratio = statistics.median(paint["app"]) / statistics.median(paint["bare"])
    app_paint = statistics.median(paint["app"])
    print(f"{'first paint (ms)':34}{median_range(paint['bare'], 1000):>20}{median_range(paint['app'], 1000):>20}"
          f"{paint_ratio:>8.2f}  <= 1.10x and <= 1000 ms: {verdict(paint_ratio <= 1.10 and app_paint <= 1.0)}")
    print(f"{'  first screen complete (ms)':34}{'':>20}{median_range(complete['app'], 1000):>20}"
          "  (with its data, the status bar and banners)")
    totals = {k: [sum(x["pss"] for x in r[1].values()) * 1024 / MB for r in v] for k, v in results.items()}
    mem_ratio = statistics.median(totals["app"]) / statistics.median(totals["bare"])
    print(f"{'idle PSS, all processes (MB)':34}{median_range(totals['bare'], 1, 1):>20}"
          f"{median_range(totals['app'], 1, 1):>20}{mem_ratio:>8.2f}  <= 1.15x: {verdict(mem_ratio <= 1.15)}")
    for role_name, label in (("app", "app process"), ("web", "WebKit web process"),
                             ("network", "WebKit network process"), ("other", "other")):
        b, a = mem["bare"][(role_name, "pss")], mem["app"][(role_name, "pss")]
        if b == 0 and a == 0:
            continue
        print(f"{'  ' + label:34}{b:>20.1f}{a:>20.1f}")
        for kind, what in (("anon", "heap and other private memory"), ("file", "code and files mapped"),
                           ("shmem", "shared memory (graphics buffers)")):
            print(f"{'    ' + what:34}{mem['bare'][(role_name, kind)]:>20.1f}{mem['app'][(role_name, kind)]:>20.1f}")
    plus_paint = statistics.median(paint["bare+"])
    plus_mem = statistics.median(totals["bare+"])
    print(f"{'bare Tauri, CPU painting too':34}{median_range(paint['bare+'], 1000):>20}"
          f"{'':>20}{app_paint / plus_paint:>8.2f}  first paint, same switches")
    print(f"{'  switches: idle PSS (MB)':34}{median_range(totals['bare+'], 1, 1):>20}"
          f"{'':>20}{statistics.median(totals['app']) / plus_mem:>8.2f}  memory, same switches")
    demo_extra = statistics.median(totals["demo"]) - statistics.median(totals["app"])
    print(f"{'Yespo Admin --demo, idle PSS (MB)':34}{'':>20}{median_range(totals['demo'], 1, 1):>20}"
          f"  demo mode adds {demo_extra:+.1f} MB (app process {mem['demo'][('app', 'pss')] - mem['app'][('app', 'pss')]:+.1f}:"
          " the embedded sandbox and its data)")
    print(f"{'Yespo Admin --demo, painted (ms)':34}{'':>20}{median_range(paint['demo'], 1000):>20}"
          f"  complete {median_range(complete['demo'], 1000)}")


def bench_deb():
    deb = newest_deb()
    if deb is None:
        print("\n.deb: none under target/release/bundle/deb (./dev package builds it)")
        return
    size = os.path.getsize(deb)
    files = subprocess.run(["dpkg-deb", "--contents", deb], check=True, capture_output=True, text=True).stdout
    biggest = sorted((int(line.split()[2]), line.split()[-1]) for line in files.splitlines() if line.startswith("-"))
    print(f"\n.deb {os.path.basename(deb)}: {size / MB:.2f} MB ({size / 2**20:.2f} MiB)  "
          f"<= 15 MB: {verdict(size <= 15 * MB)}; unpacked: "
          + ", ".join(f"{path.lstrip('.')} {n / MB:.1f} MB" for n, path in reversed(biggest[-2:])))


def timed(argv, runs):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.monotonic() - t0)
    return times


def newest_deb():
    debs = sorted(glob.glob(os.path.join(RELEASE, "bundle", "deb", "*.deb")), key=os.path.getmtime)
    return debs[-1] if debs else None


def bench_cli(runs, rows):
    standalone = os.path.join(RELEASE, "yespo-admin-cli")
    deb = newest_deb()
    if not os.access(standalone, os.X_OK) or deb is None:
        raise SystemExit("the release CLI or the .deb is missing: run ./dev bench (it builds them)")
    data = os.path.join(TARGET, "bench-data")
    subprocess.run([sys.executable, os.path.join(ROOT, "src-tauri", "cli", "bench", "make_token_files.py"),
                    "--rows", str(rows), "--out", data], check=True, stdout=subprocess.DEVNULL)
    # The CLI as the package installs it, against the binary its own benchmark times.
    unpacked = tempfile.mkdtemp(prefix="yespo-budgets-deb-")
    subprocess.run(["dpkg-deb", "--extract", deb, unpacked], check=True)
    packaged = os.path.join(unpacked, "usr", "bin", "yespo-admin-cli")
    try:
        same = open(packaged, "rb").read() == open(standalone, "rb").read()
        print(f"\nCLI `tokens validate --json`: the .deb's /usr/bin/yespo-admin-cli "
              f"{'is byte for byte' if same else 'DIFFERS from'} target/release/yespo-admin-cli; "
              f"{runs} runs each in turn after a warm-up; median [min–max] s")
        print(f"{'':34}{'standalone':>20}{'packaged':>24}{'ratio':>8}")
        for ext in ("json", "csv"):
            path = os.path.join(data, f"tokens-{rows}.{ext}")
            argvs = {"standalone": [standalone, "tokens", "validate", path, "--json"],
                     "packaged": [packaged, "tokens", "validate", path, "--json"]}
            for argv in argvs.values():
                timed(argv, 1)
            times = {k: [] for k in argvs}
            for _ in range(runs):
                for name, argv in argvs.items():
                    times[name] += timed(argv, 1)
            ratio = statistics.median(times["packaged"]) / statistics.median(times["standalone"])
            print(f"{f'  {rows:,} rows, {ext.upper()}':34}{median_range(times['standalone'], 1, 3):>20}"
                  f"{median_range(times['packaged'], 1, 3):>24}{ratio:>8.2f}")
        version = {"standalone": timed([standalone, "--version"], 11), "packaged": timed([packaged, "--version"], 11)}
        print(f"{'  start-up (`--version`, ms)':34}{median_range(version['standalone'], 1000, 1):>20}"
              f"{median_range(version['packaged'], 1000, 1):>24}"
              f"{statistics.median(version['packaged']) / statistics.median(version['standalone']):>8.2f}")
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each app (default 5)")
    parser.add_argument("--idle", type=float, default=8, help="seconds after the paint before memory is read")
    parser.add_argument("--rows", type=int, default=1_000_000, help="contacts in the CLI's files")
    parser.add_argument("--cli-runs", type=int, default=5, help="validate runs of each CLI (default 5)")
    parser.add_argument("--skip-cli", action="store_true", help="leave out the CLI's comparison")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise SystemExit("no display: run this through ./dev bench")
    bench_windows(args.runs, args.idle)
    bench_deb()
    if not args.skip_cli:
        bench_cli(args.cli_runs, args.rows)


if __name__ == "__main__":
    main()
