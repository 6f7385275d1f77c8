#include "console/rule_bundles.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "console/router.h"
#include "storage/storage.h"
#include "storage/test_util.h"

namespace canh::console {
namespace {

namespace bundle = rules::bundle;

const char* kRules =
    "alert http any any -> any any (msg:\"demo sqli\"; flow:established,to_server; http.uri; content:\"union\"; "
    "nocase; sid:9100001; rev:1;)\n"
    "alert dns any any -> any any (msg:\"demo dns\"; dns.query; content:\"bad.example\"; sid:9100002; rev:1;)\n";

class BundleImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions so;
    so.data_dir = dir_.str();
    so.block_cache_mb = 8;
    auto st = storage::Storage::open(so);
    ASSERT_TRUE(st) << st.status().message();
    storage_ = std::move(st).value();
    rules_ = std::make_unique<storage::RuleStore>(storage_->db());
    supp_ = std::make_unique<storage::SuppressionStore>(storage_->db());
    rm_ = std::make_unique<RuleManager>(*rules_, *supp_);
    key_ = bundle::generate_key_pair();
  }
  std::string make(std::string text = kRules, std::string version = "2026.11.23-1") {
    bundle::CreateOptions o;
    o.version = version;
    o.note = "test";
    auto b = bundle::create_bundle({{"demo.rules", std::move(text)}}, key_.sec, o);
    EXPECT_TRUE(b) << b.status().message();
    return *b;
  }
  http::Response post(const http::Route& r, std::string body, std::string type = "application/octet-stream") {
    http::Request req;
    req.method = "POST";
    req.path = "/api/v1/rulesets/bundle";
    req.headers.emplace_back("content-type", std::move(type));
    req.body = std::move(body);
    http::Caller admin{http::Caller::Kind::kSession, "admin", "admin", http::Role::kAdmin};
    return r.handler(req, admin);
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<storage::RuleStore> rules_;
  std::unique_ptr<storage::SuppressionStore> supp_;
  std::unique_ptr<RuleManager> rm_;
  bundle::KeyPair key_;
};

TEST_F(BundleImportTest, VerifiedBundleBecomesTheCurrentVersion) {
  auto imp = import_bundle(*rm_, make(), {key_.pub}, "a.bundle", "admin", false);
  ASSERT_TRUE(imp) << imp.status().message();
  EXPECT_EQ(imp->version.version, 1u);
  EXPECT_EQ(rules_->current_version(), 1u);
  EXPECT_EQ(imp->version.rules_loadable, 2u);
  EXPECT_EQ(imp->version.author, "admin");
  EXPECT_NE(imp->version.change.find("bundle 2026.11.23-1 signed by key " + key_.pub.id), std::string::npos)
      << imp->version.change;
  auto cur = rm_->current();
  ASSERT_TRUE(cur && *cur);
  EXPECT_EQ((*cur)->set.entries().size(), 2u);
}

TEST_F(BundleImportTest, RefusedBundlesChangeNothing) {
  ASSERT_TRUE(import_bundle(*rm_, make(), {key_.pub}, "a.bundle", "admin", false));
  auto before = rules_->list(100);
  ASSERT_TRUE(before);

  // Unknown key.
  bundle::KeyPair other = bundle::generate_key_pair();
  auto unknown = import_bundle(*rm_, make(), {other.pub}, "b.bundle", "admin", false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), Status::Code::kPermission);
  // Bad signature: the manifest altered after signing.
  std::string sig = make();
  sig[sig.find("version 2026") + 8] = '3';
  auto bad = import_bundle(*rm_, sig, {key_.pub}, "c.bundle", "admin", false);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("bad signature"), std::string::npos);
  // Tampered rule file.
  std::string t = make();
  t[t.find("sid:9100001") + 10] = '7';
  auto tampered = import_bundle(*rm_, t, {key_.pub}, "d.bundle", "admin", false);
  ASSERT_FALSE(tampered);
  EXPECT_NE(tampered.status().message().find("tampered"), std::string::npos);
  // Signed, but rules that do not parse: refused unless allowed.
  auto broken = import_bundle(*rm_, make("alert tcp any any -> any any (msg:\"x\"; nosuchkeyword:1; sid:1;)\n"), {key_.pub},
                              "e.bundle", "admin", false);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.status().code(), Status::Code::kInvalid);

  EXPECT_EQ(rules_->current_version(), 1u);
  auto after = rules_->list(100);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size());
}

TEST_F(BundleImportTest, RouteAnswersAndAuditsEachOutcome) {
  auto routes = rule_bundle_routes(*rm_, [this]() -> Result<std::vector<bundle::PublicKey>> {
    return std::vector<bundle::PublicKey>{key_.pub};
  });
  ASSERT_EQ(routes.size(), 1u);
  const http::Route& r = routes[0];
  EXPECT_EQ(r.audit_action, "rules.bundle_import");
  EXPECT_TRUE(r.access.allows(http::Role::kAdmin));
  EXPECT_FALSE(r.access.allows(http::Role::kAnalyst));
  EXPECT_FALSE(r.access.anonymous);

  EXPECT_EQ(post(r, make(), "text/plain").status, 415);
  EXPECT_EQ(post(r, make(), "application/json").status, 400);  // a bundle is not JSON
  std::string t = make();
  t[t.find("sid:9100001") + 10] = '7';
  auto refused = post(r, t);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(rules_->current_version(), 0u);
  auto ok = post(r, make());
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_NE(ok.body.find("\"version\":1"), std::string::npos) << ok.body;
  EXPECT_NE(ok.body.find("\"key_id\":\"" + key_.pub.id + "\""), std::string::npos);
  bool detail = false;
  for (const auto& [k, v] : ok.headers) detail |= k == kAuditDetailHeader && v.find("signed by key") != std::string::npos;
  EXPECT_TRUE(detail);
  EXPECT_EQ(post(r, "not a bundle").status, 400);
}

TEST_F(BundleImportTest, JsonUploadCarriesTheBundleInBase64) {
  auto routes = rule_bundle_routes(*rm_, [this]() -> Result<std::vector<bundle::PublicKey>> {
    return std::vector<bundle::PublicKey>{key_.pub};
  });
  std::string b = make();
  std::string b64(sodium_base64_ENCODED_LEN(b.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  auto ok = post(routes[0], "{\"name\":\"weekly.bundle\",\"bundle\":\"" + b64 + "\"}", "application/json");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(rules_->current_version(), 1u);
  auto bad = post(routes[0], "{\"bundle\":\"%%%\"}", "application/json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("base64"), std::string::npos);
  EXPECT_EQ(rules_->current_version(), 1u);
}

TEST_F(BundleImportTest, NoTrustedKeysMeansUnavailable) {
  auto routes = rule_bundle_routes(*rm_, []() -> Result<std::vector<bundle::PublicKey>> {
    return Status::not_found("/etc/canh/trusted-keys: no such file or directory");
  });
  auto resp = post(routes[0], make());
  EXPECT_EQ(resp.status, 503);
  EXPECT_NE(resp.body.find("trusted-keys"), std::string::npos);
}

}  // namespace
}  // namespace canh::console
