// AlertStore::set_triage_many: triage changes to many alerts as one atomic write, and the assignee
// index they maintain. A bulk action on 100,000 alerts is a few dozen of these calls: one WAL sync
// each instead of two per alert (the record, then its history note), which took minutes.
#include <map>
#include <utility>

#include "storage/alert_codec.h"
#include "storage/alert_store.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"
#include "storage/rule_store.h"

namespace canh::storage {

namespace {

constexpr std::string_view kMetaAssigneeIndex = "assignee_index";

std::string encode_alert(const Alert& a) {
  codec::RecordHeader h;
  h.state = a.state;
  h.severity = a.severity;
  h.sid = a.sid;
  h.gid = a.gid;
  h.rev = a.rev;
  h.sensor = a.sensor;
  h.src = a.src;
  h.dst = a.dst;
  h.src_port = a.src_port;
  h.dst_port = a.dst_port;
  h.received_ms = a.received_ms;
  h.triaged_ms = a.triaged_ms;
  return codec::encode_record(h, a.systems, a.proto, a.signature, a.category, a.assignee, a.triaged_by, a.eve);
}

}  // namespace

Result<size_t> AlertStore::set_triage_many(std::span<const AlertId> ids, const TriageChange& change, std::string_view by,
                                           int64_t now_ms, const TriagePlan& plan, AlertNotes* notes,
                                           std::vector<Alert>* changed) {
  if (ids.size() > kMaxTriageBatch)
    return Status::invalid("at most " + std::to_string(kMaxTriageBatch) + " alerts per triage write");
  if (change.assignee && change.assignee->size() > 128) return Status::invalid("assignee longer than 128 bytes");
  if (by.size() > 128) return Status::invalid("actor name longer than 128 bytes");
  auto* ha = db_.family(kAlertsFamily);
  auto* hi = db_.family(kAlertIndexFamily);
  auto* hs = db_.family(kAlertStatsFamily);
  auto* hn = db_.family(kAlertNotesFamily);

  // Read, decide and write under one lock: two analysts acting on the same alerts are serialised, so
  // each history note's "from" is what the alert really was.
  std::lock_guard lock(triage_mu_);
  const int64_t floor = retention_->floor_us.load();
  std::vector<AlertId> live;
  std::vector<std::string> key_bytes;
  live.reserve(ids.size());
  key_bytes.reserve(ids.size());
  for (const AlertId& id : ids) {
    if (id.ts_us < floor) continue;
    live.push_back(id);
    key_bytes.push_back(codec::alert_key(id));
  }
  std::vector<rocksdb::Slice> keys(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), ha);
  std::vector<std::string> values;
  std::vector<rocksdb::Status> got = db_.raw()->MultiGet(rocksdb::ReadOptions(), families, keys, &values);

  rocksdb::WriteBatch wb;
  // Per-state counts move by hour: pre-aggregated so a bulk action costs a merge per hour and state,
  // not two per alert.
  std::map<std::pair<uint32_t, uint8_t>, int64_t> moves;
  std::vector<AlertNote> staged;
  size_t n = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    if (got[i].IsNotFound()) continue;
    if (!got[i].ok()) return to_status(got[i], "read alert " + live[i].to_string());
    Alert before;
    if (!codec::decode_record(values[i], live[i], &before))
      return Status::internal("alert " + live[i].to_string() + ": unreadable record");
    Alert after = before;
    if (change.state) after.state = *change.state;
    if (change.assignee) after.assignee = *change.assignee;
    after.triaged_by = std::string(by);
    after.triaged_ms = now_ms;
    staged.clear();
    if (plan && !plan(before, after, &staged)) continue;
    if (!staged.empty() && !notes) return Status::internal("triage notes given without a note store");

    wb.Put(ha, key_bytes[i], encode_alert(after));
    const AlertId& id = live[i];
    if (before.state != after.state) {
      // "new" has no index entries: it is every alert not triaged yet, answered from the alerts
      // family itself (saving a key per alert at ingest).
      if (before.state != TriageState::kNew) wb.Delete(hi, codec::state_key(before.state, id));
      if (after.state != TriageState::kNew) wb.Put(hi, codec::state_key(after.state, id), rocksdb::Slice());
      uint32_t hour = static_cast<uint32_t>(id.ts_us / 3600000000ll);
      --moves[{hour, static_cast<uint8_t>(before.state)}];
      ++moves[{hour, static_cast<uint8_t>(after.state)}];
    }
    if (before.assignee != after.assignee) {
      if (!before.assignee.empty()) wb.Delete(hi, codec::assignee_key(before.assignee, id));
      if (!after.assignee.empty()) wb.Put(hi, codec::assignee_key(after.assignee, id), rocksdb::Slice());
    }
    for (const AlertNote& note : staged) {
      auto [k, v] = notes->encode(note);
      wb.Put(hn, k, v);
    }
    ++n;
    if (changed) changed->push_back(std::move(after));
  }
  if (n == 0) return n;
  for (const auto& [hs_key, delta] : moves) {
    if (delta == 0) continue;
    uint8_t st = hs_key.second;
    wb.Merge(hs, codec::hour_key(codec::StatDim::kState, hs_key.first, std::string_view(reinterpret_cast<char*>(&st), 1)),
             codec::le64(static_cast<uint64_t>(delta)));
  }
  CANH_RETURN_IF_ERROR(db_.write(wb, true));
  return n;
}

Status AlertStore::backfill_assignee_index() {
  auto done = db_.get(kMetaFamily, kMetaAssigneeIndex);
  if (!done) return done.status();
  if (done->has_value()) return Status::ok();
  auto* hi = db_.family(kAlertIndexFamily);
  rocksdb::WriteBatch wb;
  size_t pending = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.family(kAlertsFamily)));
  Alert a;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto id = codec::parse_alert_key(it->key().ToStringView());
    if (!id || !codec::decode_record(it->value().ToStringView(), *id, &a, false) || a.assignee.empty()) continue;
    wb.Put(hi, codec::assignee_key(a.assignee, *id), rocksdb::Slice());
    if (++pending == 10000) {
      CANH_RETURN_IF_ERROR(db_.write(wb, false));
      wb.Clear();
      pending = 0;
    }
  }
  CANH_RETURN_IF_ERROR(to_status(it->status(), "index the assignees of stored alerts"));
  wb.Put(db_.family(kMetaFamily), kMetaAssigneeIndex, "1");
  return db_.write(wb, true);
}

}  // namespace canh::storage
