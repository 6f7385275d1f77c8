#include "storage/sensor_store.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"
#include "storage/user_store.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

// Keys in the "sensors" family:
//   'S' + id (4)      the sensor record (JSON)
//   'n' + name        id (4): names are unique
//   'T' + hash (32)   id (4) + expiry ms (8): an outstanding enrolment token
//   'C' + hash (32)   id (4): the sensor's credential
//   'c' + id (4)      hash (32): which credential is current, so re-enrolment can retire the old one
//   'I'               the last id handed out (4)
std::string hash_secret(std::string_view secret) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(h), sizeof h);
}
std::string key_of(char tag, uint32_t id) {
  std::string k(1, tag);
  keys::put_u32(k, id);
  return k;
}
std::string key_of(char tag, std::string_view rest) {
  std::string k(1, tag);
  k.append(rest);
  return k;
}

json::object health_json(const SensorHealth& h) {
  return {{"received_ms", h.received_ms},
          {"packets", h.packets},
          {"bytes", h.bytes},
          {"drops", h.drops},
          {"alerts", h.alerts},
          {"flows", h.flows},
          {"uptime_seconds", h.uptime_seconds},
          {"ruleset_version", h.ruleset_version},
          {"software_version", h.software_version},
          {"spool_batches", h.spool_batches},
          {"spool_bytes", h.spool_bytes},
          {"spool_dropped_alerts", h.spool_dropped_alerts}};
}

uint64_t u64_of(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return 0;
}
int64_t i64_of(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}
std::string str_of(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

SensorHealth health_from(const json::object& o) {
  SensorHealth h;
  h.received_ms = i64_of(o, "received_ms");
  h.packets = u64_of(o, "packets");
  h.bytes = u64_of(o, "bytes");
  h.drops = u64_of(o, "drops");
  h.alerts = u64_of(o, "alerts");
  h.flows = u64_of(o, "flows");
  h.uptime_seconds = u64_of(o, "uptime_seconds");
  h.ruleset_version = str_of(o, "ruleset_version");
  h.software_version = str_of(o, "software_version");
  h.spool_batches = u64_of(o, "spool_batches");
  h.spool_bytes = u64_of(o, "spool_bytes");
  h.spool_dropped_alerts = u64_of(o, "spool_dropped_alerts");
  return h;
}

std::string encode(const Sensor& s) {
  json::object o{{"id", s.id},
                 {"name", s.name},
                 {"description", s.description},
                 {"state", static_cast<int>(s.state)},
                 {"created_ms", s.created_ms},
                 {"enrolled_ms", s.enrolled_ms},
                 {"decommissioned_ms", s.decommissioned_ms},
                 {"token_expires_ms", s.token_expires_ms},
                 {"hostname", s.hostname}};
  if (s.health) o["health"] = health_json(*s.health);
  return json::serialize(o);
}

std::optional<Sensor> decode(std::string_view v) {
  boost::system::error_code ec;
  auto j = json::parse(v, ec);
  if (ec || !j.is_object()) return std::nullopt;
  const auto& o = j.get_object();
  Sensor s;
  s.id = static_cast<uint32_t>(u64_of(o, "id"));
  s.name = str_of(o, "name");
  s.description = str_of(o, "description");
  int st = static_cast<int>(i64_of(o, "state"));
  if (st < 0 || st > 2) return std::nullopt;
  s.state = static_cast<SensorState>(st);
  s.created_ms = i64_of(o, "created_ms");
  s.enrolled_ms = i64_of(o, "enrolled_ms");
  s.decommissioned_ms = i64_of(o, "decommissioned_ms");
  s.token_expires_ms = i64_of(o, "token_expires_ms");
  s.hostname = str_of(o, "hostname");
  if (auto* h = o.if_contains("health"); h && h->is_object()) s.health = health_from(h->get_object());
  return s;
}

const char* kFam = kSensorsFamily;

}  // namespace

std::string_view sensor_state_name(SensorState s) {
  switch (s) {
    case SensorState::kPending: return "pending";
    case SensorState::kActive: return "active";
    case SensorState::kDecommissioned: return "decommissioned";
  }
  return "pending";
}

Status SensorStore::check_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return Status::invalid("sensor name must be 1-64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return Status::invalid("sensor name \"" + std::string(name) + "\": only letters, digits, '.', '_' and '-'");
  }
  return Status::ok();
}

Result<std::optional<Sensor>> SensorStore::get_locked(uint32_t id) const {
  auto v = db_.get(kFam, key_of('S', id));
  if (!v) return v.status();
  if (!v->has_value()) return std::optional<Sensor>();
  auto s = decode(**v);
  if (!s) return Status::internal("sensor " + std::to_string(id) + ": unreadable record");
  return std::optional<Sensor>(std::move(*s));
}

Result<std::optional<Sensor>> SensorStore::get(uint32_t id) const { return get_locked(id); }

Result<SensorStore::Created> SensorStore::create(std::string_view name, std::string_view description, int64_t now_ms,
                                                 int64_t token_ttl_ms) {
  CANH_RETURN_IF_ERROR(check_name(name));
  if (description.size() > 1024) return Status::invalid("sensor description longer than 1024 bytes");
  std::lock_guard lock(mu_);
  auto existing = db_.get(kFam, key_of('n', name));
  if (!existing) return existing.status();
  if (existing->has_value()) return Status::conflict("a sensor named \"" + std::string(name) + "\" exists");
  auto last = db_.get(kFam, "I");
  if (!last) return last.status();
  uint32_t id = 1;
  if (last->has_value()) {
    uint32_t prev = 0;
    if (!keys::get_u32(**last, 0, &prev)) return Status::internal("sensors: unreadable id counter");
    id = prev + 1;
  }
  Created c;
  c.sensor.id = id;
  c.sensor.name = std::string(name);
  c.sensor.description = std::string(description);
  c.sensor.created_ms = now_ms;
  c.sensor.token_expires_ms = now_ms + token_ttl_ms;
  c.enrolment_token = std::string(kEnrolmentTokenPrefix) + random_hex(24);

  rocksdb::WriteBatch b;
  auto* h = db_.family(kFam);
  std::string idv;
  keys::put_u32(idv, id);
  b.Put(h, "I", idv);
  b.Put(h, key_of('n', name), idv);
  b.Put(h, key_of('S', id), encode(c.sensor));
  std::string tv = idv;
  keys::put_u64(tv, static_cast<uint64_t>(c.sensor.token_expires_ms));
  b.Put(h, key_of('T', hash_secret(c.enrolment_token)), tv);
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return c;
}

Result<std::string> SensorStore::issue_token(uint32_t id, int64_t now_ms, int64_t token_ttl_ms) {
  std::lock_guard lock(mu_);
  auto s = get_locked(id);
  if (!s) return s.status();
  if (!s->has_value()) return Status::not_found("no sensor " + std::to_string(id));
  Sensor sensor = std::move(**s);
  if (sensor.state == SensorState::kDecommissioned)
    return Status::conflict("sensor " + sensor.name + " is decommissioned");
  std::string token = std::string(kEnrolmentTokenPrefix) + random_hex(24);
  sensor.token_expires_ms = now_ms + token_ttl_ms;
  rocksdb::WriteBatch b;
  auto* h = db_.family(kFam);
  std::string tv;
  keys::put_u32(tv, id);
  keys::put_u64(tv, static_cast<uint64_t>(sensor.token_expires_ms));
  b.Put(h, key_of('T', hash_secret(token)), tv);
  b.Put(h, key_of('S', id), encode(sensor));
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return token;
}

Result<SensorStore::Enrolled> SensorStore::enrol(std::string_view token, std::string_view hostname, int64_t now_ms) {
  const Status refused = Status::permission("enrolment token unknown, used or expired: ask an admin for a new one");
  if (token.size() > 256) return refused;
  if (hostname.size() > 255) return Status::invalid("hostname longer than 255 bytes");
  std::lock_guard lock(mu_);
  std::string tkey = key_of('T', hash_secret(token));
  auto tv = db_.get(kFam, tkey);
  if (!tv) return tv.status();
  if (!tv->has_value()) return refused;
  uint32_t id = 0;
  uint64_t expires = 0;
  if (!keys::get_u32(**tv, 0, &id) || !keys::get_u64(**tv, 4, &expires)) return Status::internal("unreadable token record");
  auto* h = db_.family(kFam);
  if (static_cast<int64_t>(expires) < now_ms) {
    db_.raw()->Delete(rocksdb::WriteOptions(), h, tkey);
    return refused;
  }
  auto s = get_locked(id);
  if (!s) return s.status();
  if (!s->has_value()) return refused;
  Sensor sensor = std::move(**s);
  if (sensor.state == SensorState::kDecommissioned) return Status::permission("sensor " + sensor.name + " is decommissioned");

  Enrolled e;
  e.credential = std::string(kSensorCredentialPrefix) + random_hex(32);
  std::string chash = hash_secret(e.credential);
  rocksdb::WriteBatch b;
  b.Delete(h, tkey);
  // A re-enrolment retires the credential the sensor had before: whoever holds the old one (a
  // reinstalled machine's old disk) can no longer ship as this sensor.
  auto old = db_.get(kFam, key_of('c', id));
  if (!old) return old.status();
  if (old->has_value()) b.Delete(h, key_of('C', **old));
  std::string idv;
  keys::put_u32(idv, id);
  b.Put(h, key_of('C', chash), idv);
  b.Put(h, key_of('c', id), chash);
  sensor.state = SensorState::kActive;
  sensor.enrolled_ms = now_ms;
  sensor.token_expires_ms = 0;
  sensor.hostname = std::string(hostname);
  b.Put(h, key_of('S', id), encode(sensor));
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  e.sensor = std::move(sensor);
  return e;
}

Result<std::optional<Sensor>> SensorStore::authenticate(std::string_view credential) const {
  if (credential.substr(0, kSensorCredentialPrefix.size()) != kSensorCredentialPrefix || credential.size() > 256)
    return std::optional<Sensor>();
  auto v = db_.get(kFam, key_of('C', hash_secret(credential)));
  if (!v) return v.status();
  if (!v->has_value()) return Status::permission("sensor credential unknown or replaced: enrol the sensor again");
  uint32_t id = 0;
  if (!keys::get_u32(**v, 0, &id)) return Status::internal("unreadable credential record");
  auto s = get_locked(id);
  if (!s) return s.status();
  if (!s->has_value()) return Status::permission("sensor credential unknown or replaced: enrol the sensor again");
  if ((*s)->state == SensorState::kDecommissioned)
    return Status::permission("sensor " + (*s)->name + " is decommissioned");
  return s;
}

Status SensorStore::decommission(uint32_t id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto s = get_locked(id);
  if (!s) return s.status();
  if (!s->has_value()) return Status::not_found("no sensor " + std::to_string(id));
  Sensor sensor = std::move(**s);
  if (sensor.state == SensorState::kDecommissioned) return Status::ok();
  sensor.state = SensorState::kDecommissioned;
  sensor.decommissioned_ms = now_ms;
  sensor.token_expires_ms = 0;
  // The credential stays mapped to the sensor so that a decommissioned sensor still knocking is told
  // why it is refused; authenticate() checks the state.
  return db_.put(kFam, key_of('S', id), encode(sensor), true);
}

Result<std::vector<Sensor>> SensorStore::list() const {
  std::vector<Sensor> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.family(kFam)));
  for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) {
    auto s = decode(it->value().ToStringView());
    if (!s) return Status::internal("unreadable sensor record");
    out.push_back(std::move(*s));
  }
  if (!it->status().ok()) return to_status(it->status(), "list sensors");
  return out;
}

Status SensorStore::record_heartbeat(uint32_t id, const SensorHealth& health) {
  std::lock_guard lock(mu_);
  auto s = get_locked(id);
  if (!s) return s.status();
  if (!s->has_value()) return Status::not_found("no sensor " + std::to_string(id));
  Sensor sensor = std::move(**s);
  sensor.health = health;
  rocksdb::WriteBatch b;
  b.Put(db_.family(kFam), key_of('S', id), encode(sensor));
  std::string hk;
  keys::put_u32(hk, id);
  keys::put_u64(hk, static_cast<uint64_t>(health.received_ms));
  b.Put(db_.family(kSensorHealthFamily), hk, json::serialize(health_json(health)));
  // Health is not evidence: losing the last heartbeat to a crash costs nothing, the next one comes.
  return db_.write(b, false);
}

Result<std::vector<SensorHealth>> SensorStore::health_history(uint32_t id, int64_t from_ms, int64_t to_ms,
                                                            size_t limit) const {
  std::vector<SensorHealth> out;
  std::string lo, hi;
  keys::put_u32(lo, id);
  keys::put_u64(lo, static_cast<uint64_t>(std::max<int64_t>(0, from_ms)));
  keys::put_u32(hi, id);
  keys::put_u64(hi, static_cast<uint64_t>(std::max<int64_t>(0, to_ms)));
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(hi);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(ro, db_.family(kSensorHealthFamily)));
  for (it->Seek(lo); it->Valid() && out.size() < limit; it->Next()) {
    boost::system::error_code ec;
    auto j = json::parse(it->value().ToStringView(), ec);
    if (ec || !j.is_object()) continue;
    out.push_back(health_from(j.get_object()));
  }
  if (!it->status().ok()) return to_status(it->status(), "sensor health history");
  return out;
}

}  // namespace canh::storage
