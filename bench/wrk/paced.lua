-- An ordinary reader, not a flood: each connection waits PACE_MS between its requests (wrk's
-- latency excludes the wait), from the client address FORWARDED_FOR. For bench/hostile.sh.
wrk.headers["X-Forwarded-For"] = os.getenv("FORWARDED_FOR")
local pace = tonumber(os.getenv("PACE_MS") or "5")

function delay()
  return pace
end
