-- wrk script: each thread walks its own offset through the request list in WRK_DATA
-- (METHOD, PATH, TOKEN, BODY per line). Requests are formatted once, in init. Public routes get
-- an X-Forwarded-For address from 10.<thread>.0.0/16, one per list entry, so the per-address
-- rate limit of the public register (120 a minute; the service and the peer trust 127.0.0.1 as
-- a proxy) never triggers while both still count every request (the peer with a write per
-- request, the service in memory with a sync every 250 ms).
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local requests, n, i = {}, 0, 0
function init(args)
  local t = tid or 1
  for line in io.lines(os.getenv("WRK_DATA")) do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if token ~= "" then headers["Authorization"] = "Bearer " .. token end
    if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
    if token == "" then
      headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", t, math.floor(n / 256) % 256, n % 256)
    end
    n = n + 1
    requests[n] = wrk.format(method, path, headers, body)
  end
  i = math.floor(n * (t - 1) / 2)
end

function request()
  i = i % n + 1
  return requests[i]
end
