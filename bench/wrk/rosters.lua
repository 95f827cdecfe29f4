-- PUTs of meeting rosters for bench/workloads.sh: each request takes one line of ROSTER_FILE
-- ("path<TAB>body": several meetings, several versions of each roster) at random, so that most
-- requests change a roster, as branch heads do after their evening meetings.
local requests = {}

function init(args)
  -- Built here, per thread, once wrk.headers holds the command line's headers (the token);
  -- wrk.format takes the headers it is given instead of wrk.headers, so they are copied.
  for line in io.lines(os.getenv("ROSTER_FILE")) do
    local path, body = line:match("^([^\t]+)\t(.+)$")
    if path then
      local headers = { ["Content-Type"] = "application/json" }
      for name, value in pairs(wrk.headers) do
        headers[name] = value
      end
      requests[#requests + 1] = wrk.format("PUT", path, headers, body)
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

function request()
  return requests[math.random(#requests)]
end
