#!/usr/bin/env python3
"""Write the benchmark's token files: DIR/tokens-<rows>.json and DIR/tokens-<rows>.csv.

Both hold the same contacts. The JSON is Yespo's "Add contacts" body with one contact per line
(so two files diff line by line); the CSV is the flat import shape. Deterministic (fixed seed):
every machine benchmarks the same bytes.

Every 1000 rows: row 500 of the block is bad (kinds cycle, see BAD_KINDS) and row 750 repeats
the externalCustomerId of row 250 with a different token. So a file of N rows has N//1000 bad
rows and N//1000 duplicates, and nothing else is wrong with it.
"""
import argparse
import base64
import os
import random
import sys

SEED = 20240601
CHUNK = 20_000  # rows per write: big writes, bounded memory

APP_ID = {"Android": "83b77a49-fc28-409b-aeaa-68c9d544ab9d", "iOS": "5d0f2e61-9a3c-4b7e-8f21-c4e6a1b7d390"}
MODELS = {
    "Android": ["Pixel 7", "Pixel 8 Pro", "Galaxy S23", "Galaxy A54", "Redmi Note 12", "Moto G84"],
    "iOS": ["iPhone 13", "iPhone 14 Pro", "iPhone 15", "iPhone SE", "iPad Air"],
}
FIRST = ["John", "Anna", "Taras", "Maria", "Piotr", "Emma", "Олена", "Андрій", "Ірина", "Дмитро"]
# The long Cyrillic names are 29 characters but 57/58 bytes: a check that counts bytes, not
# characters, would wrongly reject them (the limit is 40 characters).
LAST = ["Smith", "Kowalski", "Shevchenko", "Müller", "Nowak", "Brown", "Lee", "Costa", "Melnyk",
        "Bondar", "Ткач", "Коваль", "Smith", "Nowak", "Brown", "Lee", "Kim", "Ivanenko",
        "Костянтинопольська-Грушевська", "Лисенко-Кобилянський-Драгоманов"]
DOMAINS = ["gmail.com", "ukr.net", "yahoo.com", "outlook.com", "i.ua", "example.com.ua"]
LOCALES = ["uk_UA", "en_US", "pl_PL", "de_DE", "ru_UA"]
VERSIONS = ["4.1.6", "4.2.0", "4.2.1", "5.0.0-beta.3"]
JOBS = ["writer", "engineer", "teacher", "designer", "doctor", "manager"]
BAD_KINDS = ["app_id", "empty_token", "email", "long_name", "os", "no_channels"]
LONG_NAME = "Maximilian-Alexander-Konstantin-Wolfgang-Johann"  # 47 characters


def uuid(rng):
    h = rng.randbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def token(rng, platform):
    if platform == "iOS":
        return rng.randbytes(32).hex()  # APNs: 64 lowercase hex
    b = base64.urlsafe_b64encode(rng.randbytes(117)).decode()  # 156 base64url chars
    return f"{b[:22]}:APA91b{b[22:]}"  # FCM: ~163 chars


def contact(rng, i, ids):
    """One contact as a dict of CSV-ish values, with the defect of row i applied (if any)."""
    platform = "Android" if rng.random() < 0.45 else "iOS"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    c = {
        "id": uuid(rng), "first": first, "last": last,
        "email": f"{rng.choice(['john', 'anna', 'tgsh', 'user', 'shop.fan'])}{rng.randrange(1000)}@{rng.choice(DOMAINS)}",
        "phone": f"380{rng.choice(['50', '63', '67', '73', '93', '97'])}{rng.randrange(10**7):07d}" if rng.random() < 0.5 else "",
        "token": token(rng, platform), "app_id": APP_ID[platform], "platform": platform,
        "model": rng.choice(MODELS[platform]), "locale": rng.choice(LOCALES), "version": rng.choice(VERSIONS),
        # Custom fields on 70% of contacts (the rest have none: the key is left out).
        "fields": f',"fields":[{{"id":12345,"value":"{rng.choice(JOBS)}"}},{{"id":12346,"value":"{rng.randrange(1940, 2006)}-'
                  f'{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"}}]' if rng.random() < 0.7 else "",
    }
    k = i % 1000
    ids[k] = c["id"]  # ring of the last 1000 ids: row 250 of the block is still there at row 750
    if k == 750:  # duplicate of a valid row 500 earlier (its token is new: same person, other device)
        c["id"] = ids[k - 500]
    elif k == 500:
        kind = BAD_KINDS[(i // 1000) % len(BAD_KINDS)]
        if kind == "app_id":
            c["app_id"] = "not-a-uuid"
        elif kind == "empty_token":
            c["token"] = ""
        elif kind == "email":
            c["email"] = "john@"
        elif kind == "long_name":
            c["first"] = LONG_NAME
        elif kind == "os":
            c["platform"] = "Windows"
        else:  # no channels: JSON "channels":[], CSV every channel column empty
            c.update(email="", phone="", token="", app_id="", platform="", model="", locale="", version="")
            c["no_channels"] = True
    return c


def json_line(c):
    ch = []
    if not c.get("no_channels"):
        ch.append(f'{{"type":"mobilepush","value":"{c["token"]}","device":{{"appId":"{c["app_id"]}",'
                  f'"deviceModel":"{c["model"]}","os":"{c["platform"]}","locale":"{c["locale"]}","appVersion":"{c["version"]}"}}}}')
        ch.append(f'{{"type":"email","value":"{c["email"]}"}}')
        if c["phone"]:
            ch.append(f'{{"type":"sms","value":"{c["phone"]}"}}')
    return (f'  {{"firstName":"{c["first"]}","lastName":"{c["last"]}","channels":[{",".join(ch)}],'
            f'"externalCustomerId":"{c["id"]}"{c["fields"]}}}')


def csv_line(c):
    # No value holds a comma, quote or newline, so no quoting is needed.
    return (f'{c["id"]},{c["first"]},{c["last"]},{c["email"]},{c["phone"]},{c["token"]},'
            f'{c["app_id"]},{c["platform"]},{c["model"]},{c["locale"]},{c["version"]}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, f"tokens-{a.rows}")
    jpath, cpath, done = base + ".json", base + ".csv", base + ".done"

    # The .done sidecar is written last and records both sizes: a present, matching one means
    # a complete earlier run (an interrupted run leaves none, so it starts over).
    try:
        with open(done) as f:
            if f.read().split() == [str(os.path.getsize(jpath)), str(os.path.getsize(cpath))]:
                print(f"{jpath} and {cpath} already there", file=sys.stderr)
                return
    except OSError:
        pass

    rng, ids = random.Random(SEED), [None] * 1000
    with open(jpath, "w", encoding="utf-8", newline="\n") as jf, open(cpath, "w", encoding="utf-8", newline="") as cf:
        jf.write('{"contacts":[\n')
        cf.write("external_id,first_name,last_name,email,phone,push_token,app_id,platform,device_model,locale,app_version\n")
        for start in range(0, a.rows, CHUNK):
            cs = [contact(rng, i, ids) for i in range(start, min(start + CHUNK, a.rows))]
            last = start + len(cs) == a.rows
            jf.write(",\n".join(map(json_line, cs)) + ("\n" if last else ",\n"))
            cf.write("".join(map(csv_line, cs)))
        jf.write('],\n "dedupeOn":"externalCustomerId",'
                 '"contactFields":["firstName","lastName","email","mobilepush","externalCustomerId"],'
                 '"customFieldsIDs":[12345,12346]}\n')
    with open(done, "w") as f:
        f.write(f"{os.path.getsize(jpath)} {os.path.getsize(cpath)}\n")
    n = a.rows // 1000 + (1 if a.rows % 1000 > 500 else 0)
    d = a.rows // 1000 + (1 if a.rows % 1000 > 750 else 0)
    print(f"wrote {jpath} ({os.path.getsize(jpath)} B) and {cpath} ({os.path.getsize(cpath)} B): "
          f"{a.rows} rows, {n} bad, {d} duplicates", file=sys.stderr)


if __name__ == "__main__":
    main()
