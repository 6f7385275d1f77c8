// Shared by the sensor's whole-pipeline fuzz targets (stream_fuzz.cc, pcap_fuzz.cc): a real rule
// engine over a small rule set that touches every inspection path a packet can reach (payload and
// stream content, pcre, byte tests, flowbits, thresholds, HTTP/DNS/TLS/SSH buffers, transactional
// rules), and an event sink that drops what it is given. Fuzz-only; not part of canh_sensor.
#pragma once

#include <cstdlib>
#include <memory>
#include <string_view>

#include <boost/json/parse.hpp>

#include "common/log.h"
#include "rules/engine.h"
#include "rules/rule_set.h"
#include "sensor/eve.h"

namespace canh::sensor::fuzz {

inline constexpr std::string_view kRules = R"(
alert ip any any -> any any (msg:"any ip"; ttl:1; sid:1;)
alert tcp any any -> any any (msg:"syn with data"; flags:S; dsize:>0; sid:2;)
alert tcp any any -> any any (msg:"stream content"; flow:established,to_server; content:"GET"; depth:3; content:"HTTP/1."; distance:0; sid:3;)
alert tcp any any -> any any (msg:"pcre"; content:"passwd"; pcre:"/\/etc\/(passwd|shadow)/i"; sid:4;)
alert tcp any any -> any any (msg:"byte_test"; content:"|00 01|"; byte_test:2,>,1000,0,relative; sid:5;)
alert tcp any any -> any any (msg:"flowbit set"; content:"LOGIN"; flowbits:set,login; flowbits:noalert; sid:6;)
alert tcp any any -> any any (msg:"flowbit isset"; flowbits:isset,login; content:"PASS"; sid:7;)
alert http any any -> any any (msg:"http uri"; http.uri; content:"/admin"; nocase; sid:8;)
alert http any any -> any any (msg:"http header"; http.header; content:"User-Agent|3a 20|sqlmap"; sid:9;)
alert http any any -> any any (msg:"http body"; http.response_body; content:"root:"; sid:10;)
alert http any any -> any any (msg:"http method host"; http.method; content:"POST"; http.host; content:"portal"; sid:11;)
alert dns any any -> any any (msg:"dns query"; dns.query; content:"evil"; sid:12;)
alert tls any any -> any any (msg:"tls sni"; tls.sni; content:"c2"; sid:13;)
alert tls any any -> any any (msg:"ja3"; ja3.hash; content:"e7d705a3286e19ea42f587b344ee6865"; sid:14;)
alert ssh any any -> any any (msg:"ssh banner"; ssh.software; content:"libssh"; sid:15;)
alert udp any any -> any 53 (msg:"udp payload"; content:"|01 00 00 01|"; offset:2; depth:4; sid:16;)
alert icmp any any -> any any (msg:"icmp"; itype:8; threshold:type limit, track by_src, count 1, seconds 60; sid:17;)
alert tcp any any <> any any (msg:"stream any"; content:"|ff fe|"; sid:18;)
alert http any any -> any any (msg:"tx rule"; flow:to_server; http.uri; content:"/a"; => http.stat_code; content:"200"; sid:19;)
alert tcp any any -> any any (msg:"isdataat"; content:"X"; isdataat:10,relative; sid:20;)
)";

inline std::shared_ptr<const rules::Engine> build_engine() {
  log::set_level(log::Level::kError);
  rules::RuleSet rs;
  rs.add_text(kRules, "fuzz_support.h");
  rules::EngineOptions options;
  options.threshold_table_size = 256;
  options.build_threads = 1;
  auto built = rules::Engine::build(rs, options);
  if (!built) std::abort();
  return std::move(built).value();
}

class NullSink : public EventSink {
 public:
  void on_event(std::string_view, std::string_view line) override {
    // Every event is one JSON object on one line, whatever bytes the packets carried: a newline
    // inside would split it in eve.json and in the spool, and the collector refuses invalid JSON.
    if (line.find('\n') != std::string_view::npos) __builtin_trap();
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) __builtin_trap();
    bytes += line.size();
  }
  size_t bytes = 0;
};

}  // namespace canh::sensor::fuzz
