#include "console/assets.h"

namespace canh::console {

const EmbeddedAsset* find_asset(std::string_view path) {
  for (size_t i = 0; i < kEmbeddedAssetCount; ++i)
    if (path == kEmbeddedAssets[i].path) return &kEmbeddedAssets[i];
  return nullptr;
}

std::string_view content_type_for(std::string_view p) {
  auto ends = [&](std::string_view s) { return p.size() >= s.size() && p.substr(p.size() - s.size()) == s; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

namespace {

http::Response serve(std::string_view path) {
  const EmbeddedAsset* a = find_asset(path);
  if (!a) return http::Response::error(404, "no such asset: " + std::string(path));
  http::Response r;
  r.content_type = std::string(content_type_for(path));
  r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
  // Revalidate each time: assets are small, and an upgraded server must never run an old script.
  r.headers.emplace_back("cache-control", "no-cache");
  return r;
}

}  // namespace

std::vector<http::Route> asset_routes() {
  using http::Request;
  using http::Caller;
  std::vector<http::Route> r;
  r.push_back({"GET", "/", http::Access::anyone(), [](const Request&, const Caller&) { return serve("index.html"); }, ""});
  r.push_back({"GET", "/assets/{file}", http::Access::anyone(),
               [](const Request& q, const Caller&) { return serve(q.path_param("file")); }, ""});
  r.push_back({"GET", "/assets/{dir}/{file}", http::Access::anyone(),
               [](const Request& q, const Caller&) {
                 return serve(std::string(q.path_param("dir")) + "/" + std::string(q.path_param("file")));
               },
               ""});
  return r;
}

}  // namespace canh::console
