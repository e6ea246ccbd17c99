-- wrk: 4 KiB PUTs to rotating keys (one connection's counter per thread)
local body = string.rep("x", 4096)
local n = 0
request = function()
	n = n + 1
	return wrk.format("PUT", wrk.path .. "-" .. (n % 1000), nil, body)
end
