#!/usr/bin/env bash
# The package as a marketer gets it: install the newest .deb under target/release/bundle/deb with
# apt, start the installed `yespo-admin --demo` in the real window for a smoke E2E
# (tests/e2e_installed.rs), run the installed `yespo-admin-cli tokens validate` on a sample, then
# remove the package and check nothing of it is left outside the user's own data folders.
#
# Needs root (or sudo), a display and the test keychain: `./dev test` runs it after the other tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'install test: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb under target/release/bundle/deb: run ./dev package first"
package=$(dpkg-deb --field "$deb" Package)
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
  fail "$package is already installed here; remove it first (this test must see a clean install and removal)"
fi

say "installing $deb with apt"
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" >/dev/null
removed=''
remove() { [ -n "$removed" ] || DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq "$package" >/dev/null; removed=1; }
trap remove EXIT
installed_files=$(dpkg-query -L "$package")

say "what the package installed"
for path in /usr/bin/yespo-admin /usr/bin/yespo-admin-cli; do
  [ -x "$path" ] || fail "$path is missing or not executable"
done
grep -q '^/usr/share/applications/.*\.desktop$' <<<"$installed_files" || fail "no desktop entry"
grep -q '^/usr/share/icons/hicolor/' <<<"$installed_files" || fail "no icons"
[ "$(command -v yespo-admin-cli)" = /usr/bin/yespo-admin-cli ] || fail "yespo-admin-cli is not on the PATH"

say "the installed app in the real window (demo mode)"
YESPO_ADMIN_APP_BINARY=/usr/bin/yespo-admin \
  cargo test --locked -p yespo-admin --test e2e_installed -- --ignored --nocapture

say "the installed command line"
sample=tests/package/sample-tokens.csv
rc=0
out=$(yespo-admin-cli tokens validate "$sample" --json) || rc=$?
[ "$rc" -eq 1 ] || fail "tokens validate exited $rc, expected 1 (one invalid row): $out"
summary=$(python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["rows"], r["valid"], r["invalid"], r["reasons"])' <<<"$out")
[ "$summary" = "5 4 1 {'empty_token': 1}" ] || fail "tokens validate said: $summary"
yespo-admin-cli --version | grep -q '^yespo-admin-cli ' || fail "yespo-admin-cli --version"

say "removing $package"
remove
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'installed'; then
  fail "$package is still installed"
fi
left=()
while IFS= read -r path; do
  # Folders may stay when other packages share them (/usr/bin, /usr/share/icons/...).
  if [ -e "$path" ] && [ ! -d "$path" ]; then left+=("$path"); fi
done <<<"$installed_files"
while IFS= read -r path; do left+=("$path"); done < <(find /usr /etc /opt /var/lib/dpkg/info -iname '*yespo*' 2>/dev/null)
[ ${#left[@]} -eq 0 ] || fail "left after removal: ${left[*]}"
say "installed, smoke-tested and removed: nothing of $package is left"
