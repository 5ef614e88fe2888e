-- wrk script: POST a lead with a distinct email on every request.
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
    '{"name":"Bench Person %d","email":"bench-%s-%d-%d@example.com","phone":"+14155550100",' ..
    '"company":"Bench Co","message":"Load test","source":"website"}',
    counter, run_id, tid, counter)
  return wrk.format(nil, nil, nil, body)
end
