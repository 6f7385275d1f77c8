#include "storage/sensor_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "storage/alert_test_util.h"
#include "storage/database.h"

namespace canh::storage {
namespace {

using testing::open_storage;
using testing::TempDir;

constexpr int64_t kNow = 1700000000000;
constexpr int64_t kDay = 86400000;

TEST(SensorStore, EnrolmentExchangesAOneTimeTokenForACredential) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto& s = st->sensors();
  auto c = s.create("hanoi-dc1", "core switch span", kNow, kDay);
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->sensor.state, SensorState::kPending);
  EXPECT_EQ(c->enrolment_token.rfind(kEnrolmentTokenPrefix, 0), 0u);

  auto e = s.enrol(c->enrolment_token, "sensor-host", kNow + 1000);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  EXPECT_EQ(e->sensor.state, SensorState::kActive);
  EXPECT_EQ(e->sensor.hostname, "sensor-host");
  EXPECT_EQ(e->credential.rfind(kSensorCredentialPrefix, 0), 0u);

  auto again = s.enrol(c->enrolment_token, "thief", kNow + 2000);
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.status().code(), Status::Code::kPermission);

  auto who = s.authenticate(e->credential);
  ASSERT_TRUE(who.is_ok());
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ((*who)->id, c->sensor.id);
  EXPECT_EQ((*who)->name, "hanoi-dc1");
}

TEST(SensorStore, SecretsAreNotStoredInTheClear) {
  TempDir dir;
  std::string token, cred;
  {
    auto st = open_storage(dir.str());
    auto c = st->sensors().create("s1", "", kNow, kDay);
    ASSERT_TRUE(c.is_ok());
    token = c->enrolment_token;
    auto c2 = st->sensors().create("s2", "", kNow, kDay);
    ASSERT_TRUE(c2.is_ok());
    auto e = st->sensors().enrol(c2->enrolment_token, "h", kNow);
    ASSERT_TRUE(e.is_ok());
    cred = e->credential;
    ASSERT_TRUE(st->db().flush().is_ok());
  }
  // Every byte the database wrote: neither secret (nor its random part) appears.
  std::string all;
  for (auto& f : std::filesystem::recursive_directory_iterator(dir.str())) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.find(token.substr(kEnrolmentTokenPrefix.size())), std::string::npos);
  EXPECT_EQ(all.find(cred.substr(kSensorCredentialPrefix.size())), std::string::npos);
}

TEST(SensorStore, ExpiredAndUnknownTokensAreRefusedAlike) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto c = st->sensors().create("s1", "", kNow, kDay);
  ASSERT_TRUE(c.is_ok());
  auto late = st->sensors().enrol(c->enrolment_token, "h", kNow + 2 * kDay);
  ASSERT_FALSE(late.is_ok());
  auto unknown = st->sensors().enrol("canh_enrol_nope", "h", kNow);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(late.status().message(), unknown.status().message());
}

TEST(SensorStore, DecommissionedSensorsAreRefused) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto c = st->sensors().create("s1", "", kNow, kDay);
  ASSERT_TRUE(c.is_ok());
  auto e = st->sensors().enrol(c->enrolment_token, "h", kNow);
  ASSERT_TRUE(e.is_ok());
  ASSERT_TRUE(st->sensors().decommission(c->sensor.id, kNow + 5).is_ok());
  auto who = st->sensors().authenticate(e->credential);
  ASSERT_FALSE(who.is_ok());
  EXPECT_EQ(who.status().code(), Status::Code::kPermission);
  auto tok = st->sensors().issue_token(c->sensor.id, kNow, kDay);
  EXPECT_FALSE(tok.is_ok());
  auto got = st->sensors().get(c->sensor.id);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->state, SensorState::kDecommissioned);
}

TEST(SensorStore, ReEnrolmentRetiresTheOldCredential) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto c = st->sensors().create("s1", "", kNow, kDay);
  ASSERT_TRUE(c.is_ok());
  auto first = st->sensors().enrol(c->enrolment_token, "h", kNow);
  ASSERT_TRUE(first.is_ok());
  auto tok = st->sensors().issue_token(c->sensor.id, kNow, kDay);
  ASSERT_TRUE(tok.is_ok());
  auto second = st->sensors().enrol(*tok, "h2", kNow);
  ASSERT_TRUE(second.is_ok());
  EXPECT_FALSE(st->sensors().authenticate(first->credential).is_ok());
  auto ok = st->sensors().authenticate(second->credential);
  ASSERT_TRUE(ok.is_ok() && ok->has_value());
  // Not a sensor credential at all: not ours, no error (the router tries other kinds).
  auto other = st->sensors().authenticate("canh_at_something");
  ASSERT_TRUE(other.is_ok());
  EXPECT_FALSE(other->has_value());
}

TEST(SensorStore, NamesAreValidatedAndUnique) {
  TempDir dir;
  auto st = open_storage(dir.str());
  EXPECT_TRUE(st->sensors().create("a", "", kNow, kDay).is_ok());
  auto dup = st->sensors().create("a", "", kNow, kDay);
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(dup.status().code(), Status::Code::kConflict);
  EXPECT_FALSE(st->sensors().create("", "", kNow, kDay).is_ok());
  EXPECT_FALSE(st->sensors().create("a b", "", kNow, kDay).is_ok());
  EXPECT_FALSE(st->sensors().create(std::string(65, 'x'), "", kNow, kDay).is_ok());
  auto l = st->sensors().list();
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->size(), 1u);
}

TEST(SensorStore, HeartbeatsKeepTheLatestHealthAndAHistory) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto c = st->sensors().create("s1", "", kNow, kDay);
  ASSERT_TRUE(c.is_ok());
  for (int i = 0; i < 5; ++i) {
    SensorHealth h;
    h.received_ms = kNow + i * 10000;
    h.packets = 1000 * (i + 1);
    h.drops = i;
    h.ruleset_version = "v" + std::to_string(i);
    ASSERT_TRUE(st->sensors().record_heartbeat(c->sensor.id, h).is_ok());
  }
  auto s = st->sensors().get(c->sensor.id);
  ASSERT_TRUE(s.is_ok() && s->has_value() && (*s)->health);
  EXPECT_EQ((*s)->health->packets, 5000u);
  EXPECT_EQ((*s)->health->ruleset_version, "v4");
  auto hist = st->sensors().health_history(c->sensor.id, kNow + 10000, kNow + 40000, 100);
  ASSERT_TRUE(hist.is_ok());
  ASSERT_EQ(hist->size(), 3u);
  EXPECT_EQ((*hist)[0].packets, 2000u);
  EXPECT_FALSE(st->sensors().record_heartbeat(999, SensorHealth{}).is_ok());
}

}  // namespace
}  // namespace canh::storage
