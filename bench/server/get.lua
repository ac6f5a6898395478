-- wrk script for bench/server/run.sh and peer_ciso.sh: authenticated GETs only.
-- BENCH_COOKIE: a session cookie (name=value) from a login, sent as Cookie;
-- BENCH_AUTHORIZATION: sent as Authorization (a peer's token), when set.
-- BENCH_PATHS: comma-separated paths, requested in turn by each connection.
local headers = {}
if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
if os.getenv("BENCH_AUTHORIZATION") then
  headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
end
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/healthz", "[^,]+") do
  paths[#paths + 1] = p
end
local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end
