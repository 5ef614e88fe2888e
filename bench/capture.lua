-- wrk script: POST a lead with a distinct email (and a varying phone and client address)
-- on every request.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  form_key = args[1] or ""
  run_id = args[2] or "0"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Form-Key"] = form_key
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Person %d","email":"bench-%s-%d-%d@example.com","phone":"+1415555%04d",' ..
    '"company":"Bench Co","message":"Load test","source":"website"}',
    counter, run_id, tid, counter, counter % 10000)
  -- Visitors from many addresses, as real capture traffic is (the app trusts one proxy
  -- hop in this run): each has its own short rate-limit window.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, nil, headers, body)
end
