// Test-only helpers for the alert store tests: a Storage on a temporary folder and synthetic alerts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/storage.h"
#include "storage/test_util.h"

namespace canh::storage::testing {

inline std::unique_ptr<Storage> open_storage(const std::string& dir) {
  StorageOptions o;
  o.data_dir = dir;
  o.block_cache_mb = 8;
  auto s = Storage::open(o);
  if (!s) throw std::runtime_error(s.status().message());
  return std::move(s).value();
}

inline NewAlert make_alert(int64_t ts_us, uint32_t sid, const std::string& src, const std::string& dst,
                           uint8_t severity = 2, const std::string& msg = "") {
  NewAlert a;
  a.ts_us = ts_us;
  a.sid = sid;
  a.rev = 1;
  a.severity = severity;
  a.src = *IpAddr::parse(src);
  a.dst = *IpAddr::parse(dst);
  a.src_port = 1234;
  a.dst_port = 80;
  a.proto = "TCP";
  a.signature = msg.empty() ? "ET TEST signature " + std::to_string(sid) : msg;
  a.category = "Test";
  a.eve = "{\"event_type\":\"alert\",\"ts\":" + std::to_string(ts_us) + ",\"sid\":" + std::to_string(sid) + "}";
  return a;
}

}  // namespace canh::storage::testing
