#!/usr/bin/env python3
"""The plain-Python baseline for `yespo-admin-cli tokens validate FILE --json`.

Written the obvious way on purpose (json.load of the whole file, or csv.DictReader), with the
same rules as the CLI, so the benchmark's ratio says what the Rust version buys. Prints one
JSON object: {"rows", "valid", "invalid", "duplicates"}. `valid + invalid == rows`; a duplicate
(an externalCustomerId seen on an earlier row) is counted in "duplicates" and is otherwise
judged by the row rules like any other row.
"""
import csv
import gc
import json
import re
import sys

# Compiled regexes and str methods: the idiomatic fast path in plain Python, so the baseline
# is fair (a char-by-char loop would flatter the Rust side).
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
EMAIL_BAD = re.compile(r"[\s,;<>]")
PHONE = re.compile(r"\+?[0-9 ()-]+")
NOT_DIGIT = re.compile(r"[^0-9]")
OSES = {"android", "ios", "harmonyos"}


def is_uuid(s):
    return UUID.fullmatch(s) is not None


def is_token(s):
    return len(s) <= 4096 and s.split() == [s]  # non-empty, no whitespace anywhere


def is_email(s):
    if "@" not in s or EMAIL_BAD.search(s):
        return False
    local, domain = s.rsplit("@", 1)
    return 1 <= len(local) <= 64 and len(domain) >= 3 and "." in domain and domain[0] != "." and domain[-1] != "."


def is_phone(s):
    return PHONE.fullmatch(s) is not None and 7 <= len(NOT_DIGIT.sub("", s)) <= 15


def push_ok(token, device):
    # appId is required (Yespo needs it to route the push); os and deviceModel only if given.
    os_ = device.get("os")
    model = device.get("deviceModel")
    return (is_token(token) and is_uuid(device.get("appId") or "")
            and (not os_ or os_.lower() in OSES) and (model is None or len(model) <= 50))


def names_ok(first, last):
    return len(first or "") <= 40 and len(last or "") <= 40  # characters, not bytes


def json_row_ok(c):
    chans = c.get("channels") or []
    if not chans or not c.get("externalCustomerId") or not names_ok(c.get("firstName"), c.get("lastName")):
        return False
    for ch in chans:
        t, v = ch.get("type"), ch.get("value") or ""
        if t == "mobilepush" and not push_ok(v, ch.get("device") or {}):
            return False
        if t == "email" and not is_email(v):
            return False
        if t == "sms" and not is_phone(v):
            return False
    return True


def csv_row_ok(r):
    g = lambda k: r.get(k) or ""
    # A push channel is there when any push column is filled; then its token must be too.
    push = any(g(k) for k in ("push_token", "app_id", "platform", "device_model", "locale", "app_version"))
    if not (push or g("email") or g("phone")) or not g("external_id") or not names_ok(g("first_name"), g("last_name")):
        return False
    if push and not push_ok(g("push_token"), {"appId": g("app_id"), "os": g("platform"), "deviceModel": g("device_model")}):
        return False
    return (not g("email") or is_email(g("email"))) and (not g("phone") or is_phone(g("phone")))


def main():
    # json.load of a big file makes ~10 million dicts and lists, and the cyclic GC rescans them
    # over and over (4-5x the load time here). Nothing here makes cycles: turning it off is the
    # one-line fix a Python programmer would make, so the baseline does not lose to a GC artefact.
    gc.disable()
    path = sys.argv[1]
    if path.lower().endswith(".json"):
        with open(path, encoding="utf-8") as f:
            rows, key, ok = json.load(f)["contacts"], "externalCustomerId", json_row_ok
    else:
        f = open(path, encoding="utf-8", newline="")
        rows, key, ok = csv.DictReader(f), "external_id", csv_row_ok
    n = valid = dups = 0
    seen = set()
    for r in rows:
        n += 1
        valid += ok(r)
        k = r.get(key)
        if k:
            if k in seen:
                dups += 1
            else:
                seen.add(k)
    print(json.dumps({"rows": n, "valid": valid, "invalid": n - valid, "duplicates": dups}))


if __name__ == "__main__":
    main()
