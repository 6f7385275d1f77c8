// The web UI's files (console/web/), compiled into the binary so the console works offline on an
// air-gapped network: no CDN, no files to install beside the executable.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/http_types.h"

namespace canh::console {

struct EmbeddedAsset {
  const char* path;  // relative to console/web/, e.g. "pages/alerts.js"
  const unsigned char* data;
  size_t size;
};

// Generated at build time by console/embed_assets.cmake.
extern const EmbeddedAsset kEmbeddedAssets[];
extern const size_t kEmbeddedAssetCount;

const EmbeddedAsset* find_asset(std::string_view path);
std::string_view content_type_for(std::string_view path);

// GET / (the single page) and GET /assets/... (its scripts, styles, images), open to anyone: the
// page itself holds no data; everything it shows comes from the API with the caller's rights.
std::vector<http::Route> asset_routes();

}  // namespace canh::console
