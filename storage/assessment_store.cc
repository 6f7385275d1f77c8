#include "storage/assessment_store.h"

#include <boost/json.hpp>
#include <memory>

#include "storage/database.h"
#include "storage/keys.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

std::string dossier_key(uint32_t system, uint32_t version) {
  std::string k;
  keys::put_u32(k, system);
  keys::put_u32(k, version);
  return k;
}

std::string control_prefix(uint32_t system, std::string_view framework) {
  std::string k;
  keys::put_u32(k, system);
  k += framework;
  k += '\0';
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
bool flag(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}
const json::array* arr(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// The content half of a dossier, in a fixed key order: frozen versions compare it byte for byte.
json::object content_json(const Dossier& d) {
  json::array parts;
  for (const auto& p : d.parts) {
    json::array files;
    for (const auto& f : p.files) files.push_back(json::object{{"sha256", f.sha256}, {"name", f.name}, {"size", f.size}});
    parts.push_back(json::object{{"id", p.id}, {"text", p.text}, {"files", std::move(files)}});
  }
  return json::object{{"framework", d.framework},
                      {"answers", d.answers_json},
                      {"suggested_level", d.suggested_level},
                      {"proposed_level", d.proposed_level},
                      {"justification", d.justification},
                      {"parts", std::move(parts)},
                      {"regulation_approved", d.regulation_approved},
                      {"regulation_ref", d.regulation_ref},
                      {"system_running", d.system_running},
                      {"expert_opinion", d.expert_opinion},
                      {"appraisal_opinion", d.appraisal_opinion},
                      {"return_reasons", d.return_reasons},
                      {"decision_number", d.decision_number},
                      {"decision_date", d.decision_date},
                      {"pm_decision", d.pm_decision},
                      {"trigger", d.trigger},
                      {"snapshot", d.snapshot_json},
                      {"created_ms", d.created_ms},
                      {"approved_ms", d.approved_ms},
                      {"created_by", d.created_by}};
}

std::string encode(const Dossier& d) {
  json::array history;
  for (const auto& e : d.history)
    history.push_back(json::object{{"time_ms", e.time_ms}, {"actor", e.actor}, {"duty", e.duty}, {"action", e.action},
                                   {"from", e.from},       {"to", e.to},       {"note", e.note}});
  json::object o{{"system", d.system},
                 {"version", d.version},
                 {"state", d.state},
                 {"state_since_ms", d.state_since_ms},
                 {"history", std::move(history)},
                 {"reassessment_due_ms", d.reassessment_due_ms},
                 {"updated_ms", d.updated_ms},
                 {"revision", d.revision},
                 {"frozen", d.frozen},
                 {"content", content_json(d)}};
  return json::serialize(o);
}

Result<Dossier> decode(std::string_view raw) {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) return Status::io("corrupt dossier record");
  const auto& o = v.get_object();
  Dossier d;
  d.system = static_cast<uint32_t>(num(o, "system"));
  d.version = static_cast<uint32_t>(num(o, "version"));
  d.state = str(o, "state");
  d.state_since_ms = num(o, "state_since_ms");
  if (auto* h = arr(o, "history"))
    for (const auto& e : *h)
      if (e.is_object()) {
        const auto& x = e.get_object();
        d.history.push_back({num(x, "time_ms"), str(x, "actor"), str(x, "duty"), str(x, "action"), str(x, "from"),
                             str(x, "to"), str(x, "note")});
      }
  d.reassessment_due_ms = num(o, "reassessment_due_ms");
  d.updated_ms = num(o, "updated_ms");
  d.revision = static_cast<uint64_t>(num(o, "revision"));
  d.frozen = flag(o, "frozen");
  auto* cv = o.if_contains("content");
  if (!cv || !cv->is_object()) return Status::io("dossier record without content");
  const auto& c = cv->get_object();
  d.framework = str(c, "framework");
  d.answers_json = str(c, "answers");
  d.suggested_level = static_cast<int>(num(c, "suggested_level"));
  d.proposed_level = static_cast<int>(num(c, "proposed_level"));
  d.justification = str(c, "justification");
  if (auto* ps = arr(c, "parts"))
    for (const auto& p : *ps)
      if (p.is_object()) {
        DossierPart part{str(p.get_object(), "id"), str(p.get_object(), "text"), {}};
        if (auto* fs = arr(p.get_object(), "files"))
          for (const auto& f : *fs)
            if (f.is_object())
              part.files.push_back({str(f.get_object(), "sha256"), str(f.get_object(), "name"),
                                    static_cast<uint64_t>(num(f.get_object(), "size"))});
        d.parts.push_back(std::move(part));
      }
  d.regulation_approved = flag(c, "regulation_approved");
  d.regulation_ref = str(c, "regulation_ref");
  d.system_running = flag(c, "system_running");
  d.expert_opinion = str(c, "expert_opinion");
  d.appraisal_opinion = str(c, "appraisal_opinion");
  d.return_reasons = str(c, "return_reasons");
  d.decision_number = str(c, "decision_number");
  d.decision_date = str(c, "decision_date");
  d.pm_decision = str(c, "pm_decision");
  d.trigger = str(c, "trigger");
  d.snapshot_json = str(c, "snapshot");
  d.created_ms = num(c, "created_ms");
  d.approved_ms = num(c, "approved_ms");
  d.created_by = str(c, "created_by");
  return d;
}

Status too_long(std::string_view field, const std::string& v, size_t max) {
  if (v.size() > max) return Status::invalid(std::string(field) + ": longer than " + std::to_string(max) + " bytes");
  return Status::ok();
}

template <class F>
Status scan(Database& db, std::string_view family, std::string_view prefix, F&& f) {
  auto* h = db.family(family);
  if (!h) return Status::internal("no column family " + std::string(family));
  std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator(rocksdb::ReadOptions(), h));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    Status s = f(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()));
    if (!s) return s;
  }
  return to_status(it->status(), "scan " + std::string(family));
}

json::object control_json(const ControlState& s) {
  json::array ev;
  for (const auto& e : s.evidence)
    ev.push_back(json::object{{"id", e.id},       {"kind", e.kind},         {"ref", e.ref},          {"label", e.label},
                              {"size", e.size},   {"added_by", e.added_by}, {"added_ms", e.added_ms}});
  return json::object{{"system", s.system},         {"framework", s.framework},   {"control", s.control},
                      {"status", s.status},         {"reason", s.reason},         {"notes", s.notes},
                      {"evidence", std::move(ev)},  {"updated_by", s.updated_by}, {"updated_ms", s.updated_ms},
                      {"revision", s.revision}};
}

Result<ControlState> control_from(std::string_view raw) {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) return Status::io("corrupt control-status record");
  const auto& o = v.get_object();
  ControlState s;
  s.system = static_cast<uint32_t>(num(o, "system"));
  s.framework = str(o, "framework");
  s.control = str(o, "control");
  s.status = str(o, "status");
  s.reason = str(o, "reason");
  s.notes = str(o, "notes");
  if (auto* ev = arr(o, "evidence"))
    for (const auto& e : *ev)
      if (e.is_object()) {
        const auto& x = e.get_object();
        s.evidence.push_back({str(x, "id"), str(x, "kind"), str(x, "ref"), str(x, "label"),
                              static_cast<uint64_t>(num(x, "size")), str(x, "added_by"), num(x, "added_ms")});
      }
  s.updated_by = str(o, "updated_by");
  s.updated_ms = num(o, "updated_ms");
  s.revision = static_cast<uint64_t>(num(o, "revision"));
  return s;
}

}  // namespace

// --- dossiers -------------------------------------------------------------------------------------

DossierStore::DossierStore(Database& db) : db_(db) {}

Status DossierStore::validate(const Dossier& d) {
  using L = DossierLimits;
  if (d.system == 0) return Status::invalid("dossier: no system");
  if (d.framework.empty() || d.framework.size() > 64) return Status::invalid("framework: missing or too long");
  if (d.proposed_level < 0 || d.proposed_level > 5) return Status::invalid("proposed_level: must be 1 to 5");
  CANH_RETURN_IF_ERROR(too_long("answers", d.answers_json, L::kAnswers));
  CANH_RETURN_IF_ERROR(too_long("justification", d.justification, L::kText));
  CANH_RETURN_IF_ERROR(too_long("expert_opinion", d.expert_opinion, L::kText));
  CANH_RETURN_IF_ERROR(too_long("appraisal_opinion", d.appraisal_opinion, L::kText));
  CANH_RETURN_IF_ERROR(too_long("return_reasons", d.return_reasons, L::kText));
  CANH_RETURN_IF_ERROR(too_long("regulation_ref", d.regulation_ref, L::kShort));
  CANH_RETURN_IF_ERROR(too_long("decision_number", d.decision_number, L::kShort));
  CANH_RETURN_IF_ERROR(too_long("decision_date", d.decision_date, 32));
  CANH_RETURN_IF_ERROR(too_long("pm_decision", d.pm_decision, L::kShort));
  CANH_RETURN_IF_ERROR(too_long("trigger", d.trigger, L::kText));
  CANH_RETURN_IF_ERROR(too_long("snapshot", d.snapshot_json, L::kSnapshot));
  if (d.parts.size() > L::kParts) return Status::invalid("parts: more than " + std::to_string(L::kParts));
  for (const auto& p : d.parts) {
    CANH_RETURN_IF_ERROR(too_long("parts." + p.id + ".text", p.text, L::kText));
    if (p.files.size() > L::kFilesPerPart)
      return Status::invalid("parts." + p.id + ".files: more than " + std::to_string(L::kFilesPerPart));
  }
  if (d.history.size() > L::kHistory) return Status::invalid("history: more than " + std::to_string(L::kHistory) + " events");
  return Status::ok();
}

Result<Dossier> DossierStore::create(Dossier d) {
  CANH_RETURN_IF_ERROR(validate(d));
  std::lock_guard lock(mu_);
  auto all = list(d.system);
  if (!all) return all.status();
  d.version = all->empty() ? 1 : all->back().version + 1;
  d.revision = 1;
  CANH_RETURN_IF_ERROR(db_.put(kDossiersFamily, dossier_key(d.system, d.version), encode(d), true));
  return d;
}

Result<std::optional<Dossier>> DossierStore::get(uint32_t system, uint32_t version) const {
  auto raw = db_.get(kDossiersFamily, dossier_key(system, version));
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<Dossier>();
  auto d = decode(*raw.value());
  if (!d) return d.status();
  return std::optional<Dossier>(std::move(*d));
}

Result<std::vector<Dossier>> DossierStore::list(uint32_t system) const {
  std::vector<Dossier> out;
  std::string prefix;
  keys::put_u32(prefix, system);
  Status s = scan(db_, kDossiersFamily, prefix, [&](std::string_view, std::string_view v) {
    auto d = decode(v);
    if (!d) return d.status();
    out.push_back(std::move(*d));
    return Status::ok();
  });
  if (!s) return s;
  return out;
}

Result<std::vector<Dossier>> DossierStore::latest_per_system() const {
  std::vector<Dossier> out;
  auto* h = db_.family(kDossiersFamily);
  if (!h) return Status::internal("no column family " + std::string(kDossiersFamily));
  // Keys sort by (system, version): seek to the end of each system's versions and step back one.
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  it->SeekToFirst();
  while (it->Valid()) {
    uint32_t system = 0;
    if (!keys::get_u32(std::string_view(it->key().data(), it->key().size()), 0, &system)) break;
    if (system == UINT32_MAX) break;
    std::string next;
    keys::put_u32(next, system + 1);
    it->SeekForPrev(next);
    if (!it->Valid()) break;
    auto d = decode(std::string_view(it->value().data(), it->value().size()));
    if (!d) return d.status();
    out.push_back(std::move(*d));
    it->Seek(next);
  }
  if (!it->status().ok()) return to_status(it->status(), "scan dossiers");
  return out;
}

Result<std::vector<Dossier>> DossierStore::update(std::vector<Dossier> ds) {
  for (const auto& d : ds) CANH_RETURN_IF_ERROR(validate(d));
  std::lock_guard lock(mu_);
  rocksdb::WriteBatch b;
  auto* h = db_.family(kDossiersFamily);
  if (!h) return Status::internal("no column family " + std::string(kDossiersFamily));
  for (auto& d : ds) {
    std::string name = "dossier " + std::to_string(d.system) + " v" + std::to_string(d.version);
    auto cur = get(d.system, d.version);
    if (!cur) return cur.status();
    if (!cur.value()) return Status::not_found("no " + name);
    const Dossier& old = *cur.value();
    if (old.revision != d.revision)
      return Status::conflict(name + " was changed since it was read (revision " + std::to_string(old.revision) +
                              "): reload and retry");
    if (old.frozen) {
      if (json::serialize(content_json(old)) != json::serialize(content_json(d)))
        return Status::conflict(name + " is approved and cannot change: start a re-assessment (a new version)");
      d.frozen = true;
    }
    d.revision = old.revision + 1;
    b.Put(h, dossier_key(d.system, d.version), encode(d));
  }
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return ds;
}

// --- control statuses ----------------------------------------------------------------------------

Result<std::optional<ControlState>> ControlStore::get(uint32_t system, std::string_view framework,
                                                      std::string_view control) const {
  auto raw = db_.get(kControlStatusFamily, control_prefix(system, framework) + std::string(control));
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<ControlState>();
  auto s = control_from(*raw.value());
  if (!s) return s.status();
  return std::optional<ControlState>(std::move(*s));
}

Result<std::vector<ControlState>> ControlStore::list(uint32_t system, std::string_view framework) const {
  std::vector<ControlState> out;
  Status st = scan(db_, kControlStatusFamily, control_prefix(system, framework), [&](std::string_view, std::string_view v) {
    auto s = control_from(v);
    if (!s) return s.status();
    out.push_back(std::move(*s));
    return Status::ok();
  });
  if (!st) return st;
  return out;
}

Result<ControlState> ControlStore::put(ControlState s, uint64_t expected_revision) {
  if (s.control.empty() || s.control.size() > 64) return Status::invalid("control: missing or too long");
  if (s.framework.empty() || s.framework.size() > 64 || s.framework.find('\0') != std::string::npos)
    return Status::invalid("framework: missing or too long");
  if (s.notes.size() > kMaxNotes) return Status::invalid("notes: longer than " + std::to_string(kMaxNotes) + " bytes");
  if (s.reason.size() > kMaxNotes) return Status::invalid("reason: longer than " + std::to_string(kMaxNotes) + " bytes");
  if (s.evidence.size() > kMaxEvidence) return Status::invalid("evidence: more than " + std::to_string(kMaxEvidence) + " items");
  std::lock_guard lock(mu_);
  auto cur = get(s.system, s.framework, s.control);
  if (!cur) return cur.status();
  uint64_t stored = cur.value() ? cur.value()->revision : 0;
  if (stored != expected_revision)
    return Status::conflict("control " + s.control + " was changed since it was read (revision " + std::to_string(stored) +
                            "): reload and retry");
  s.revision = stored + 1;
  CANH_RETURN_IF_ERROR(db_.put(kControlStatusFamily, control_prefix(s.system, s.framework) + s.control,
                               json::serialize(control_json(s)), true));
  return s;
}

}  // namespace canh::storage
