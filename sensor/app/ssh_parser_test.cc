#include "sensor/app/ssh_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "sensor/app/buffers.h"
#include "sensor/app/eve.h"

namespace canh::sensor::app {
namespace {

using namespace std::string_view_literals;

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct Seen : TxObserver {
  int events = 0;
  std::string proto, software, eve;
  void on_tx(const TxEvent& ev) override {
    ++events;
    rules::AppBuffers a;
    BufferScratch scratch;
    fill_buffers(ev, &a, &scratch);
    auto get = [&](rules::Buffer id) {
      auto s = a.buf[static_cast<size_t>(id)];
      return std::string(reinterpret_cast<const char*>(s.data()), s.size());
    };
    proto = get(rules::Buffer::kSshProto);
    software = get(rules::Buffer::kSshSoftware);
    eve.clear();
    write_eve(ev, &eve);
  }
};

TEST(SshParser, BannersOfBothSidesSplitAcrossSegments) {
  SshParser p;
  Seen seen;
  p.feed(Dir::kToClient, b("Welcome to the box\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r"), &seen);
  EXPECT_EQ(seen.events, 0);
  p.feed(Dir::kToClient, b("\n\x00\x00\x01\x14" "binary"sv), &seen);
  ASSERT_EQ(seen.events, 1);
  EXPECT_EQ(seen.proto, "2.0");
  EXPECT_EQ(seen.software, "OpenSSH_9.2p1");
  p.feed(Dir::kToServer, b("SSH-2.0-PuTTY_Release_0.78\r\n"), &seen);
  ASSERT_EQ(seen.events, 2);
  EXPECT_EQ(seen.software, "PuTTY_Release_0.78");
  EXPECT_EQ(seen.eve,
            "\"ssh\":{\"client\":{\"proto_version\":\"2.0\",\"software_version\":\"PuTTY_Release_0.78\"},"
            "\"server\":{\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_9.2p1\"}}");
}

TEST(SshParser, OverlongLineGivesUp) {
  SshParser p;
  Seen seen;
  p.feed(Dir::kToServer, b(std::string(400, 'x') + "\r\nSSH-2.0-late\r\n"), &seen);
  EXPECT_EQ(seen.events, 0);
  EXPECT_FALSE(p.session().client.seen);
}

TEST(SshParser, BannerWithoutSoftwareDashIsRejected) {
  SshBanner banner;
  EXPECT_FALSE(parse_ssh_banner("SSH-2.0", &banner));
  EXPECT_TRUE(parse_ssh_banner("SSH-1.99-Cisco-1.25", &banner));
  EXPECT_EQ(banner.proto_version(), "1.99");
  EXPECT_EQ(banner.software_version(), "Cisco-1.25");
}

}  // namespace
}  // namespace canh::sensor::app
