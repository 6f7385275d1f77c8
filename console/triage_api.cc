// Alert triage: one alert with everything around it (EVE record, history, comments, the flow's other
// alerts, its sensor), state changes with reasons, assignment, comments, grouping with counts and
// first/last seen, and bulk actions on everything matching a filter — not just the visible page.
// The list and statistics routes are the collector engineer's (console/alerts_api.cc).
#include <algorithm>
#include <map>

#include "console/alert_query.h"
#include "console/api_util.h"
#include "console/console.h"
#include "storage/alert_store.h"
#include "storage/sensor_store.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;
using storage::TriageState;

namespace {

// Why an alert was closed: the resolutions analysts asked for (elastic/kibana#73433, SO #13975).
const char* const kCloseReasons[] = {"true-positive", "benign", "false-positive", "duplicate", "test", "other"};

bool known_reason(std::string_view r) {
  for (auto* k : kCloseReasons)
    if (r == k) return true;
  return false;
}

json::object note_json(const storage::AlertNote& n) {
  return {{"time_ms", n.time_ms}, {"by", n.by},         {"kind", n.kind}, {"from", n.from},
          {"to", n.to},           {"reason", n.reason}, {"text", n.text}};
}

constexpr size_t kMaxScan = 20000;   // alerts one grouping looks at
constexpr size_t kMaxBulk = 100000;  // alerts one bulk action changes

struct TriageRequest {
  std::optional<TriageState> state;
  std::optional<std::string> assignee;
  std::string reason, note;
};

Result<TriageRequest> parse_triage(const json::object& body, storage::UserStore& users) {
  TriageRequest t;
  if (body.contains("state")) {
    auto s = get_string(body, "state", 32);
    if (!s) return s.status();
    auto st = storage::parse_triage_state(*s);
    if (!st)
      return Status::invalid("field \"state\": \"" + *s + "\" (new, acknowledged, escalated, closed, false-positive)");
    t.state = *st;
  }
  if (body.contains("assignee")) {
    auto a = get_string(body, "assignee", 64, false);
    if (!a) return a.status();
    if (!a->empty()) {
      auto u = users.get(*a);
      if (!u) return u.status();
      if (!u.value() || u.value()->disabled) return Status::invalid("field \"assignee\": no active user \"" + *a + "\"");
    }
    t.assignee = *a;
  }
  auto reason = get_string(body, "reason", 64, false);
  auto note = get_string(body, "note", 4000, false);
  if (!reason) return reason.status();
  if (!note) return note.status();
  t.reason = *reason;
  t.note = *note;
  if (!t.state && !t.assignee) return Status::invalid("nothing to change: send state and/or assignee");
  if (t.state == TriageState::kFalsePositive && t.reason.empty()) t.reason = "false-positive";
  if (t.state == TriageState::kClosed || t.state == TriageState::kFalsePositive) {
    if (t.reason.empty())
      return Status::invalid("closing needs a reason: true-positive, benign, false-positive, duplicate, test or other");
    if (!known_reason(t.reason))
      return Status::invalid("field \"reason\": \"" + t.reason +
                             "\" (true-positive, benign, false-positive, duplicate, test, other)");
    if (t.state == TriageState::kFalsePositive && t.note.empty())
      return Status::invalid("a false positive needs a note saying why");
  } else if (!t.reason.empty()) {
    return Status::invalid("a reason is given only when closing");
  }
  return t;
}

}  // namespace

std::vector<http::Route> Console::triage_routes() {
  std::vector<http::Route> r;
  const Access triagers = Access::of({Role::kAdmin, Role::kAnalyst});

  // The history notes of one alert's change, written in the same atomic batch as the change
  // (AlertStore::set_triage_many), so a crash never leaves a state without the note that explains it.
  // `only_if_different`: bulk actions leave alone what already has the requested state and assignee
  // (re-closing 10,000 closed alerts would bury their history); a single-alert request always writes,
  // as a person re-sending a state means to record who confirmed it.
  auto plan_for = [](const TriageRequest& t, const Caller& c, int64_t now, bool only_if_different) {
    return [&t, &c, now, only_if_different](const storage::Alert& before, const storage::Alert& after,
                                            std::vector<storage::AlertNote>* notes) {
      bool state_moves = before.state != after.state, assignee_moves = before.assignee != after.assignee;
      if (only_if_different && !state_moves && !assignee_moves) return false;
      std::string key = before.id.to_string();
      if (state_moves)
        notes->push_back({key, now, c.name, "state", std::string(storage::triage_state_name(before.state)),
                          std::string(storage::triage_state_name(after.state)), t.reason, t.note});
      else if (!t.note.empty())
        notes->push_back({key, now, c.name, "comment", "", "", "", t.note});
      if (assignee_moves) notes->push_back({key, now, c.name, "assign", before.assignee, after.assignee, "", ""});
      return true;
    };
  };
  auto change_of = [](const TriageRequest& t) {
    storage::TriageChange ch;
    ch.state = t.state;
    ch.assignee = t.assignee;
    return ch;
  };

  r.push_back({"GET", "/api/v1/alerts/{id}", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto id = storage::AlertId::parse(req.path_param("id"));
                 if (!id) return Response::error(400, "\"" + std::string(req.path_param("id")) + "\" is not an alert id");
                 auto a = alerts().get(*id);
                 if (!a) return error_response(a.status());
                 if (!a.value()) return Response::error(404, "no alert " + id->to_string());
                 json::object o = alert_brief_json(*a.value(), true);
                 auto notes = notes_.list(id->to_string());
                 if (!notes) return error_response(notes.status());
                 json::array history;
                 for (const auto& n : *notes) history.push_back(note_json(n));
                 o["history"] = history;
                 // The flow's other alerts: same flow_id, looked for among alerts between these two
                 // hosts within an hour either side (flows rarely live longer in alerting traffic).
                 json::array flow;
                 auto* eve = o["eve"].if_object();
                 const json::value* fid = eve ? eve->if_contains("flow_id") : nullptr;
                 if (fid && (fid->is_int64() || fid->is_uint64())) {
                   storage::AlertQuery q;
                   q.from_us = a.value()->id.ts_us - 3600ll * 1000000;
                   q.to_us = a.value()->id.ts_us + 3600ll * 1000000;
                   q.src = storage::Cidr{a.value()->src, 128};
                   q.dst = storage::Cidr{a.value()->dst, 128};
                   q.limit = 200;
                   for (int dir = 0; dir < 2; ++dir) {
                     auto page = alerts().list(q);
                     if (page) {
                       for (const auto& x : page->items) {
                         if (x.id == a.value()->id) continue;
                         boost::system::error_code ec;
                         auto xe = json::parse(x.eve, ec);
                         if (ec || !xe.is_object()) continue;
                         auto* xf = xe.get_object().if_contains("flow_id");
                         if (xf && *xf == *fid && flow.size() < 100) flow.push_back(alert_brief_json(x, false));
                       }
                     }
                     std::swap(q.src, q.dst);  // replies: the other direction
                   }
                 }
                 o["flow_alerts"] = flow;
                 auto sn = sensors().get(a.value()->sensor);
                 if (sn && sn.value())
                   o["sensor_info"] = json::object{{"id", sn.value()->id},
                                                   {"name", sn.value()->name},
                                                   {"hostname", sn.value()->hostname},
                                                   {"state", std::string(storage::sensor_state_name(sn.value()->state))}};
                 return json_ok(o);
               },
               ""});

  r.push_back({"POST", "/api/v1/alerts/{id}/triage", triagers,
               [this, plan_for, change_of](const Request& req, const Caller& c) {
                 auto id = storage::AlertId::parse(req.path_param("id"));
                 if (!id) return Response::error(400, "\"" + std::string(req.path_param("id")) + "\" is not an alert id");
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto t = parse_triage(*body, users_);
                 if (!t) return error_response(t.status());
                 // The state before is read under the store's triage lock, with the change.
                 std::string from;
                 auto plan = plan_for(*t, c, now_ms(), false);
                 storage::TriagePlan noting = [&](const storage::Alert& before, const storage::Alert& after,
                                                  std::vector<storage::AlertNote>* notes) {
                   from = storage::triage_state_name(before.state);
                   return plan(before, after, notes);
                 };
                 std::vector<storage::Alert> changed;
                 auto n = alerts().set_triage_many(std::span<const storage::AlertId>(&*id, 1), change_of(*t), c.name,
                                                   now_ms(), noting, &notes_, &changed);
                 if (!n) return error_response(n.status());
                 if (changed.empty()) return Response::error(404, "no alert " + id->to_string());
                 const storage::Alert& a = changed.front();
                 auto resp = json_ok(alert_brief_json(a, false));
                 std::string d = "alert " + id->to_string() + " (sid " + std::to_string(a.sid) + "):";
                 if (t->state) d += " " + from + " -> " + std::string(storage::triage_state_name(*t->state));
                 if (!t->reason.empty()) d += " (" + t->reason + ")";
                 if (t->assignee) d += " assigned to " + (t->assignee->empty() ? std::string("nobody") : *t->assignee);
                 audit_detail(resp, d);
                 return resp;
               },
               "alert.triage"});

  r.push_back({"POST", "/api/v1/alerts/{id}/comments", triagers,
               [this](const Request& req, const Caller& c) {
                 auto id = storage::AlertId::parse(req.path_param("id"));
                 if (!id) return Response::error(400, "\"" + std::string(req.path_param("id")) + "\" is not an alert id");
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto text = get_string(*body, "text", 4000);
                 if (!text) return error_response(text.status());
                 if (text->empty()) return Response::error(400, "field \"text\" is empty");
                 auto a = alerts().get(*id);
                 if (!a) return error_response(a.status());
                 if (!a.value()) return Response::error(404, "no alert " + id->to_string());
                 storage::AlertNote n{id->to_string(), now_ms(), c.name, "comment", "", "", "", *text};
                 Status s = notes_.add(n);
                 if (!s) return error_response(s);
                 auto resp = json_ok(note_json(n), 201);
                 audit_detail(resp, "comment on alert " + id->to_string());
                 return resp;
               },
               "alert.comment"});

  // A bulk action applies a triage change to every alert a filter matches, newest first, in store
  // writes of at most AlertStore::kMaxTriageBatch alerts (one WAL sync each, with the history notes),
  // each followed by an audit record of its own ("alert.bulk.batch": how many changed, which time
  // span), so the trail shows how far an action that failed half-way got. The router's "alert.bulk"
  // record sums up the request.
  //
  // Without "limit" one request does the whole filter (up to kMaxBulk alerts). With "limit" (and the
  // "next_cursor" of the previous answer as "cursor") it does that many and says where to go on: the
  // page calls it in steps to show progress and to let a person stop a long action.
  r.push_back({"POST", "/api/v1/alerts/bulk", triagers,
               [this, plan_for, change_of](const Request& req, const Caller& c) {
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto* fv = body->if_contains("filter");
                 if (!fv || !fv->is_object()) return Response::error(400, "field \"filter\" must be an object of alert filters");
                 auto f = parse_alert_filter(fv->get_object());
                 if (!f) return error_response(f.status());
                 auto t = parse_triage(*body, users_);
                 if (!t) return error_response(t.status());
                 // An empty filter would touch every alert ever stored: ask for a time range at least.
                 if (fv->get_object().empty()) return Response::error(400, "a bulk action needs a filter");
                 auto lim = get_int(*body, "limit", 1, static_cast<int64_t>(kMaxBulk), static_cast<int64_t>(kMaxBulk));
                 if (!lim) return error_response(lim.status());
                 const size_t limit = static_cast<size_t>(*lim);
                 storage::AlertQuery q = f->query_for(c);
                 q.limit = 500;
                 q.with_eve = false;
                 q.after.reset();
                 if (body->contains("cursor")) {
                   auto cur = get_string(*body, "cursor", 64, false);
                   if (!cur) return error_response(cur.status());
                   if (!cur->empty()) {
                     auto id = storage::AlertId::parse(*cur);
                     if (!id) return Response::error(400, "field \"cursor\" is not a next_cursor of a previous answer");
                     q.after = *id;
                   }
                 }
                 const std::optional<storage::AlertId> start = q.after;
                 const int64_t now = now_ms();
                 const storage::TriageChange change = change_of(*t);
                 const storage::TriagePlan plan = plan_for(*t, c, now, true);
                 std::string what;
                 if (t->state) what += " -> " + std::string(storage::triage_state_name(*t->state));
                 if (!t->reason.empty()) what += " (" + t->reason + ")";
                 if (t->assignee) what += " assigned to " + (t->assignee->empty() ? std::string("nobody") : *t->assignee);

                 size_t matched = 0, changed = 0, batches = 0;
                 std::vector<storage::AlertId> ids;
                 ids.reserve(storage::AlertStore::kMaxTriageBatch);
                 auto flush = [&]() -> Status {
                   if (ids.empty()) return Status::ok();
                   auto n = alerts().set_triage_many(ids, change, c.name, now, plan, &notes_);
                   if (!n) return n.status();
                   changed += *n;
                   ++batches;
                   storage::AuditRecord rec;
                   rec.time_ms = now_ms();
                   rec.actor_kind = std::string(caller_kind_name(c.kind));
                   rec.actor = c.id;
                   rec.actor_name = c.name;
                   rec.role = std::string(http::role_name(c.role));
                   rec.action = "alert.bulk.batch";
                   rec.method = req.method;
                   rec.path = req.path;
                   rec.remote = req.remote;
                   rec.status = 200;
                   // Newest first: ids.front() is the latest event, ids.back() the earliest.
                   rec.detail = "batch " + std::to_string(batches) + ": " + std::to_string(*n) + " of " +
                                std::to_string(ids.size()) + " alerts changed" + what + "; alerts " +
                                ids.back().to_string() + " .. " + ids.front().to_string();
                   auto a = audit_.append(std::move(rec));
                   ids.clear();
                   return a ? Status::ok() : a.status();
                 };
                 std::optional<storage::AlertId> next;
                 bool done = false;
                 for (;;) {
                   auto page = alerts().list(q);
                   if (!page) return error_response(page.status());
                   bool full = false;
                   for (const auto& a : page->items) {
                     if (matched == limit) {
                       full = true;
                       break;
                     }
                     ++matched;
                     next = a.id;
                     // A cheap look at the listed copy; set_triage_many decides again under its lock.
                     bool differs = (t->state && *t->state != a.state) || (t->assignee && *t->assignee != a.assignee);
                     if (differs) ids.push_back(a.id);
                     if (ids.size() == storage::AlertStore::kMaxTriageBatch) {
                       Status s = flush();
                       if (!s) return error_response(s);
                     }
                   }
                   if (full) break;
                   if (!page->next) {
                     done = true;
                     break;
                   }
                   next = page->next;
                   if (matched == limit) break;
                   q.after = page->next;
                 }
                 Status s = flush();
                 if (!s) return error_response(s);
                 json::object out{{"matched", matched}, {"changed", changed}, {"batches", batches}, {"capped", !done}};
                 if (done) out["next_cursor"] = nullptr;
                 else out["next_cursor"] = next->to_string();
                 auto resp = json_ok(out);
                 std::string d = "bulk: " + std::to_string(changed) + " of " + std::to_string(matched) +
                                 " matching alerts" + what + " in " + std::to_string(batches) + " batches";
                 if (!done) d += ", stopped at " + next->to_string();
                 d += "; filter " + json::serialize(*fv);
                 if (start) d += " after " + start->to_string();
                 audit_detail(resp, d);
                 return resp;
               },
               "alert.bulk"});

  r.push_back({"GET", "/api/v1/alerts/groups", Access::people(),
               [this](const Request& req, const Caller& c) {
                 auto f = parse_alert_filter(req.query);
                 if (!f) return error_response(f.status());
                 std::string by(req.query_param("by").value_or("signature"));
                 if (by != "signature" && by != "source" && by != "destination")
                   return Response::error(400, "parameter \"by\" must be signature, source or destination");
                 struct Group {
                   std::string label;
                   uint64_t count = 0;
                   int64_t first_us = INT64_MAX, last_us = 0;
                   uint8_t severity = 255;
                   uint64_t open = 0;
                   std::string sample_id;
                 };
                 std::map<std::string, Group> groups;
                 storage::AlertQuery q = f->query_for(c);
                 q.with_eve = false;
                 q.limit = 500;
                 q.after.reset();
                 size_t scanned = 0;
                 bool partial = false;
                 for (;;) {
                   auto page = alerts().list(q);
                   if (!page) return error_response(page.status());
                   for (const auto& a : page->items) {
                     std::string key = by == "signature"  ? std::to_string(a.sid)
                                       : by == "source"   ? a.src.to_string()
                                                          : a.dst.to_string();
                     auto& g = groups[key];
                     if (g.count == 0) {
                       g.label = by == "signature" ? a.signature : key;
                       g.sample_id = a.id.to_string();
                     }
                     g.count++;
                     g.first_us = std::min(g.first_us, a.id.ts_us);
                     g.last_us = std::max(g.last_us, a.id.ts_us);
                     g.severity = std::min(g.severity, a.severity);
                     if (a.state == TriageState::kNew) g.open++;
                   }
                   scanned += page->items.size();
                   if (!page->next) break;
                   if (scanned >= kMaxScan) {
                     partial = true;
                     break;
                   }
                   q.after = page->next;
                 }
                 std::vector<std::pair<std::string, Group>> sorted(groups.begin(), groups.end());
                 std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.second.count > b.second.count; });
                 json::array out;
                 for (const auto& [key, g] : sorted) {
                   if (out.size() >= 500) break;
                   out.push_back(json::object{{"key", key},
                                              {"label", g.label},
                                              {"count", g.count},
                                              {"new", g.open},
                                              {"first_us", g.first_us},
                                              {"last_us", g.last_us},
                                              {"severity", g.severity},
                                              {"sample", g.sample_id}});
                 }
                 // `partial`: only the newest `scanned` matching alerts were counted; narrow the
                 // time range for exact counts over everything.
                 return json_ok(json::object{{"by", by}, {"groups", out}, {"scanned", scanned}, {"partial", partial}});
               },
               ""});
  return r;
}

}  // namespace canh::console
