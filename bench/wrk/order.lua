-- POST /api/order, one new customer per request: BENCH_WRK_DATA holds one valid E.164 number
-- per line (prepared by bench/order_api.py), optionally followed by a space and a pickup slot
-- id to send as pickup_at; every answer must be 201 with an order_id.
dofile("common.lua")

local phones
local headers = {["Content-Type"] = "application/json"}
local before = '{"customer": {"number": "'
local after = '", "name": "Bench", "email": "b@example.com"}, "cake": {"size": "Medium", '
  .. '"flavour": "Chocolate", "frosting": "Buttercream", "topping": "None"}, "price": 30'

function init(args)
  phones = read_data()
end

function request()
  local number, pickup = string.match(next_line(phones), "^(%S+)%s*(%S*)$")
  local extra = ""
  if pickup ~= "" then
    extra = ', "pickup_at": "' .. pickup .. '"'
  end
  return wrk.format("POST", nil, headers, before .. number .. after .. extra .. "}")
end

function response(status, headers, body)
  if count(status, body, 201) then
    local id = string.match(body, '"order_id"%s*:%s*(%d+)')
    if id then
      ids[#ids + 1] = tonumber(id)
    else
      unexpected = unexpected + 1
      keep_sample("201 without order_id: " .. body)
    end
  end
end
