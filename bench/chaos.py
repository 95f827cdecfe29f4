#!/usr/bin/env python3
"""Writes visits (contacts) with client ids and Idempotency-Keys from 4 threads for DURATION
seconds while bench/chaos.sh stops PostgreSQL and starts it again; keeps a ledger of every
acknowledged write (201) and prints the figures as JSON. Standard library only."""
import json, os, sys, threading, time, urllib.request, uuid, random

api, token, members, duration = os.environ["API"], os.environ["TOKEN"], os.environ["MEMBERS"].split(), float(os.environ["DURATION"])
ledger, errors, lock = [], {"5xx": 0, "503": 0, "429": 0, "other": 0, "network": 0}, threading.Lock()
first_503, last_error, start = [None], [None], time.monotonic()

def uuid7():
    ms = int(time.time() * 1000)
    raw = ms.to_bytes(6, "big") + os.urandom(10)
    b = bytearray(raw); b[6] = (b[6] & 0x0F) | 0x70; b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))

def worker():
    while time.monotonic() - start < duration:
        member, cid = random.choice(members), uuid7()
        body = json.dumps({"id": cid, "method": "phone", "note": "[CHAOS]"}).encode()
        req = urllib.request.Request(f"{api}/api/v1/members/{member}/contacts", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": cid})
        now = time.monotonic() - start
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                if r.status == 201:
                    with lock: ledger.append(cid)
        except urllib.error.HTTPError as e:
            with lock:
                if e.code == 503:
                    errors["503"] += 1
                    first_503[0] = first_503[0] or now
                elif e.code >= 500: errors["5xx"] += 1
                elif e.code == 429: errors["429"] += 1
                else: errors["other"] += 1
                last_error[0] = now
            time.sleep(0.2)
        except Exception:
            with lock: errors["network"] += 1; last_error[0] = now
            time.sleep(0.2)

threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
json.dump({"acknowledged": ledger, "errors": errors, "first_503_s": first_503[0], "last_error_s": last_error[0]}, sys.stdout)
