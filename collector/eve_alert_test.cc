#include "collector/eve_alert.h"

#include <gtest/gtest.h>

namespace canh::collector {
namespace {

const char* kGood =
    R"({"timestamp":"2026-11-23T15:33:30.123456+0000","flow_id":1,"event_type":"alert","src_ip":"10.0.0.1",)"
    R"("src_port":51234,"dest_ip":"192.168.1.10","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,)"
    R"("signature_id":2001,"rev":3,"signature":"ET POLICY test","category":"Policy","severity":2}})";

TEST(EveAlert, ParsesTheFieldsTheStoreIndexesAndKeepsTheLine) {
  storage::NewAlert a;
  ASSERT_TRUE(parse_eve_alert(kGood, &a).is_ok());
  EXPECT_EQ(a.ts_us, 1795448010123456);  // 2026-11-23T15:33:30.123456Z
  EXPECT_EQ(a.sid, 2001u);
  EXPECT_EQ(a.rev, 3u);
  EXPECT_EQ(a.severity, 2);
  EXPECT_EQ(a.src.to_string(), "10.0.0.1");
  EXPECT_EQ(a.dst_port, 80);
  EXPECT_EQ(a.proto, "TCP");
  EXPECT_EQ(a.signature, "ET POLICY test");
  EXPECT_EQ(a.category, "Policy");
  EXPECT_EQ(a.eve, kGood);
}

TEST(EveAlert, ErrorsNameTheField) {
  struct Case {
    const char* line;
    const char* field;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[1]", "not a JSON object"},
      {R"({"event_type":"flow"})", "event_type"},
      {R"({"event_type":"alert"})", "timestamp"},
      {R"({"event_type":"alert","timestamp":"yesterday"})", "timestamp"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"x","dest_ip":"1.1.1.1"})", "src_ip"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1","src_port":70000,"alert":{"signature_id":1}})",
       "src_port"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1"})", "alert"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1","alert":{"signature_id":0}})",
       "alert.signature_id"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1","alert":{"signature_id":"1"}})",
       "alert.signature_id"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1","alert":{"signature_id":1,"severity":256}})",
       "alert.severity"},
      {R"({"event_type":"alert","timestamp":"2026-11-23T15:33:30Z","src_ip":"1.1.1.1","dest_ip":"1.1.1.1","alert":{"signature_id":1,"signature":5}})",
       "alert.signature"},
  };
  for (const auto& c : cases) {
    storage::NewAlert a;
    Status s = parse_eve_alert(c.line, &a);
    ASSERT_FALSE(s.is_ok()) << c.line;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << c.line << " -> " << s.message();
  }
}

TEST(EveAlert, InvalidUtf8AndDeepNestingAreRefused) {
  storage::NewAlert a;
  std::string bad = std::string(R"({"event_type":"alert","x":")") + "\xff\xfe" + "\"}";
  EXPECT_FALSE(parse_eve_alert(bad, &a).is_ok());
  std::string deep = R"({"event_type":"alert","x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(parse_eve_alert(deep, &a).is_ok());
}

}  // namespace
}  // namespace canh::collector
