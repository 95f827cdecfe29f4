-- PUT of one meeting's 60-member roster (body from ROSTER_BODY), for bench/workloads.sh.
wrk.method = "PUT"
wrk.body = os.getenv("ROSTER_BODY")
wrk.headers["Content-Type"] = "application/json"
