#include "console/compliance/criteria.h"

#include <gtest/gtest.h>

namespace canh::compliance {
namespace {

namespace json = boost::json;

class CriteriaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FrameworkSet::load("");
    ASSERT_TRUE(s) << s.status().message();
    set = *s;
    nd331 = set->get("nd331_2026");
    nd85 = set->get("nd85_2016");
  }
  Values answers(const Framework& fw, std::string_view text) {
    auto v = parse_answers(fw, json::parse(text).as_object());
    EXPECT_TRUE(v) << v.status().message();
    return v ? *v : Values(fw.questions.size());
  }
  // A complete questionnaire for a system that matches nothing, with `extra` overriding answers.
  std::string base331(std::string_view extra) {
    json::object o = json::parse(R"({"info_classes":["public"],"system_types":["other"],"online_service":false,
      "conditional_business":false,"admin_procedures":false,"data_subjects_basic":0,"data_subjects_sensitive":0,
      "infrastructure_scope":"none","national_egov_24x7":false,"ics_work_grade":"none",
      "secret_or_defence_impact":"none","strategic_defence":false,"national_data_store":false})").as_object();
    json::value more = json::parse(extra);
    for (auto& [k, v] : more.as_object()) o[k] = v;
    return json::serialize(o);
  }
  std::vector<std::string> articles(const Suggestion& s) {
    std::vector<std::string> out;
    for (const auto& m : s.matched) out.push_back(m.criterion->article);
    return out;
  }
  std::shared_ptr<const FrameworkSet> set;
  const Framework* nd331 = nullptr;
  const Framework* nd85 = nullptr;
};

TEST_F(CriteriaTest, InternalNoticeBoardIsLevel1) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"system_types":["internal"]})")));
  EXPECT_EQ(s.level, 1);
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 11.1"}));
  EXPECT_TRUE(s.missing.empty());
}

TEST_F(CriteriaTest, InternalSystemWithPersonalDataIsLevel2) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"system_types":["internal"],"info_classes":["public","personal"]})")));
  EXPECT_EQ(s.level, 2);
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 12.1"}));
}

TEST_F(CriteriaTest, StateSecretsKeepInternalSystemsOutOfLevel2Criterion) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"system_types":["internal"],"info_classes":["private","state_secret"],
      "secret_or_defence_impact":"harm"})")));
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 13.1"}));
}

TEST_F(CriteriaTest, AdministrativeProceduresAreLevel3UnderDecree331) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"system_types":["citizen_business"],"online_service":true,
      "admin_procedures":true,"info_classes":["public","personal"]})")));
  EXPECT_EQ(s.level, 3);
  // Art 12.2 matches too (not conditional business): the higher level wins and both are shown.
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 12.2", "Art 13.2"}));
}

TEST_F(CriteriaTest, DataSubjectThresholdsDecideBetween2And3) {
  auto two = suggest(*nd331, answers(*nd331, base331(R"({"online_service":true,"conditional_business":true,
      "data_subjects_basic":99999,"data_subjects_sensitive":9999})")));
  EXPECT_EQ(two.level, 3);  // conditional business alone reaches Art 13.2
  auto basic = suggest(*nd331, answers(*nd331, base331(R"({"online_service":true,"data_subjects_basic":100000})")));
  EXPECT_EQ(basic.level, 3);
  auto small = suggest(*nd331, answers(*nd331, base331(R"({"online_service":true,"data_subjects_basic":5})")));
  EXPECT_EQ(small.level, 2);
}

TEST_F(CriteriaTest, HighestMatchedLevelWins) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"infrastructure_scope":"international",
      "system_types":["infrastructure","internal"],"info_classes":["private"]})")));
  EXPECT_EQ(s.level, 5);
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 12.1", "Art 15.3"}));
}

TEST_F(CriteriaTest, PrimeMinisterDecisionSetsTheLevelItNames) {
  auto s = suggest(*nd331, answers(*nd331, base331(R"({"pm_decision_level":4})")));
  EXPECT_EQ(s.level, 4);
  ASSERT_EQ(s.matched.size(), 1u);
  EXPECT_EQ(s.matched[0].level, 4);
}

TEST_F(CriteriaTest, LegacyFrameworkUsesPublicServiceLevels) {
  std::string a = R"({"info_classes":["public"],"system_types":["citizen_business"],"online_service":true,
      "conditional_business":false,"public_service_level":3,"personal_data_users":50,"infrastructure_scope":"none",
      "national_egov_24x7":false,"ics_work_grade":"none","secret_or_defence_impact":"none","national_data_store":false})";
  auto s = suggest(*nd85, answers(*nd85, a));
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(articles(s), (std::vector<std::string>{"Art 8.2", "Art 9.2"}));
  EXPECT_TRUE(unanswered(*nd85, answers(*nd85, a)).empty());
}

TEST_F(CriteriaTest, UnansweredQuestionsAreListedAndNullableOnesAreNot) {
  auto v = answers(*nd331, R"({"system_types":["internal"]})");
  auto s = suggest(*nd331, v);
  EXPECT_FALSE(s.missing.empty());
  EXPECT_NE(std::find(s.missing.begin(), s.missing.end(), "info_classes"), s.missing.end());
  auto u = unanswered(*nd331, v);
  EXPECT_NE(std::find(u.begin(), u.end(), "online_service"), u.end());
  EXPECT_EQ(std::find(u.begin(), u.end(), "pm_decision_level"), u.end());
}

void expect_error(const Framework& fw, std::string_view text, std::string_view fragment) {
  auto v = parse_answers(fw, json::parse(text).as_object());
  ASSERT_FALSE(v) << text;
  EXPECT_NE(v.status().message().find(fragment), std::string::npos) << v.status().message();
}

TEST_F(CriteriaTest, BadAnswersAreRefusedNamingTheQuestion) {
  expect_error(*nd331, R"({"colour":"blue"})", "answers.colour: no such question");
  expect_error(*nd331, R"({"online_service":"yes"})", "answers.online_service: must be true or false");
  expect_error(*nd331, R"({"data_subjects_basic":-1})", "answers.data_subjects_basic: must be between 0 and");
  expect_error(*nd331, R"({"data_subjects_basic":1.5})", "must be a whole number");
  expect_error(*nd331, R"({"pm_decision_level":6})", "answers.pm_decision_level: must be between 1 and 5");
  expect_error(*nd331, R"({"infrastructure_scope":"galaxy"})", "\"galaxy\" is not an option");
  expect_error(*nd331, R"({"info_classes":"public"})", "must be a list of option ids");
  expect_error(*nd331, R"({"info_classes":["public","public"]})", "given twice");
  expect_error(*nd331, R"({"info_classes":[1]})", "a non-string is not an option");
  expect_error(*nd85, R"({"admin_procedures":true})", "no such question in framework nd85_2016");
}

TEST_F(CriteriaTest, AnswersRoundTripThroughJson) {
  auto v = answers(*nd331, base331(R"({"pm_decision_level":2})"));
  auto back = parse_answers(*nd331, answers_to_json(*nd331, v));
  ASSERT_TRUE(back);
  EXPECT_EQ(json::serialize(answers_to_json(*nd331, *back)), json::serialize(answers_to_json(*nd331, v)));
}

}  // namespace
}  // namespace canh::compliance
