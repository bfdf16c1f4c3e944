-- pace.lua — wrk hook for a scenario run at a given rate rather than flat out: the script
-- before it sets pace_per_s (requests a second in all) and pace_threads (wrk's -t).  Each
-- wrk thread hands out send times on a fixed timetable (t0, t0 + 1/rate, …), whichever of
-- its connections is free takes the next one, and a connection that is late sends at once,
-- so a slow answer does not lower the rate offered.  Latency is measured from the actual
-- send, as wrk does: a server stall longer than connections/rate would be under-counted.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } yc_pace_timespec;
int clock_gettime(int clk, yc_pace_timespec *tp);
]]
local ts = ffi.new("yc_pace_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)   -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval = 1000 * pace_threads / pace_per_s   -- ms between sends of this thread
local t0, k = nil, 0
function delay()
  local now = now_ms()
  if t0 == nil then t0 = now end
  k = k + 1
  local slot = t0 + k * interval
  if slot <= now then return 0 end
  return slot - now
end
