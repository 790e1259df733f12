#!/usr/bin/env python3
"""The baseline of the upload benchmark: a plain sequential uploader in the style of Yespo's seed
("Uploading Mobile Token Base") and of the integrations that follow it: read the Yespo JSON body,
send one request of 3000 contacts, poll its import status until FINISHED (or ERROR), then the next.

    sequential_upload.py FILE.json API_URL [--poll 0.5]    (API key in YESPO_API_KEY)

Prints one JSON object: rows, requests, polls, confirmed (rows in the import mappings), failed.
Standard library only; no retries (a failure stops it with the error).
"""
import argparse, base64, json, os, sys, time, urllib.request


def call(url, key, body=None):
    auth = base64.b64encode(f"user:{key}".encode()).decode()
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    req.add_header("Authorization", f"Basic {auth}")
    req.add_header("Accept", "application/json")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("api_url")
    ap.add_argument("--poll", type=float, default=0.5, help="seconds between two status polls")
    a = ap.parse_args()
    key = os.environ["YESPO_API_KEY"]
    api = a.api_url.rstrip("/")
    with open(a.file, encoding="utf-8") as f:
        doc = json.load(f)
    contacts = doc.pop("contacts")
    requests = polls = confirmed = failed = 0
    for start in range(0, len(contacts), 3000):
        body = dict(doc, contacts=contacts[start:start + 3000])
        answer = call(f"{api}/v1/contacts", key, json.dumps(body).encode())
        requests += 1
        f = answer.get("failedContacts") or []
        failed += len(f) if isinstance(f, list) else 1
        session = answer["asyncSessionId"]
        while True:
            status = call(f"{api}/v1/importstatus/{session}", key)
            polls += 1
            if status.get("status") in ("FINISHED", "ERROR"):
                m = status.get("mapping") or []
                confirmed += len(m) if isinstance(m, list) else 1
                break
            time.sleep(a.poll)
    print(json.dumps({"rows": len(contacts), "requests": requests, "polls": polls,
                      "confirmed": confirmed, "failed": failed}))


if __name__ == "__main__":
    sys.exit(main())
