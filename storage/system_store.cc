#include "storage/system_store.h"

#include <boost/json.hpp>
#include <cctype>
#include <memory>

#include "storage/database.h"
#include "storage/keys.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

constexpr std::string_view kNextIdKey = "n";

std::string system_key(uint32_t id) {
  std::string k = "s";
  keys::put_u32(k, id);
  return k;
}

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
int64_t num(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

std::string encode(const InfoSystem& s) {
  json::array ranges, contacts, sensors, duties;
  for (const auto& r : s.ranges) ranges.emplace_back(r.to_string());
  for (const auto& c : s.contacts)
    contacts.push_back(json::object{{"name", c.name}, {"role", c.role}, {"email", c.email}, {"phone", c.phone}});
  for (auto id : s.sensors) sensors.emplace_back(id);
  for (const auto& d : s.duties) duties.push_back(json::object{{"user", d.user}, {"duty", d.duty}});
  json::object o{{"id", s.id},
                 {"name", s.name},
                 {"owner", s.owner},
                 {"operating_unit", s.operating_unit},
                 {"description", s.description},
                 {"ranges", std::move(ranges)},
                 {"contacts", std::move(contacts)},
                 {"sensors", std::move(sensors)},
                 {"duties", std::move(duties)},
                 {"archived", s.archived},
                 {"created_ms", s.created_ms},
                 {"updated_ms", s.updated_ms},
                 {"created_by", s.created_by},
                 {"updated_by", s.updated_by},
                 {"revision", s.revision}};
  return json::serialize(o);
}

Result<InfoSystem> decode(std::string_view raw) {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) return Status::io("corrupt information-system record");
  const auto& o = v.get_object();
  InfoSystem s;
  s.id = static_cast<uint32_t>(num(o, "id"));
  s.name = str(o, "name");
  s.owner = str(o, "owner");
  s.operating_unit = str(o, "operating_unit");
  s.description = str(o, "description");
  if (auto* a = o.if_contains("ranges"); a && a->is_array())
    for (const auto& r : a->get_array()) {
      if (!r.is_string()) continue;
      auto c = Cidr::parse(r.get_string());
      if (!c) return Status::io("information system " + std::to_string(s.id) + ": stored range: " + c.status().message());
      s.ranges.push_back(*c);
    }
  if (auto* a = o.if_contains("contacts"); a && a->is_array())
    for (const auto& c : a->get_array())
      if (c.is_object())
        s.contacts.push_back({str(c.get_object(), "name"), str(c.get_object(), "role"), str(c.get_object(), "email"),
                              str(c.get_object(), "phone")});
  if (auto* a = o.if_contains("sensors"); a && a->is_array())
    for (const auto& x : a->get_array())
      if (x.is_int64() && x.get_int64() >= 0 && x.get_int64() <= UINT32_MAX)
        s.sensors.push_back(static_cast<uint32_t>(x.get_int64()));
  if (auto* a = o.if_contains("duties"); a && a->is_array())
    for (const auto& d : a->get_array())
      if (d.is_object()) s.duties.push_back({str(d.get_object(), "user"), str(d.get_object(), "duty")});
  if (auto* a = o.if_contains("archived"); a && a->is_bool()) s.archived = a->get_bool();
  s.created_ms = num(o, "created_ms");
  s.updated_ms = num(o, "updated_ms");
  s.created_by = str(o, "created_by");
  s.updated_by = str(o, "updated_by");
  s.revision = static_cast<uint64_t>(num(o, "revision"));
  return s;
}

Status check_text(std::string_view field, const std::string& v, size_t max, bool required) {
  if (required && v.find_first_not_of(" \t") == std::string::npos) return Status::invalid(std::string(field) + ": required");
  if (v.size() > max) return Status::invalid(std::string(field) + ": longer than " + std::to_string(max) + " bytes");
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
      return Status::invalid(std::string(field) + ": control characters are not allowed");
  return Status::ok();
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

Status SystemStore::validate(const InfoSystem& s) {
  using L = SystemLimits;
  CANH_RETURN_IF_ERROR(check_text("name", s.name, L::kName, true));
  if (s.name.find('\n') != std::string::npos) return Status::invalid("name: must be one line");
  CANH_RETURN_IF_ERROR(check_text("owner", s.owner, L::kText, true));
  CANH_RETURN_IF_ERROR(check_text("operating_unit", s.operating_unit, L::kText, true));
  CANH_RETURN_IF_ERROR(check_text("description", s.description, L::kDescription, false));
  if (s.ranges.size() > L::kRanges) return Status::invalid("ranges: more than " + std::to_string(L::kRanges));
  for (size_t i = 0; i < s.ranges.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (s.ranges[i].base == s.ranges[j].base && s.ranges[i].bits == s.ranges[j].bits)
        return Status::invalid("ranges: " + s.ranges[i].to_string() + " is listed twice");
  if (s.contacts.size() > L::kContacts) return Status::invalid("contacts: more than " + std::to_string(L::kContacts));
  for (size_t i = 0; i < s.contacts.size(); ++i) {
    std::string p = "contacts[" + std::to_string(i) + "].";
    const auto& c = s.contacts[i];
    CANH_RETURN_IF_ERROR(check_text(p + "name", c.name, L::kText, true));
    CANH_RETURN_IF_ERROR(check_text(p + "role", c.role, L::kText, false));
    CANH_RETURN_IF_ERROR(check_text(p + "email", c.email, L::kText, false));
    CANH_RETURN_IF_ERROR(check_text(p + "phone", c.phone, 64, false));
    if (!c.email.empty() && (c.email.find('@') == std::string::npos || c.email.find_first_of(" \n<>\"") != std::string::npos))
      return Status::invalid(p + "email: \"" + c.email + "\" is not an e-mail address");
  }
  if (s.sensors.size() > L::kSensors) return Status::invalid("sensors: more than " + std::to_string(L::kSensors));
  if (s.duties.size() > L::kDuties) return Status::invalid("duties: more than " + std::to_string(L::kDuties));
  for (size_t i = 0; i < s.duties.size(); ++i) {
    std::string p = "duties[" + std::to_string(i) + "].";
    CANH_RETURN_IF_ERROR(check_text(p + "user", s.duties[i].user, 64, true));
    CANH_RETURN_IF_ERROR(check_text(p + "duty", s.duties[i].duty, 32, true));
    for (size_t j = 0; j < i; ++j)
      if (s.duties[j].user == s.duties[i].user && s.duties[j].duty == s.duties[i].duty)
        return Status::invalid(p + "user: \"" + s.duties[i].user + "\" holds \"" + s.duties[i].duty + "\" twice");
  }
  return Status::ok();
}

SystemStore::SystemStore(Database& db) : db_(db), table_(std::make_shared<RangeTable>()) {
  if (!db_.family(kSystemsFamily)) {
    init_status_ = Status::internal("no column family " + std::string(kSystemsFamily));
    return;
  }
  init_status_ = load_ranges();
}

Status SystemStore::load_ranges() {
  auto all = list();
  if (!all) return all.status();
  std::lock_guard lock(mu_);
  rebuild_ranges(*all);
  return Status::ok();
}

void SystemStore::rebuild_ranges(const std::vector<InfoSystem>& all) {
  std::vector<std::pair<uint32_t, Cidr>> r;
  for (const auto& s : all)
    if (!s.archived)
      for (const auto& c : s.ranges) r.emplace_back(s.id, c);
  table_ = std::make_shared<const RangeTable>(r);
  all_ranges_ = std::move(r);
}

std::vector<std::pair<uint32_t, Cidr>> SystemStore::all_ranges() const {
  std::lock_guard lock(mu_);
  return all_ranges_;
}

std::shared_ptr<const RangeTable> SystemStore::ranges() const {
  std::lock_guard lock(mu_);
  return table_;
}

Status SystemStore::put(const InfoSystem& s) {
  return db_.put(kSystemsFamily, system_key(s.id), encode(s), true);
}

Result<InfoSystem> SystemStore::create(InfoSystem s, std::string_view by, int64_t now_ms) {
  if (!init_status_) return init_status_;
  CANH_RETURN_IF_ERROR(validate(s));
  // Read under the lock: the uniqueness check and the id must see every earlier create.
  std::lock_guard lock(mu_);
  auto all = list();
  if (!all) return all.status();
  for (const auto& o : *all)
    if (!o.archived && lower(o.name) == lower(s.name))
      return Status::conflict("name: a system called \"" + o.name + "\" exists (id " + std::to_string(o.id) + ")");
  auto next = db_.get(kSystemsFamily, kNextIdKey);
  if (!next) return next.status();
  uint32_t id = 1;
  if (next.value()) keys::get_u32(*next.value(), 0, &id);
  s.id = id;
  s.created_ms = s.updated_ms = now_ms;
  s.created_by = s.updated_by = std::string(by);
  s.revision = 1;
  s.archived = false;
  std::string nk;
  keys::put_u32(nk, id + 1);
  rocksdb::WriteBatch b;
  auto* h = db_.family(kSystemsFamily);
  b.Put(h, system_key(id), encode(s));
  b.Put(h, kNextIdKey, nk);
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  all->push_back(s);
  rebuild_ranges(*all);
  return s;
}

Result<InfoSystem> SystemStore::update(InfoSystem s, uint64_t expected_revision, std::string_view by, int64_t now_ms) {
  if (!init_status_) return init_status_;
  CANH_RETURN_IF_ERROR(validate(s));
  std::lock_guard lock(mu_);
  auto all = list();
  if (!all) return all.status();
  InfoSystem* cur = nullptr;
  for (auto& o : *all) {
    if (o.id == s.id) cur = &o;
    else if (!o.archived && !s.archived && lower(o.name) == lower(s.name))
      return Status::conflict("name: a system called \"" + o.name + "\" exists (id " + std::to_string(o.id) + ")");
  }
  if (!cur) return Status::not_found("no information system " + std::to_string(s.id));
  if (cur->revision != expected_revision)
    return Status::conflict("information system " + std::to_string(s.id) + " was changed by " + cur->updated_by +
                            " since you read it (revision " + std::to_string(cur->revision) + "): reload and retry");
  s.created_ms = cur->created_ms;
  s.created_by = cur->created_by;
  s.updated_ms = now_ms;
  s.updated_by = std::string(by);
  s.revision = cur->revision + 1;
  CANH_RETURN_IF_ERROR(put(s));
  *cur = s;
  rebuild_ranges(*all);
  return s;
}

Result<std::optional<InfoSystem>> SystemStore::get(uint32_t id) const {
  if (!init_status_) return init_status_;
  auto raw = db_.get(kSystemsFamily, system_key(id));
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<InfoSystem>();
  auto s = decode(*raw.value());
  if (!s) return s.status();
  return std::optional<InfoSystem>(std::move(*s));
}

Result<std::vector<InfoSystem>> SystemStore::list() const {
  auto* h = db_.family(kSystemsFamily);
  if (!h) return Status::internal("no column family " + std::string(kSystemsFamily));
  std::vector<InfoSystem> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->Seek("s"); it->Valid() && it->key().starts_with("s"); it->Next()) {
    auto s = decode(std::string_view(it->value().data(), it->value().size()));
    if (!s) return s.status();
    out.push_back(std::move(*s));
  }
  if (!it->status().ok()) return to_status(it->status(), "scan information systems");
  return out;
}

}  // namespace canh::storage
