// The level questionnaire: answers checked against the framework's questions, and the suggested
// level computed from its criteria — the highest level any matched criterion gives (Decree 85 Art 5,
// Decree 331 Art 8.2) — with each matched criterion and its article, so the reasoning is shown.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "console/compliance/framework.h"

namespace canh::compliance {

// Answers as a JSON object keyed by question id: bool -> true/false, int -> integer, enum -> option
// id, multi -> array of option ids. Unknown questions, wrong types, numbers out of range, unknown or
// repeated options are errors naming the question. `null` leaves a question unanswered.
Result<Values> parse_answers(const Framework& fw, const boost::json::object& answers);
boost::json::object answers_to_json(const Framework& fw, const Values& values);

// Questions a submission still needs (every question but nullable ones).
std::vector<std::string> unanswered(const Framework& fw, const Values& values);

struct Suggestion {
  int level = 0;  // 0: no criterion matched
  struct Match {
    int level = 0;
    const Criterion* criterion = nullptr;
  };
  std::vector<Match> matched;       // in the framework's order
  std::vector<std::string> missing;  // unanswered questions some criterion reads
};

Suggestion suggest(const Framework& fw, const Values& values);

}  // namespace canh::compliance
