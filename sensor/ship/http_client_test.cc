#include "sensor/ship/http_client.h"

#include <gtest/gtest.h>

namespace canh::sensor::ship {
namespace {

TEST(CollectorUrl, ParsesSchemesPortsAndBasePaths) {
  auto a = CollectorUrl::parse("https://collector.example:8443");
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "collector.example");
  EXPECT_EQ(a->port, "8443");
  EXPECT_EQ(a->base, "");
  auto b = CollectorUrl::parse("http://127.0.0.1/canh/");
  ASSERT_TRUE(b.is_ok());
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, "80");
  EXPECT_EQ(b->base, "/canh");
  auto c = CollectorUrl::parse("https://[::1]:9000");
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->to_string(), "https://[::1]:9000");
}

TEST(CollectorUrl, RefusesWhatIsNotACollectorUrl) {
  for (const char* bad : {"", "collector:8443", "ftp://x", "https://user:pw@x", "http://x/?q=1", "http://"}) {
    auto u = CollectorUrl::parse(bad);
    EXPECT_FALSE(u.is_ok()) << bad;
    if (!u.is_ok()) {
      EXPECT_NE(u.status().message().find("collector URL"), std::string::npos);
    }
  }
}

TEST(HttpClient, AnUnreachableCollectorIsUnavailableNotACrash) {
  auto u = CollectorUrl::parse("http://127.0.0.1:1");
  ASSERT_TRUE(u.is_ok());
  HttpClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  HttpClient c(*u, o);
  auto r = c.request("GET", "/", {}, "", "");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace canh::sensor::ship
