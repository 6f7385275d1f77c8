// Signed rule bundles arriving at the server (rules/bundle.h): verified against the trusted public
// keys, checked with the rules library like any upload, then cut as a new rule-set version
// (RuleManager::upload), which sensors pick up through the ordinary rule-version mechanism. A bundle
// that fails any check changes nothing: verification and validation happen before the version is cut.
//
// Used by the console route POST /api/v1/rulesets/bundle (admin; body: the bundle bytes) and by
// `canh rules import` on a stopped server's data folder.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"
#include "console/rule_manager.h"
#include "rules/bundle.h"
#include "storage/rule_store.h"

namespace canh::console {

struct BundleImport {
  storage::RuleSetVersion version;  // the version cut
  rules::bundle::Manifest manifest;
  std::string key_id;
  std::vector<std::string> errors;  // rules that do not parse (imported only with allow_errors)
};

// kPermission: unknown key, bad signature, tampered file; kInvalid: not a bundle, rules that do not
// parse (unless allow_errors). `author` is recorded on the version.
Result<BundleImport> import_bundle(RuleManager& rules, std::string_view bytes,
                                   const std::vector<rules::bundle::PublicKey>& trusted, std::string_view source,
                                   const std::string& author, bool allow_errors);

// The trusted keys, read again for every import so that adding a key file needs no restart.
using TrustedKeys = std::function<Result<std::vector<rules::bundle::PublicKey>>()>;

// POST /api/v1/rulesets/bundle: admin, audited as rules.bundle_import. The body is the bundle
// (application/octet-stream, ?name=F&allow_errors=1) or JSON {"name", "bundle": base64, "allow_errors"}.
std::vector<http::Route> rule_bundle_routes(RuleManager& rules, TrustedKeys trusted);

}  // namespace canh::console
