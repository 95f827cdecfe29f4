#!/usr/bin/env python3
"""Load for DURATION seconds from 12 threads — 8 writing visits (client ids, Idempotency-Keys),
4 reading commune KPIs (slow requests, so some are in flight at the signal) — while
bench/sigterm.sh sends SIGTERM to the server. Each request is classified: answered (with its
status), refused (the server no longer accepts connections: never started), or dropped
(accepted, then the connection died without an answer). With BALANCER=1 the threads act as a
load balancer would: a health check polls /readyz every 200 ms and no new request is sent once
it fails. Standard library only."""
import http.client, json, os, sys, threading, time, uuid, random
from urllib.parse import urlparse

api, token = urlparse(os.environ["API"]), os.environ["TOKEN"]
members, kpis, duration = os.environ["MEMBERS"].split(), os.environ["KPIS"], float(os.environ["DURATION"])
ledger, counts, lock, start = [], {"answered": {}, "refused": 0, "dropped": 0}, threading.Lock(), time.monotonic()
dropped_detail = []
balancer, routable = os.environ.get("BALANCER") == "1", threading.Event()
routable.set()

def health_check():
    while time.monotonic() - start < duration:
        conn = http.client.HTTPConnection(api.hostname, api.port, timeout=2)
        try:
            conn.request("GET", "/readyz"); ok = conn.getresponse().status == 200
        except Exception:
            ok = False
        finally:
            conn.close()
        if not ok:
            routable.clear()
        time.sleep(0.2)

def uuid7():
    raw = bytearray(int(time.time() * 1000).to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70; raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))

def one(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(api.hostname, api.port, timeout=60)
    try:
        conn.connect()
    except ConnectionRefusedError:
        with lock: counts["refused"] += 1
        return None
    try:
        conn.request(method, path, body=body, headers={"Authorization": f"Bearer {token}", **(headers or {})})
        response = conn.getresponse(); response.read()
        with lock: counts["answered"][response.status] = counts["answered"].get(response.status, 0) + 1
        return response.status
    except Exception as error:  # accepted but not answered
        with lock: counts["dropped"] += 1; dropped_detail.append(repr(error))
        return None
    finally:
        conn.close()

def writer():
    while time.monotonic() - start < duration:
        if balancer and not routable.is_set():
            break
        cid = uuid7()
        body = json.dumps({"id": cid, "method": "phone", "note": "[SIGTERM]"})
        status = one("POST", f"/api/v1/members/{random.choice(members)}/contacts", body,
                     {"Content-Type": "application/json", "Idempotency-Key": cid})
        if status == 201:
            with lock: ledger.append(cid)
        elif status is None:
            time.sleep(0.05)

def reader():
    while time.monotonic() - start < duration:
        if balancer and not routable.is_set():
            break
        if one("GET", kpis) is None:
            time.sleep(0.05)

threads = [threading.Thread(target=writer) for _ in range(8)] + [threading.Thread(target=reader) for _ in range(4)]
if balancer:
    threads.append(threading.Thread(target=health_check))
for t in threads: t.start()
for t in threads: t.join()
json.dump({"acknowledged": ledger, "counts": counts, "dropped_detail": dropped_detail[:5]}, sys.stdout)
