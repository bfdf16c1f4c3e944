-- threads.lua — wrk hook that numbers its threads: each thread's global tid (0, 1, …), for
-- the scenarios whose threads each take their own window, manager or starting point.  A
-- scenario's script is made of pieces (cat … threads.lua …) before its own request().
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end
