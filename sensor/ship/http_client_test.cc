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

// Found by ship_spool_fuzz: the host and base path were percent-decoded, so "/ca%20nh" put a space
// into every request line and "h%2fx" named a host other than the one printed; an empty or
// out-of-range port was kept as given.
TEST(CollectorUrl, KeepsEscapesOutOfHostAndRequestLinesAndChecksThePort) {
  auto a = CollectorUrl::parse("http://collector.example/ca%20nh/");
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_EQ(a->base, "/ca%20nh");
  auto again = CollectorUrl::parse(a->to_string());
  ASSERT_TRUE(again.is_ok()) << a->to_string();
  EXPECT_EQ(again->base, a->base);
  auto p = CollectorUrl::parse("http://collector.example:08443");
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->port, "8443");
  for (const char* bad : {"http://h%2fx/", "http://h:/", "http://h:0", "http://h:99999", "http://[v1.x]/"}) {
    auto u = CollectorUrl::parse(bad);
    EXPECT_FALSE(u.is_ok()) << bad << " -> " << (u.is_ok() ? u->to_string() : "");
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
