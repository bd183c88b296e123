-- Shared by the bench's wrk scripts (wrk 4, LuaJIT): count answers by status, keep a few bad
-- ones and the ids the server answered with, and write a JSON report for bench/_wrk.py.
-- Counters are globals so that done() can read them from each thread with thread:get().

statuses = {}   -- status code (as text) -> answers
samples = {}    -- a few unexpected answers, status and the start of the body
ids = {}        -- order ids the server answered with
sent = 0        -- requests built
wrapped = 0     -- requests built after the prepared data ran out (they repeat earlier ones)
unexpected = 0  -- answers with the right status but not the expected reply

-- Record one answer; true when its status is the expected one.
function count(status, body, expected)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status ~= expected then
    keep_sample(key .. " " .. (body or ""))
    return false
  end
  return true
end

function keep_sample(text)
  if #samples < 5 then
    samples[#samples + 1] = string.sub(text, 1, 300)
  end
end

-- The prepared lines of BENCH_WRK_DATA (one request's data per line), read in each thread.
function read_data()
  local path = os.getenv("BENCH_WRK_DATA")
  local lines = {}
  for line in io.lines(path) do
    lines[#lines + 1] = line
  end
  if #lines == 0 then
    error("no prepared requests in " .. path)
  end
  return lines
end

local primed = false

-- The next prepared line; after the last one, start again and count the repeats.
function next_line(lines)
  if not primed then
    -- wrk 4.1 builds one request per thread before it connects and never sends it: give that
    -- one the first line without using it up (a wrk that sent it would only repeat a line).
    primed = true
    return lines[1]
  end
  sent = sent + 1
  if sent > #lines then
    wrapped = wrapped + 1
  end
  return lines[(sent - 1) % #lines + 1]
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

local function quote(text)
  text = string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. text .. '"'
end

local function object(counts)
  local parts = {}
  for key, value in pairs(counts) do
    parts[#parts + 1] = quote(tostring(key)) .. ": " .. string.format("%d", value)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local merged = {statuses = {}, samples = {}, ids = {}, sent = 0, wrapped = 0, unexpected = 0}
  for _, thread in ipairs(threads) do
    for key, value in pairs(thread:get("statuses")) do
      merged.statuses[key] = (merged.statuses[key] or 0) + value
    end
    for _, sample in ipairs(thread:get("samples")) do
      merged.samples[#merged.samples + 1] = quote(sample)
    end
    for _, id in ipairs(thread:get("ids")) do
      merged.ids[#merged.ids + 1] = string.format("%d", id)
    end
    for _, name in ipairs({"sent", "wrapped", "unexpected"}) do
      merged[name] = merged[name] + thread:get(name)
    end
  end
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  out:write("{",
    '"requests": ', string.format("%d", summary.requests), ", ",
    '"duration_us": ', string.format("%d", summary.duration), ", ",
    '"p50_us": ', string.format("%d", latency:percentile(50)), ", ",
    '"p99_us": ', string.format("%d", latency:percentile(99)), ", ",
    '"errors": ', object(summary.errors), ", ",
    '"statuses": ', object(merged.statuses), ", ",
    '"sent": ', string.format("%d", merged.sent), ", ",
    '"wrapped": ', string.format("%d", merged.wrapped), ", ",
    '"unexpected": ', string.format("%d", merged.unexpected), ", ",
    '"samples": [', table.concat(merged.samples, ", "), "], ",
    '"ids": [', table.concat(merged.ids, ", "), "]}\n")
  out:close()
end
