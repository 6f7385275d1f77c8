#include "storage/alert_codec.h"

namespace canh::storage::codec {

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>(v >> (8 * i));
}
uint64_t get_le(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(in[pos + i]);
  return v;
}
void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
bool get_str(std::string_view in, size_t* pos, std::string* s) {
  uint64_t n = 0;
  if (!get_varint(in, pos, &n) || n > in.size() - *pos) return false;
  s->assign(in.substr(*pos, n));
  *pos += n;
  return true;
}

}  // namespace

std::string encode_record(const RecordHeader& h, const std::vector<uint32_t>& systems, std::string_view proto,
                          std::string_view signature, std::string_view category, std::string_view assignee,
                          std::string_view triaged_by, std::string_view eve) {
  std::string out;
  out.reserve(kRecordHeaderSize + systems.size() * 4 + proto.size() + signature.size() + category.size() +
              assignee.size() + triaged_by.size() + eve.size() + 16);
  out += static_cast<char>(h.version);
  out += static_cast<char>(h.state);
  out += static_cast<char>(h.severity);
  out += static_cast<char>(systems.size() > 255 ? 255 : systems.size());
  out.append(reinterpret_cast<const char*>(h.src.bytes.data()), 16);
  out.append(reinterpret_cast<const char*>(h.dst.bytes.data()), 16);
  put_le(out, h.sid, 4);
  put_le(out, h.gid, 4);
  put_le(out, h.rev, 4);
  put_le(out, h.sensor, 4);
  put_le(out, h.src_port, 2);
  put_le(out, h.dst_port, 2);
  put_le(out, static_cast<uint64_t>(h.received_ms), 8);
  put_le(out, static_cast<uint64_t>(h.triaged_ms), 8);
  for (size_t i = 0; i < systems.size() && i < 255; ++i) put_le(out, systems[i], 4);
  put_str(out, proto);
  put_str(out, signature);
  put_str(out, category);
  put_str(out, assignee);
  put_str(out, triaged_by);
  put_str(out, eve);
  return out;
}

bool decode_header(std::string_view v, RecordHeader* h) {
  if (v.size() < kRecordHeaderSize || static_cast<uint8_t>(v[0]) != 1) return false;
  h->version = 1;
  uint8_t st = static_cast<uint8_t>(v[1]);
  if (st >= kTriageStateCount) return false;
  h->state = static_cast<TriageState>(st);
  h->severity = static_cast<uint8_t>(v[2]);
  std::memcpy(h->src.bytes.data(), v.data() + 4, 16);
  std::memcpy(h->dst.bytes.data(), v.data() + 20, 16);
  h->sid = static_cast<uint32_t>(get_le(v, 36, 4));
  h->gid = static_cast<uint32_t>(get_le(v, 40, 4));
  h->rev = static_cast<uint32_t>(get_le(v, 44, 4));
  h->sensor = static_cast<uint32_t>(get_le(v, 48, 4));
  h->src_port = static_cast<uint16_t>(get_le(v, 52, 2));
  h->dst_port = static_cast<uint16_t>(get_le(v, 54, 2));
  h->received_ms = static_cast<int64_t>(get_le(v, 56, 8));
  h->triaged_ms = static_cast<int64_t>(get_le(v, 64, 8));
  return true;
}

bool decode_record(std::string_view v, const AlertId& id, Alert* out, bool with_eve) {
  RecordHeader h;
  if (!decode_header(v, &h)) return false;
  size_t nsys = static_cast<uint8_t>(v[3]);
  size_t pos = kRecordHeaderSize;
  if (v.size() < pos + nsys * 4) return false;
  out->id = id;
  out->sid = h.sid;
  out->gid = h.gid;
  out->rev = h.rev;
  out->severity = h.severity;
  out->src = h.src;
  out->dst = h.dst;
  out->src_port = h.src_port;
  out->dst_port = h.dst_port;
  out->sensor = h.sensor;
  out->received_ms = h.received_ms;
  out->state = h.state;
  out->triaged_ms = h.triaged_ms;
  out->systems.clear();
  for (size_t i = 0; i < nsys; ++i, pos += 4) out->systems.push_back(static_cast<uint32_t>(get_le(v, pos, 4)));
  if (!(get_str(v, &pos, &out->proto) && get_str(v, &pos, &out->signature) && get_str(v, &pos, &out->category) &&
        get_str(v, &pos, &out->assignee) && get_str(v, &pos, &out->triaged_by)))
    return false;
  if (with_eve) return get_str(v, &pos, &out->eve);
  out->eve.clear();
  uint64_t n = 0;
  return get_varint(v, &pos, &n) && n <= v.size() - pos;
}

size_t index_value_size(uint8_t kind) {
  switch (static_cast<IndexKind>(kind)) {
    case IndexKind::kSid:
    case IndexKind::kSensor:
    case IndexKind::kSystem: return 4;
    case IndexKind::kSeverity:
    case IndexKind::kState: return 1;
    case IndexKind::kSrc:
    case IndexKind::kDst: return 17;
    case IndexKind::kAssignee: return 0;
  }
  return 0;
}

std::string posting_prefix(IndexKind kind, std::string_view value) {
  std::string k;
  k.reserve(1 + value.size() + 12);
  k += static_cast<char>(kind);
  k.append(value);
  return k;
}

std::string address_value(const IpAddr& a, uint8_t bits) {
  std::string v;
  v.reserve(17);
  v += static_cast<char>(bits);
  IpAddr m = mask(a, bits);
  v.append(reinterpret_cast<const char*>(m.bytes.data()), 16);
  return v;
}

void encode_postings(const std::vector<PostingItem>& items, std::string* out) {
  out->clear();
  put_varint(*out, items.size());
  if (items.empty()) return;
  put_varint(*out, static_cast<uint64_t>(items[0].ts_us));
  put_varint(*out, items[0].seq);
  for (size_t i = 1; i < items.size(); ++i) {
    put_varint(*out, static_cast<uint64_t>(items[i - 1].ts_us - items[i].ts_us));
    int64_t d = static_cast<int64_t>(items[i].seq - items[i - 1].seq);
    put_varint(*out, static_cast<uint64_t>(d) << 1 ^ static_cast<uint64_t>(d >> 63));
  }
}

bool decode_postings(std::string_view v, std::vector<PostingItem>* out) {
  size_t pos = 0;
  uint64_t n = 0, ts = 0, seq = 0;
  // Each item takes at least two bytes: a count beyond that is corruption, not a reason to allocate.
  if (!get_varint(v, &pos, &n) || n > v.size()) return false;
  if (n == 0) return true;
  if (!get_varint(v, &pos, &ts) || !get_varint(v, &pos, &seq)) return false;
  out->push_back({static_cast<int64_t>(ts), seq});
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t dt = 0, zz = 0;
    if (!get_varint(v, &pos, &dt) || !get_varint(v, &pos, &zz)) return false;
    ts -= dt;
    seq += static_cast<uint64_t>(static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1));
    out->push_back({static_cast<int64_t>(ts), seq});
  }
  return true;
}

std::string state_key(TriageState s, const AlertId& id) {
  std::string k;
  k.reserve(2 + kAlertKeySize);
  k += static_cast<char>(IndexKind::kState);
  k += static_cast<char>(s);
  keys::put_u64_desc(k, static_cast<uint64_t>(id.ts_us));
  keys::put_u64_desc(k, id.seq);
  return k;
}

std::string assignee_prefix(std::string_view name) {
  std::string k;
  k.reserve(2 + name.size() + kAlertKeySize);
  k += static_cast<char>(IndexKind::kAssignee);
  k += static_cast<char>(static_cast<uint8_t>(name.size()));
  k.append(name);
  return k;
}

std::string assignee_key(std::string_view name, const AlertId& id) {
  std::string k = assignee_prefix(name);
  keys::put_u64_desc(k, static_cast<uint64_t>(id.ts_us));
  keys::put_u64_desc(k, id.seq);
  return k;
}

std::string minute_key(uint32_t minute, uint8_t severity) {
  std::string k;
  k.reserve(6);
  k += 'M';
  keys::put_u32(k, minute);
  k += static_cast<char>(severity);
  return k;
}

std::string hour_prefix(StatDim dim, uint32_t hour) {
  std::string k;
  k.reserve(6 + 17);
  k += 'H';
  k += static_cast<char>(dim);
  keys::put_u32(k, hour);
  return k;
}

std::string summary_key(StatDim dim, uint32_t hour) {
  std::string k;
  k.reserve(6);
  k += 'S';
  k += static_cast<char>(dim);
  keys::put_u32(k, hour);
  return k;
}

std::string hour_key(StatDim dim, uint32_t hour, std::string_view value) {
  std::string k = hour_prefix(dim, hour);
  k.append(value);
  return k;
}

std::optional<int64_t> index_key_time(std::string_view key, int64_t* bucket_us) {
  if (key.empty()) return std::nullopt;
  uint8_t kind = static_cast<uint8_t>(key[0]);
  if (static_cast<IndexKind>(kind) == IndexKind::kAssignee) {
    uint64_t t = 0;
    if (key.size() < 2 || !keys::get_u64(key, 2 + static_cast<uint8_t>(key[1]), &t)) return std::nullopt;
    *bucket_us = 1;
    return static_cast<int64_t>(~t);
  }
  size_t vlen = index_value_size(kind);
  if (vlen == 0) return std::nullopt;
  if (static_cast<IndexKind>(kind) == IndexKind::kState) {
    uint64_t t = 0;
    if (!keys::get_u64(key, 2, &t)) return std::nullopt;
    *bucket_us = 1;
    return static_cast<int64_t>(~t);
  }
  uint32_t sec = 0;
  if (!keys::get_u32(key, 1 + vlen, &sec)) return std::nullopt;
  *bucket_us = 1000000;
  return static_cast<int64_t>(~sec) * 1000000;
}

std::optional<int64_t> stats_key_time(std::string_view key, int64_t* bucket_us) {
  uint32_t t = 0;
  if (key.size() >= 5 && key[0] == 'M' && keys::get_u32(key, 1, &t)) {
    *bucket_us = 60ll * 1000000;
    return static_cast<int64_t>(t) * *bucket_us;
  }
  if (key.size() >= 6 && (key[0] == 'H' || key[0] == 'S') && keys::get_u32(key, 2, &t)) {
    *bucket_us = 3600ll * 1000000;
    return static_cast<int64_t>(t) * *bucket_us;
  }
  return std::nullopt;
}

std::string batch_key(uint32_t sensor, uint64_t stream, uint64_t number) {
  std::string k;
  k.reserve(20);
  keys::put_u32(k, sensor);
  keys::put_u64(k, stream);
  keys::put_u64(k, number);
  return k;
}

}  // namespace canh::storage::codec
