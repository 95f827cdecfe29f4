#!/usr/bin/env python3
"""Steady write load through chihoi's API for bench/failover.sh (standard library only).

CLIENTS threads each create members one after another (POST /api/v1/members with an
Idempotency-Key). A write that fails or times out is sent again with the same key until it is
acknowledged, as a careful mobile client does, so a write whose answer was lost is never made
twice. Every acknowledged write is logged with its time, member id and marker (the address field)
to ACKED_FILE; every answer that is not a success is logged with its time and status to
ERRORS_FILE. Runs until the file STOP_FILE exists, then finishes the write in hand and exits.

  API=http://127.0.0.1:8080 TOKEN=… UNIT=<branch id> CLIENTS=16 RUN_ID=… \
  ACKED_FILE=… ERRORS_FILE=… STOP_FILE=… bench/failover.py
"""

import http.client
import json
import os
import threading
import time
import urllib.parse
import uuid

API = urllib.parse.urlparse(os.environ["API"])
TOKEN = os.environ["TOKEN"]
UNIT = os.environ["UNIT"]
CLIENTS = int(os.environ.get("CLIENTS", "16"))
RUN_ID = os.environ.get("RUN_ID", uuid.uuid4().hex[:8])
STOP_FILE = os.environ["STOP_FILE"]
# A request unanswered this long is abandoned and sent again (chihoi's own timeouts are
# shorter: a request must never hang past them).
TIMEOUT_S = float(os.environ.get("REQUEST_TIMEOUT_S", "30"))

lock = threading.Lock()
acked = open(os.environ["ACKED_FILE"], "a", buffering=1)
errors = open(os.environ["ERRORS_FILE"], "a", buffering=1)


def send(body, key):
    conn = http.client.HTTPConnection(API.hostname, API.port, timeout=TIMEOUT_S)
    try:
        conn.request(
            "POST",
            "/api/v1/members",
            body=json.dumps(body),
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Retry-After")
    finally:
        conn.close()


def client(number):
    sequence = 0
    while not os.path.exists(STOP_FILE):
        sequence += 1
        marker = f"failover {RUN_ID} c{number} s{sequence}"
        key = f"{RUN_ID}-{number}-{sequence}"
        body = {
            "unit_id": UNIT,
            "family_name": "Thử",
            "middle_name": "Thị",
            "given_name": "Chuyển",
            "joined_on": "2026-01-01",
            "address": marker,
        }
        while True:
            try:
                status, payload, retry_after = send(body, key)
            except (OSError, http.client.HTTPException) as error:
                status, payload, retry_after = f"io:{type(error).__name__}", b"", None
            now = time.time()
            if status in (200, 201):
                member = json.loads(payload)["id"]
                with lock:
                    acked.write(f"{now:.3f}\t{member}\t{marker}\n")
                break
            with lock:
                errors.write(f"{now:.3f}\t{status}\t{marker}\n")
            if status in (400, 401, 403, 404, 413, 415, 422):
                break  # refused for good: retrying the same body cannot help
            # 503 carries Retry-After; a careful client waits a little, not the whole of it.
            time.sleep(0.2 if retry_after else 0.1)


threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
