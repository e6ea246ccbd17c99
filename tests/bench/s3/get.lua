-- wrk: GET the same path on every request
request = function()
	return wrk.format("GET", wrk.path)
end
