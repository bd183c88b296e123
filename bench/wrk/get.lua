-- GET the URL given to wrk; every answer must be 200.
dofile("common.lua")

function response(status, headers, body)
  count(status, body, 200)
end
