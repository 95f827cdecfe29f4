-- GETs with a made-up API token and a made-up client address on every request: a caller
-- minting keys to fill the rate limiter and make the server look tokens up. For bench/hostile.sh.
local counter = 0

function request()
  counter = counter + 1
  wrk.headers["Authorization"] = string.format("Bearer chh_%08x%08x", math.random(0, 0x7fffffff), counter)
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), counter % 256, math.random(1, 254))
  return wrk.format()
end
