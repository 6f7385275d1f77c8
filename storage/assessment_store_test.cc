#include "storage/assessment_store.h"

#include <gtest/gtest.h>

#include "storage/compliance_test_util.h"
#include "storage/evidence_store.h"

namespace canh::storage {
namespace {

Dossier draft(uint32_t system) {
  Dossier d;
  d.system = system;
  d.framework = "nd331_2026";
  d.state = "draft";
  d.proposed_level = 3;
  d.justification = "serves citizens";
  d.parts = {{"overview", "the portal", {}}};
  d.created_by = "lan";
  return d;
}

class AssessmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = testing::open_compliance_db(dir.str());
    ASSERT_TRUE(db);
  }
  testing::TempDir dir;
  std::unique_ptr<Database> db;
};

TEST_F(AssessmentStoreTest, VersionsCountPerSystem) {
  DossierStore st(*db);
  auto a = st.create(draft(1));
  auto b = st.create(draft(1));
  auto c = st.create(draft(2));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->version, 1u);
  EXPECT_EQ(b->version, 2u);
  EXPECT_EQ(c->version, 1u);
  auto l = st.list(1);
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].version, 1u);
  auto latest = st.latest_per_system();
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].system, 1u);
  EXPECT_EQ((*latest)[0].version, 2u);
  EXPECT_EQ((*latest)[1].system, 2u);
  auto got = st.get(1, 1);
  ASSERT_TRUE(got && got.value());
  EXPECT_EQ(got.value()->parts.at(0).text, "the portal");
  EXPECT_FALSE(st.get(1, 9).value());
}

TEST_F(AssessmentStoreTest, StaleRevisionIsAConflict) {
  DossierStore st(*db);
  auto a = st.create(draft(1));
  ASSERT_TRUE(a);
  Dossier d = *a;
  d.justification = "edited";
  auto u = st.update({d});
  ASSERT_TRUE(u) << u.status().message();
  EXPECT_EQ(u->at(0).revision, 2u);
  d.justification = "edited from a stale page";
  auto stale = st.update({d});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.status().code(), Status::Code::kConflict);
}

TEST_F(AssessmentStoreTest, FrozenVersionKeepsItsContentButItsLifecycleMovesOn) {
  DossierStore st(*db);
  auto a = st.create(draft(1));
  ASSERT_TRUE(a);
  Dossier d = *a;
  d.state = "approved";
  d.frozen = true;
  d.decision_number = "123/QĐ-UBND";
  auto approved = st.update({d});
  ASSERT_TRUE(approved);
  d = approved->at(0);
  Dossier edit = d;
  edit.proposed_level = 2;
  auto r = st.update({edit});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
  EXPECT_NE(r.status().message().find("approved"), std::string::npos);
  // Unfreezing is not possible either: the flag sticks.
  Dossier unfreeze = d;
  unfreeze.frozen = false;
  unfreeze.state = "in_force";
  auto moved = st.update({unfreeze});
  ASSERT_TRUE(moved) << moved.status().message();
  EXPECT_TRUE(moved->at(0).frozen);
  EXPECT_EQ(st.get(1, 1).value()->state, "in_force");
  EXPECT_EQ(st.get(1, 1).value()->proposed_level, 3);
}

TEST_F(AssessmentStoreTest, MultiUpdateIsAllOrNothing) {
  DossierStore st(*db);
  auto a = st.create(draft(1));
  auto b = st.create(draft(1));
  ASSERT_TRUE(a && b);
  Dossier x = *a, y = *b;
  x.state = "superseded";
  y.state = "approved";
  y.revision = 99;  // stale
  ASSERT_FALSE(st.update({x, y}));
  EXPECT_EQ(st.get(1, 1).value()->state, "draft");
}

TEST_F(AssessmentStoreTest, ValidationBoundsEveryText) {
  DossierStore st(*db);
  Dossier d = draft(1);
  d.justification = std::string(DossierLimits::kText + 1, 'x');
  auto r = st.create(d);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("justification"), std::string::npos);
  d = draft(0);
  EXPECT_FALSE(st.create(d));
}

TEST_F(AssessmentStoreTest, ControlStatusIsPerSystemAndFrameworkWithRevisions) {
  ControlStore cs(*db);
  ControlState s;
  s.system = 1;
  s.framework = "nd331_2026";
  s.control = "MGMT.POLICY.DEFINE";
  s.status = "met";
  s.evidence = {{"e1", "url", "https://intranet/policy.pdf", "policy", 0, "lan", 5}};
  auto p = cs.put(s, 0);
  ASSERT_TRUE(p) << p.status().message();
  EXPECT_EQ(p->revision, 1u);
  EXPECT_EQ(cs.put(s, 0).status().code(), Status::Code::kConflict);
  s.status = "partly_met";
  ASSERT_TRUE(cs.put(s, 1));
  ControlState other = s;
  other.framework = "nd85_2016";
  ASSERT_TRUE(cs.put(other, 0));
  other.system = 2;
  other.framework = "nd331_2026";
  ASSERT_TRUE(cs.put(other, 0));
  auto l = cs.list(1, "nd331_2026");
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].status, "partly_met");
  ASSERT_EQ((*l)[0].evidence.size(), 1u);
  EXPECT_EQ((*l)[0].evidence[0].ref, "https://intranet/policy.pdf");
}

TEST_F(AssessmentStoreTest, EvidenceIsStoredOncePerContentUnderItsSha256) {
  EvidenceStore es(*db);
  auto h = es.put("abc");
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2 example
  auto again = es.put("abc");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *h);
  auto got = es.get(*h);
  ASSERT_TRUE(got && got.value());
  EXPECT_EQ(*got.value(), "abc");
  EXPECT_FALSE(es.get(std::string(64, '0')).value());
  EXPECT_EQ(es.get("../../etc/passwd").status().code(), Status::Code::kInvalid);
  EXPECT_FALSE(es.put(""));
  EXPECT_FALSE(es.put(std::string(EvidenceStore::kMaxBytes + 1, 'x')));
}

}  // namespace
}  // namespace canh::storage
