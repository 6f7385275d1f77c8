#include "console/compliance/criteria.h"

#include <algorithm>

namespace canh::compliance {

namespace json = boost::json;

namespace {

bool has_option(const Question& q, std::string_view id) {
  for (const auto& o : q.options)
    if (o.id == id) return true;
  return false;
}

}  // namespace

Result<Values> parse_answers(const Framework& fw, const json::object& answers) {
  Values v(fw.questions.size());
  for (const auto& [key, val] : answers) {
    size_t i = fw.question_index(key);
    std::string k = "answers." + std::string(key);
    if (i == SIZE_MAX) return Status::invalid(k + ": no such question in framework " + fw.id);
    if (val.is_null()) continue;
    const Question& q = fw.questions[i];
    switch (q.type) {
      case QuestionType::kBool:
        if (!val.is_bool()) return Status::invalid(k + ": must be true or false");
        v[i] = Value::of_bool(val.get_bool());
        break;
      case QuestionType::kInt: {
        int64_t n;
        if (val.is_int64()) n = val.get_int64();
        else if (val.is_uint64() && val.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) n = static_cast<int64_t>(val.get_uint64());
        else return Status::invalid(k + ": must be a whole number");
        if (n < q.min || n > q.max)
          return Status::invalid(k + ": must be between " + std::to_string(q.min) + " and " + std::to_string(q.max));
        v[i] = Value::of_int(n);
        break;
      }
      case QuestionType::kEnum:
        if (!val.is_string()) return Status::invalid(k + ": must be one option id");
        if (!has_option(q, val.get_string())) return Status::invalid(k + ": \"" + std::string(val.get_string()) + "\" is not an option");
        v[i] = Value::of_enum(std::string(val.get_string()));
        break;
      case QuestionType::kMulti: {
        if (!val.is_array()) return Status::invalid(k + ": must be a list of option ids");
        std::vector<std::string> s;
        for (const auto& x : val.get_array()) {
          if (!x.is_string() || !has_option(q, x.get_string()))
            return Status::invalid(k + ": " + (x.is_string() ? "\"" + std::string(x.get_string()) + "\"" : std::string("a non-string")) +
                                   " is not an option");
          std::string id(x.get_string());
          if (std::find(s.begin(), s.end(), id) != s.end()) return Status::invalid(k + ": \"" + id + "\" given twice");
          s.push_back(std::move(id));
        }
        v[i] = Value::of_set(std::move(s));
        break;
      }
    }
  }
  return v;
}

json::object answers_to_json(const Framework& fw, const Values& values) {
  json::object o;
  for (size_t i = 0; i < fw.questions.size() && i < values.size(); ++i) {
    const Value& v = values[i];
    if (!v.present) continue;
    const auto& id = fw.questions[i].id;
    switch (fw.questions[i].type) {
      case QuestionType::kBool: o[id] = v.b; break;
      case QuestionType::kInt: o[id] = v.i; break;
      case QuestionType::kEnum: o[id] = v.e; break;
      case QuestionType::kMulti: {
        json::array a;
        for (const auto& s : v.s) a.emplace_back(s);
        o[id] = std::move(a);
        break;
      }
    }
  }
  return o;
}

std::vector<std::string> unanswered(const Framework& fw, const Values& values) {
  std::vector<std::string> out;
  for (size_t i = 0; i < fw.questions.size(); ++i)
    if (!fw.questions[i].nullable && (i >= values.size() || !values[i].present)) out.push_back(fw.questions[i].id);
  return out;
}

Suggestion suggest(const Framework& fw, const Values& values) {
  Suggestion s;
  Values padded = values;
  padded.resize(fw.questions.size());
  for (const auto& c : fw.criteria) {
    for (size_t var : c.when.variables()) {
      const auto& id = fw.questions[var].id;
      if (!padded[var].present && !fw.questions[var].nullable &&
          std::find(s.missing.begin(), s.missing.end(), id) == s.missing.end())
        s.missing.push_back(id);
    }
    if (!c.when.eval(padded)) continue;
    int level = c.level;
    if (c.level_from != SIZE_MAX) {
      const Value& v = padded[c.level_from];
      if (!v.present || v.i < kMinLevel || v.i > kMaxLevel) continue;
      level = static_cast<int>(v.i);
    }
    s.matched.push_back({level, &c});
    s.level = std::max(s.level, level);
  }
  return s;
}

}  // namespace canh::compliance
