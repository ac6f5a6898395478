-- wrk script for bench/server/run.sh: authenticated GETs only.
-- BENCH_COOKIE: the session cookie (name=value) from a login.
-- BENCH_PATHS: comma-separated paths, requested in turn by each connection.
local cookie = os.getenv("BENCH_COOKIE")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/healthz", "[^,]+") do
  paths[#paths + 1] = p
end
local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], { ["Cookie"] = cookie })
end
