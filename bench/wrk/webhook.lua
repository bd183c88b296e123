-- POST /twilio/messages: Twilio's inbound-message form, prepared by bench/webhook.py one per
-- line as "<X-Twilio-Signature>\t<form body>". Lines go round-robin over the customers, so a
-- customer's next message comes one whole round (~200 requests) later, long after the answer
-- to its previous one with 4 connections. Every answer must be 200 TwiML moving the
-- conversation on; an order's confirmation gives its id.
dofile("common.lua")

local messages
-- Replies that mean an answer was not understood: the prepared conversation would go astray.
local astray = {"Sorry", "Did you mean", "Please reply", "Please send", "look right", "Stuck?",
  "a while", "available any more", "Welcome back", "cancelled"}

function init(args)
  messages = read_data()
end

function request()
  local line = next_line(messages)
  local tab = string.find(line, "\t", 1, true)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = string.sub(line, 1, tab - 1),
  }
  return wrk.format("POST", nil, headers, string.sub(line, tab + 1))
end

function response(status, headers, body)
  if not count(status, body, 200) then
    return
  end
  for _, words in ipairs(astray) do
    if string.find(body, words, 1, true) then
      unexpected = unexpected + 1
      keep_sample("astray: " .. body)
      return
    end
  end
  local id = string.match(body, "Done! Order #(%d+)")
  if id then
    ids[#ids + 1] = tonumber(id)
  elseif not string.find(body, "<Message>", 1, true) then
    unexpected = unexpected + 1
    keep_sample("no reply: " .. body)
  end
end
