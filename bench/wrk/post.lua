-- POST of the file BODY_FILE with CONTENT_TYPE, for bench/hostile.sh. FORWARDED_FOR sends the
-- request as from that client address (the server trusts loopback as its proxy there);
-- ROTATE_ADDRESS=1 sends each request from a new address, as a botnet would.
wrk.method = "POST"
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = file:read("*all")
file:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
wrk.headers["X-Forwarded-For"] = os.getenv("FORWARDED_FOR")
local rotate = os.getenv("ROTATE_ADDRESS") == "1"
local counter = 0

function request()
  if rotate then
    counter = counter + 1
    wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), counter % 256, math.random(1, 254))
  end
  return wrk.format()
end
