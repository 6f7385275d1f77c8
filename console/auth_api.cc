// Accounts: sign-in and sign-out, the current user, API tokens, and user administration.
#include <algorithm>

#include "common/log.h"
#include "console/api_util.h"
#include "console/console.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

json::object user_json(const storage::User& u) {
  return {{"name", u.name}, {"role", std::string(http::role_name(u.role))}, {"created_ms", u.created_ms},
          {"disabled", u.disabled}};
}

json::object token_json(const storage::ApiToken& t) {
  return {{"id", t.id},
          {"user", t.user},
          {"label", t.label},
          {"role", std::string(http::role_name(t.role))},
          {"created_ms", t.created_ms},
          {"expires_ms", t.expires_ms},
          {"revoked", t.revoked}};
}

Result<Role> role_field(const json::object& o, std::string_view key) {
  auto s = get_string(o, key, 32);
  if (!s) return s.status();
  auto r = http::parse_role(*s);
  if (!r) return Status::invalid("field \"" + std::string(key) + "\": unknown role \"" + *s +
                                 "\" (admin, analyst, auditor, read-only)");
  return *r;
}

}  // namespace

bool Console::login_locked(const std::string& name, int64_t now) {
  std::lock_guard lock(failures_mu_);
  auto it = failures_.find(name);
  if (it == failures_.end()) return false;
  int64_t window = std::chrono::duration_cast<std::chrono::milliseconds>(options_.login_failure_window).count();
  if (now - it->second.window_start_ms >= window) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= options_.login_failures_allowed;
}

void Console::login_failed(const std::string& name, int64_t now) {
  std::lock_guard lock(failures_mu_);
  // Bounded: a flood of invented names cannot grow this without limit; dropping the table only
  // forgets counts, and the router's per-address limit still applies.
  if (failures_.size() > 10000) failures_.clear();
  auto& f = failures_[name];
  int64_t window = std::chrono::duration_cast<std::chrono::milliseconds>(options_.login_failure_window).count();
  if (f.count == 0 || now - f.window_start_ms >= window) {
    f.count = 0;
    f.window_start_ms = now;
  }
  f.count++;
}

void Console::login_succeeded(const std::string& name) {
  std::lock_guard lock(failures_mu_);
  failures_.erase(name);
}

std::vector<http::Route> Console::auth_routes() {
  std::vector<http::Route> r;
  const Access admin = Access::of({Role::kAdmin});

  r.push_back({"POST", "/api/v1/login", Access::anyone(),
               [this](const Request& req, const Caller&) {
                 auto body = json_body(req, 4096);
                 if (!body) return error_response(body.status());
                 auto name = get_string(*body, "name", 64);
                 auto password = get_string(*body, "password", 1024);
                 if (!name) return error_response(name.status());
                 if (!password) return error_response(password.status());
                 int64_t now = now_ms();
                 if (login_locked(*name, now)) {
                   auto resp = Response::error(429, "too many failed sign-ins for this account: wait and try again");
                   resp.headers.emplace_back("retry-after", std::to_string(options_.login_failure_window.count()));
                   audit_detail(resp, "sign-in refused for \"" + *name + "\": account temporarily locked");
                   return resp;
                 }
                 auto user = users_.verify(*name, *password);
                 if (!user) {
                   if (user.status().code() == Status::Code::kPermission) login_failed(*name, now);
                   auto resp = error_response(user.status());
                   if (user.status().code() == Status::Code::kPermission) resp.status = 401;
                   audit_detail(resp, "failed sign-in as \"" + *name + "\"");
                   return resp;
                 }
                 login_succeeded(*name);
                 auto s = sessions_.create(user->name, now);
                 if (!s) return error_response(s.status());
                 auto resp = json_ok(json::object{{"name", user->name},
                                                  {"role", std::string(http::role_name(user->role))},
                                                  {"csrf", s->session.csrf_token},
                                                  {"expires_ms", s->session.expires_ms}});
                 int max_age = static_cast<int>(options_.session_lifetime_ms / 1000);
                 resp.headers.emplace_back("set-cookie", session_cookie(s->id, req.tls, max_age));
                 audit_detail(resp, "\"" + user->name + "\" signed in");
                 log::info("console", "signed in").kv("user", user->name).kv("remote", req.remote);
                 return resp;
               },
               "auth.login"});

  r.push_back({"POST", "/api/v1/logout", Access::people(),
               [this](const Request& req, const Caller& c) {
                 if (c.kind == Caller::Kind::kSession) {
                   Status s = sessions_.revoke(req.cookie(kSessionCookie));
                   if (!s) return error_response(s);
                 }
                 auto resp = json_ok(json::object{{"ok", true}});
                 resp.headers.emplace_back("set-cookie", session_cookie("", req.tls, 0));
                 return resp;
               },
               "auth.logout"});

  r.push_back({"GET", "/api/v1/me", Access::people(),
               [this](const Request& req, const Caller& c) {
                 json::object o{{"name", c.name},
                                {"role", std::string(http::role_name(c.role))},
                                {"via", c.kind == Caller::Kind::kSession ? "session" : "api-token"}};
                 if (c.kind == Caller::Kind::kSession) {
                   // The page needs the CSRF token after a reload (the cookie is HttpOnly). Only a
                   // same-origin script can read this response: we send no CORS headers.
                   auto s = sessions_.lookup(req.cookie(kSessionCookie), now_ms());
                   if (s && s.value()) o["csrf"] = s.value()->csrf_token;
                 }
                 return json_ok(o);
               },
               ""});

  r.push_back({"POST", "/api/v1/me/password", Access::people(),
               [this](const Request& req, const Caller& c) {
                 if (c.kind != Caller::Kind::kSession) return Response::error(403, "change a password from a signed-in session");
                 auto body = json_body(req, 4096);
                 if (!body) return error_response(body.status());
                 auto old_pw = get_string(*body, "old_password", 1024);
                 auto new_pw = get_string(*body, "new_password", 1024);
                 if (!old_pw) return error_response(old_pw.status());
                 if (!new_pw) return error_response(new_pw.status());
                 auto u = users_.verify(c.name, *old_pw);
                 if (!u) return Response::error(403, "current password is wrong");
                 Status s = users_.set_password(c.name, *new_pw);
                 if (!s) return error_response(s);
                 // Every other session of this user ends: a changed password must lock out whoever
                 // knew the old one. This session ends too; the page signs in again.
                 s = sessions_.revoke_user(c.name);
                 if (!s) return error_response(s);
                 auto resp = json_ok(json::object{{"ok", true}});
                 resp.headers.emplace_back("set-cookie", session_cookie("", req.tls, 0));
                 audit_detail(resp, "\"" + c.name + "\" changed their password");
                 return resp;
               },
               "user.password"});

  // --- API tokens: people create tokens for their scripts, never more privileged than themselves.
  r.push_back({"GET", "/api/v1/tokens", Access::people(),
               [this](const Request&, const Caller& c) {
                 auto l = tokens_.list(c.role == Role::kAdmin ? "" : c.name);
                 if (!l) return error_response(l.status());
                 json::array a;
                 for (const auto& t : *l) a.push_back(token_json(t));
                 return json_ok(json::object{{"tokens", a}});
               },
               ""});

  r.push_back({"POST", "/api/v1/tokens", Access::people(),
               [this](const Request& req, const Caller& c) {
                 if (c.kind != Caller::Kind::kSession)
                   return Response::error(403, "API tokens are created from a signed-in session, not with a token");
                 auto body = json_body(req, 4096);
                 if (!body) return error_response(body.status());
                 auto label = get_string(*body, "label", 200, false);
                 if (!label) return error_response(label.status());
                 Role role = c.role;
                 if (body->contains("role")) {
                   auto rr = role_field(*body, "role");
                   if (!rr) return error_response(rr.status());
                   role = *rr;
                 }
                 // Roles are not a strict ladder (an auditor reads what an analyst cannot), so a token
                 // carries its owner's role or read-only, nothing else.
                 if (role != c.role && role != Role::kReadOnly)
                   return Response::error(403, "a token has its owner's role or read-only");
                 auto days = get_int(*body, "expires_days", 0, 3650, 90);
                 if (!days) return error_response(days.status());
                 int64_t now = now_ms();
                 int64_t expires = *days == 0 ? 0 : now + *days * 86400000ll;
                 auto t = tokens_.create(c.name, *label, role, expires, now);
                 if (!t) return error_response(t.status());
                 json::object o = token_json(t->token);
                 o["secret"] = t->secret;
                 auto resp = json_ok(o, 201);
                 audit_detail(resp, "token " + t->token.id + " (" + std::string(http::role_name(role)) + ") for \"" +
                                        c.name + "\"");
                 return resp;
               },
               "token.create"});

  r.push_back({"DELETE", "/api/v1/tokens/{id}", Access::people(),
               [this](const Request& req, const Caller& c) {
                 std::string id(req.path_param("id"));
                 auto t = tokens_.get(id);
                 if (!t) return error_response(t.status());
                 if (!t.value() || (t.value()->user != c.name && c.role != Role::kAdmin))
                   return Response::error(404, "no API token \"" + id + "\"");
                 Status s = tokens_.revoke(id);
                 if (!s) return error_response(s);
                 auto resp = json_ok(json::object{{"ok", true}});
                 audit_detail(resp, "token " + id + " of \"" + t.value()->user + "\" revoked");
                 return resp;
               },
               "token.revoke"});

  // --- user administration (admin only)
  r.push_back({"GET", "/api/v1/users", admin,
               [this](const Request&, const Caller&) {
                 auto l = users_.list();
                 if (!l) return error_response(l.status());
                 json::array a;
                 for (const auto& u : *l) a.push_back(user_json(u));
                 return json_ok(json::object{{"users", a}});
               },
               ""});

  r.push_back({"POST", "/api/v1/users", admin,
               [this](const Request& req, const Caller&) {
                 auto body = json_body(req, 4096);
                 if (!body) return error_response(body.status());
                 auto name = get_string(*body, "name", 64);
                 auto password = get_string(*body, "password", 1024);
                 auto role = role_field(*body, "role");
                 if (!name) return error_response(name.status());
                 if (!password) return error_response(password.status());
                 if (!role) return error_response(role.status());
                 Status s = users_.add(*name, *role, *password);
                 if (!s) return error_response(s);
                 auto u = users_.get(*name);
                 if (!u || !u.value()) return Response::error(500, "user vanished after creation");
                 auto resp = json_ok(user_json(*u.value()), 201);
                 audit_detail(resp, "user \"" + *name + "\" added as " + std::string(http::role_name(*role)));
                 return resp;
               },
               "user.add"});

  r.push_back({"POST", "/api/v1/users/{name}", admin,
               [this](const Request& req, const Caller& c) {
                 std::string name(req.path_param("name"));
                 auto body = json_body(req, 4096);
                 if (!body) return error_response(body.status());
                 auto u = users_.get(name);
                 if (!u) return error_response(u.status());
                 if (!u.value()) return Response::error(404, "no user \"" + name + "\"");
                 std::string what;
                 if (body->contains("role")) {
                   auto role = role_field(*body, "role");
                   if (!role) return error_response(role.status());
                   if (name == c.name && *role != Role::kAdmin)
                     return Response::error(409, "you cannot remove your own admin role");
                   Status s = users_.set_role(name, *role);
                   if (!s) return error_response(s);
                   what += "role " + std::string(http::role_name(u.value()->role)) + " -> " +
                           std::string(http::role_name(*role)) + "; ";
                 }
                 if (auto d = get_bool(*body, "disabled")) {
                   if (name == c.name && *d) return Response::error(409, "you cannot disable your own account");
                   Status s = users_.set_disabled(name, *d);
                   if (!s) return error_response(s);
                   what += *d ? "disabled; " : "enabled; ";
                 }
                 if (body->contains("password")) {
                   auto pw = get_string(*body, "password", 1024);
                   if (!pw) return error_response(pw.status());
                   Status s = users_.set_password(name, *pw);
                   if (!s) return error_response(s);
                   what += "password reset; ";
                 }
                 if (what.empty()) return Response::error(400, "nothing to change: send role, disabled or password");
                 // A changed role or a disabled account takes effect at once: end the user's sessions.
                 Status s = sessions_.revoke_user(name);
                 if (!s) return error_response(s);
                 auto nu = users_.get(name);
                 auto resp = json_ok(user_json(nu && nu.value() ? *nu.value() : *u.value()));
                 audit_detail(resp, "user \"" + name + "\": " + what.substr(0, what.size() - 2));
                 return resp;
               },
               "user.update"});
  return r;
}

}  // namespace canh::console
