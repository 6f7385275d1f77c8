#include "sensor/app/dns_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canh::sensor::app {
namespace {

using Bytes = std::vector<uint8_t>;

void u16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void name(Bytes& b, std::initializer_list<std::string_view> labels) {
  for (auto l : labels) {
    b.push_back(static_cast<uint8_t>(l.size()));
    b.insert(b.end(), l.begin(), l.end());
  }
  b.push_back(0);
}
Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an) {
  Bytes b;
  u16(b, id);
  u16(b, flags);
  u16(b, qd);
  u16(b, an);
  u16(b, 0);
  u16(b, 0);
  return b;
}

Bytes query(uint16_t id, std::initializer_list<std::string_view> labels, uint16_t type = 1) {
  Bytes b = header(id, 0x0100, 1, 0);
  name(b, labels);
  u16(b, type);
  u16(b, 1);
  return b;
}

// Response to "www.example.com A" with a CNAME (compressed against the question) and an A record
// whose name points at the CNAME's target.
Bytes response(uint16_t id) {
  Bytes b = header(id, 0x8180, 1, 2);
  name(b, {"www", "example", "com"});  // at offset 12
  u16(b, 1);
  u16(b, 1);
  // CNAME: name = pointer to 12, rdata = "cdn" + pointer to "example.com" (offset 16)
  b.insert(b.end(), {0xc0, 12});
  u16(b, 5);
  u16(b, 1);
  b.insert(b.end(), {0, 0, 0x0e, 0x10});  // ttl 3600
  size_t cname_rdata = b.size() + 2;
  u16(b, 6);
  b.insert(b.end(), {3, 'c', 'd', 'n', 0xc0, 16});
  // A: name = pointer to the CNAME rdata
  b.push_back(static_cast<uint8_t>(0xc0));
  b.push_back(static_cast<uint8_t>(cname_rdata));
  u16(b, 1);
  u16(b, 1);
  b.insert(b.end(), {0, 0, 0, 60});
  u16(b, 4);
  b.insert(b.end(), {93, 184, 216, 34});
  return b;
}

struct Events : TxObserver {
  std::vector<std::pair<uint64_t, std::string>> seen;
  void on_tx(const TxEvent& ev) override {
    seen.emplace_back(ev.tx_id, ev.dns->questions.empty() ? "" : std::string(ev.dns->view(ev.dns->questions[0].name)));
  }
};

TEST(DnsParser, QueryNameAndType) {
  DnsMessage m;
  Bytes q = query(0x1234, {"www", "Example", "com"}, 28);
  ASSERT_EQ(parse_dns(q, {}, &m), DnsError::kOk);
  EXPECT_EQ(m.id, 0x1234);
  EXPECT_FALSE(m.response());
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.view(m.questions[0].name), "www.Example.com");
  EXPECT_EQ(m.questions[0].type, 28);
}

TEST(DnsParser, CompressionPointersAreFollowed) {
  DnsMessage m;
  Bytes r = response(7);
  ASSERT_EQ(parse_dns(r, {}, &m), DnsError::kOk);
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.view(m.answers[0].name), "www.example.com");
  EXPECT_EQ(m.view(m.answers[0].data), "cdn.example.com");
  EXPECT_EQ(m.answers[0].ttl, 3600u);
  EXPECT_EQ(m.view(m.answers[1].name), "cdn.example.com");
  EXPECT_EQ(m.view(m.answers[1].data), "93.184.216.34");
  EXPECT_EQ(m.rcode(), 0);
}

TEST(DnsParser, PointerToItselfIsALoop) {
  Bytes b = header(1, 0x0100, 1, 0);
  b.insert(b.end(), {0xc0, 12});  // at offset 12, pointing at 12
  u16(b, 1);
  u16(b, 1);
  DnsMessage m;
  EXPECT_EQ(parse_dns(b, {}, &m), DnsError::kNameLoop);
}

TEST(DnsParser, ForwardPointerIsRejected) {
  // offset 12: label "a" then a pointer forward to 17 (label "b", then a pointer back to 12): a
  // pointer may only go backwards, which is what makes every walk end.
  Bytes b = header(1, 0x0100, 1, 0);
  b.insert(b.end(), {1, 'a', 0xc0, 17, 0xff, 1, 'b', 0xc0, 12});
  u16(b, 1);
  u16(b, 1);
  DnsMessage m;
  EXPECT_EQ(parse_dns(b, {}, &m), DnsError::kNameLoop);
}

TEST(DnsParser, BackwardPointerCycleIsRejected) {
  // offset 12: label "a", then at 14 a pointer back to 12. Backwards from where it stands, but not
  // below where the name started: following it would loop forever.
  Bytes b = header(1, 0x0100, 1, 0);
  b.insert(b.end(), {1, 'a', 0xc0, 12});
  u16(b, 1);
  u16(b, 1);
  DnsMessage m;
  EXPECT_EQ(parse_dns(b, {}, &m), DnsError::kNameLoop);
}

TEST(DnsParser, NameLongerThan255IsRejected) {
  Bytes b = header(1, 0x0100, 1, 0);
  for (int i = 0; i < 5; ++i) {
    b.push_back(63);
    b.insert(b.end(), 63, 'a');
  }
  b.push_back(0);
  u16(b, 1);
  u16(b, 1);
  DnsMessage m;
  EXPECT_EQ(parse_dns(b, {}, &m), DnsError::kNameTooLong);
}

TEST(DnsParser, TruncatedMessageKeepsWhatParsed) {
  Bytes r = response(9);
  r.resize(r.size() - 3);
  DnsMessage m;
  EXPECT_EQ(parse_dns(r, {}, &m), DnsError::kShort);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.view(m.questions[0].name), "www.example.com");
}

TEST(DnsParser, ResponseJoinsTheQueryTransaction) {
  DnsParser p;
  Events ev;
  p.feed_datagram(Dir::kToServer, query(1, {"a", "example"}), &ev);
  p.feed_datagram(Dir::kToServer, query(2, {"b", "example"}), &ev);
  p.feed_datagram(Dir::kToClient, response(2), &ev);
  p.feed_datagram(Dir::kToClient, response(1), &ev);
  ASSERT_EQ(ev.seen.size(), 4u);
  EXPECT_EQ(ev.seen[0].first, 0u);
  EXPECT_EQ(ev.seen[1].first, 1u);
  EXPECT_EQ(ev.seen[2].first, 1u);  // id 2 answers the second query
  EXPECT_EQ(ev.seen[3].first, 0u);
  EXPECT_EQ(p.tx_count(), 2u);
}

TEST(DnsParser, TcpFramingAcrossSegments) {
  Bytes q1 = query(5, {"one", "test"});
  Bytes q2 = query(6, {"two", "test"});
  Bytes stream;
  u16(stream, static_cast<uint16_t>(q1.size()));
  stream.insert(stream.end(), q1.begin(), q1.end());
  u16(stream, static_cast<uint16_t>(q2.size()));
  stream.insert(stream.end(), q2.begin(), q2.end());
  DnsParser p;
  Events ev;
  for (uint8_t byte : stream) p.feed_stream(Dir::kToServer, std::span<const uint8_t>(&byte, 1), &ev);
  ASSERT_EQ(ev.seen.size(), 2u);
  EXPECT_EQ(ev.seen[0].second, "one.test");
  EXPECT_EQ(ev.seen[1].second, "two.test");
}

TEST(DnsParser, TypeAndRcodeNames) {
  char buf[8];
  EXPECT_EQ(dns_type_name(28, buf), "AAAA");
  EXPECT_EQ(dns_type_name(4242, buf), "4242");
  EXPECT_EQ(dns_rcode_name(3, buf), "NXDOMAIN");
}

}  // namespace
}  // namespace canh::sensor::app
