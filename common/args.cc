#include "common/args.h"

#include <algorithm>

namespace canh {

ArgParser::ArgParser(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

ArgParser& ArgParser::flag(std::string long_name, char short_name, std::string help) {
  specs_.push_back({std::move(long_name), short_name, "", std::move(help), "", false});
  return *this;
}

ArgParser& ArgParser::option(std::string long_name, char short_name, std::string value_name, std::string help,
                             std::string default_value, bool repeatable) {
  specs_.push_back({std::move(long_name), short_name, std::move(value_name), std::move(help),
                    std::move(default_value), repeatable});
  return *this;
}

ArgParser& ArgParser::positional(std::string name, std::string help, bool many, bool required) {
  positional_specs_.push_back({std::move(name), std::move(help), many, required});
  return *this;
}

ArgParser& ArgParser::epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

const ArgParser::Spec* ArgParser::find_long(std::string_view name) const {
  for (const auto& s : specs_)
    if (s.long_name == name) return &s;
  return nullptr;
}

const ArgParser::Spec* ArgParser::find_short(char c) const {
  for (const auto& s : specs_)
    if (c != 0 && s.short_name == c) return &s;
  return nullptr;
}

Status ArgParser::parse(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse(args);
}

Status ArgParser::parse(const std::vector<std::string>& args) {
  auto store = [this](const Spec& s, std::string value) {
    auto& v = values_[s.long_name];
    if (!s.repeatable) v.clear();
    v.push_back(std::move(value));
  };
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positionals || a.size() < 2 || a[0] != '-') {
      positionals_.push_back(a);
      continue;
    }
    if (a == "--") { only_positionals = true; continue; }
    if (a == "--help" || a == "-h") { help_requested_ = true; return Status::ok(); }
    const Spec* s = nullptr;
    std::string inline_value;
    bool has_inline = false;
    std::string shown;
    if (a[1] == '-') {
      std::string_view body(a);
      body.remove_prefix(2);
      auto eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      if (eq != std::string_view::npos) { inline_value = std::string(body.substr(eq + 1)); has_inline = true; }
      s = find_long(name);
      shown = "--" + std::string(name);
    } else {
      s = find_short(a[1]);
      shown = std::string("-") + a[1];
      if (a.size() > 2) { inline_value = a.substr(2); has_inline = true; }
    }
    if (!s) return Status::invalid(program_ + ": unknown option " + shown + " (see --help)");
    if (s->value_name.empty()) {
      if (has_inline && a[1] == '-') return Status::invalid(program_ + ": option " + shown + " takes no value");
      if (has_inline) return Status::invalid(program_ + ": unknown option " + a + " (see --help)");
      values_[s->long_name] = {"true"};
      continue;
    }
    if (has_inline) { store(*s, inline_value); continue; }
    if (i + 1 >= args.size()) return Status::invalid(program_ + ": option " + shown + " needs a value");
    store(*s, args[++i]);
  }
  size_t min_needed = 0;
  bool many = false;
  for (const auto& p : positional_specs_) {
    if (p.required) ++min_needed;
    many = many || p.many;
  }
  if (positionals_.size() < min_needed)
    return Status::invalid(program_ + ": missing " + positional_specs_[positionals_.size()].name + " (see --help)");
  if (!many && positionals_.size() > positional_specs_.size())
    return Status::invalid(program_ + ": unexpected argument \"" + positionals_[positional_specs_.size()] +
                           "\" (see --help)");
  return Status::ok();
}

bool ArgParser::has(std::string_view long_name) const { return values_.find(long_name) != values_.end(); }

std::string ArgParser::get(std::string_view long_name) const {
  auto it = values_.find(long_name);
  if (it != values_.end() && !it->second.empty()) return it->second.back();
  const Spec* s = find_long(long_name);
  return s ? s->default_value : std::string();
}

const std::vector<std::string>& ArgParser::all(std::string_view long_name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(long_name);
  return it == values_.end() ? kEmpty : it->second;
}

std::string ArgParser::usage() const {
  std::string out = "Usage: " + program_ + " [options]";
  for (const auto& p : positional_specs_) {
    out += ' ';
    out += p.required ? p.name : "[" + p.name + "]";
    if (p.many) out += "...";
  }
  out += "\n\n" + summary_ + "\n";
  if (!positional_specs_.empty()) {
    out += "\nArguments:\n";
    for (const auto& p : positional_specs_) out += "  " + p.name + std::string(std::max<size_t>(2, 24 - p.name.size()), ' ') + p.help + "\n";
  }
  out += "\nOptions:\n";
  auto line = [&out](std::string left, const std::string& help) {
    out += "  " + left;
    out += left.size() < 28 ? std::string(30 - left.size(), ' ') : "\n" + std::string(32, ' ');
    out += help + "\n";
  };
  for (const auto& s : specs_) {
    std::string left;
    if (s.short_name) left += std::string("-") + s.short_name + ", ";
    left += "--" + s.long_name;
    if (!s.value_name.empty()) left += " " + s.value_name;
    std::string help = s.help;
    if (!s.default_value.empty()) help += " (default: " + s.default_value + ")";
    if (s.repeatable) help += " [repeatable]";
    line(left, help);
  }
  line("-h, --help", "show this help and exit");
  if (!epilog_.empty()) out += "\n" + epilog_ + "\n";
  return out;
}

}  // namespace canh
