-- POST /api/order, one new customer per request: BENCH_WRK_DATA holds one valid E.164 number
-- per line (prepared by bench/order_api.py); every answer must be 201 with an order_id.
dofile("common.lua")

local phones
local headers = {["Content-Type"] = "application/json"}
local before = '{"customer": {"number": "'
local after = '", "name": "Bench", "email": "b@example.com"}, "cake": {"size": "Medium", '
  .. '"flavour": "Chocolate", "frosting": "Buttercream", "topping": "None"}, "price": 30}'

function init(args)
  phones = read_data()
end

function request()
  return wrk.format("POST", nil, headers, before .. next_line(phones) .. after)
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
