-- wrk script for console-load.sh: the alert list API as the inbox calls it, with an API token,
-- rotating over the first page and common filters.
local token = os.getenv("CANH_TOKEN")
local paths = {
  "/api/v1/alerts?limit=50",
  "/api/v1/alerts?limit=50&severity=1",
  "/api/v1/alerts?limit=50&sid=2014939",
  "/api/v1/alerts?limit=50&state=new",
  "/api/v1/alerts?limit=50&src=10.1.0.0/16",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { ["Authorization"] = "Bearer " .. token })
end
