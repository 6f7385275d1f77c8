#include "storage/user_store.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace canh::storage {
namespace {

using http::Role;

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = testing::open_test_db(dir.str());
    ASSERT_TRUE(db);
    users = std::make_unique<UserStore>(*db, PasswordHashing::fast_for_tests());
  }
  testing::TempDir dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<UserStore> users;
};

TEST_F(UserStoreTest, AddedUserVerifiesWithRightPasswordOnly) {
  ASSERT_TRUE(users->add("lan", Role::kAnalyst, "correct horse battery"));
  auto ok = users->verify("lan", "correct horse battery");
  ASSERT_TRUE(ok) << ok.status().message();
  EXPECT_EQ(ok->role, Role::kAnalyst);
  auto bad = users->verify("lan", "wrong password!!");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), Status::Code::kPermission);
  auto nobody = users->verify("nobody", "correct horse battery");
  ASSERT_FALSE(nobody);
  // Same message for unknown user and wrong password: names cannot be probed.
  EXPECT_EQ(nobody.status().message(), bad.status().message());
}

TEST_F(UserStoreTest, StoredHashIsArgon2idNeverThePassword) {
  ASSERT_TRUE(users->add("lan", Role::kAnalyst, "correct horse battery"));
  auto raw = db->get(kUsersFamily, "u/lan");
  ASSERT_TRUE(raw && raw.value());
  EXPECT_NE(raw.value()->find("$argon2id$"), std::string::npos);
  EXPECT_EQ(raw.value()->find("correct horse"), std::string::npos);
}

TEST_F(UserStoreTest, DuplicateNameBadNameAndShortPasswordAreRefused) {
  ASSERT_TRUE(users->add("lan", Role::kAnalyst, "correct horse battery"));
  EXPECT_EQ(users->add("lan", Role::kAdmin, "another long one").code(), Status::Code::kConflict);
  EXPECT_EQ(users->add("Lan Anh", Role::kAdmin, "another long one").code(), Status::Code::kInvalid);
  EXPECT_EQ(users->add("minh", Role::kAdmin, "short").code(), Status::Code::kInvalid);
  EXPECT_EQ(users->add("minh", Role::kSensor, "long enough pw").code(), Status::Code::kInvalid);
}

TEST_F(UserStoreTest, DisabledUserCannotSignIn) {
  ASSERT_TRUE(users->add("lan", Role::kAnalyst, "correct horse battery"));
  ASSERT_TRUE(users->set_disabled("lan", true));
  EXPECT_FALSE(users->verify("lan", "correct horse battery"));
  ASSERT_TRUE(users->set_disabled("lan", false));
  EXPECT_TRUE(users->verify("lan", "correct horse battery"));
}

TEST_F(UserStoreTest, RoleAndPasswordChangesPersist) {
  ASSERT_TRUE(users->add("lan", Role::kAnalyst, "correct horse battery"));
  ASSERT_TRUE(users->set_role("lan", Role::kAuditor));
  ASSERT_TRUE(users->set_password("lan", "a brand new password"));
  EXPECT_FALSE(users->verify("lan", "correct horse battery"));
  auto u = users->verify("lan", "a brand new password");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->role, Role::kAuditor);
  EXPECT_EQ(users->set_role("ghost", Role::kAdmin).code(), Status::Code::kNotFound);
  auto all = users->list();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(UserStoreTest, SessionsExpireAndAreStoredHashed) {
  SessionStore sessions(*db, {1000});
  auto c = sessions.create("lan", 5000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id.size(), 64u);
  EXPECT_EQ(c->session.csrf_token.size(), 64u);
  auto found = sessions.lookup(c->id, 5500);
  ASSERT_TRUE(found && found.value());
  EXPECT_EQ(found.value()->user, "lan");
  EXPECT_EQ(found.value()->csrf_token, c->session.csrf_token);
  EXPECT_FALSE(db->get(kSessionsFamily, "s/" + c->id).value());  // the id itself is not a key
  auto expired = sessions.lookup(c->id, 6001);
  ASSERT_TRUE(expired);
  EXPECT_FALSE(expired.value());
}

TEST_F(UserStoreTest, RevokedSessionsAreGone) {
  SessionStore sessions(*db);
  auto a = sessions.create("lan", 0);
  auto b = sessions.create("lan", 0);
  auto other = sessions.create("minh", 0);
  ASSERT_TRUE(a && b && other);
  ASSERT_TRUE(sessions.revoke(a->id));
  EXPECT_FALSE(sessions.lookup(a->id, 1).value());
  EXPECT_TRUE(sessions.lookup(b->id, 1).value());
  ASSERT_TRUE(sessions.revoke_user("lan"));
  EXPECT_FALSE(sessions.lookup(b->id, 1).value());
  EXPECT_TRUE(sessions.lookup(other->id, 1).value());
}

TEST_F(UserStoreTest, ApiTokensCheckSecretExpiryAndRevocation) {
  ApiTokenStore tokens(*db);
  auto t = tokens.create("lan", "nightly export", Role::kReadOnly, 10000, 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->secret.rfind("canh_at_", 0), 0u);
  auto ok = tokens.lookup(t->secret, 5);
  ASSERT_TRUE(ok && ok.value());
  EXPECT_EQ(ok.value()->user, "lan");
  EXPECT_EQ(ok.value()->role, Role::kReadOnly);
  std::string forged = t->secret;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_FALSE(tokens.lookup(forged, 5).value());
  EXPECT_FALSE(tokens.lookup(t->secret, 10000).value());  // expired
  auto forever = tokens.create("lan", "", Role::kAnalyst, 0, 0);
  ASSERT_TRUE(forever);
  EXPECT_TRUE(tokens.lookup(forever->secret, 1ll << 50).value());
  ASSERT_TRUE(tokens.revoke(forever->token.id));
  EXPECT_FALSE(tokens.lookup(forever->secret, 1).value());
  EXPECT_EQ(tokens.list("lan")->size(), 2u);
  EXPECT_EQ(tokens.list("minh")->size(), 0u);
}

}  // namespace
}  // namespace canh::storage
