#include "rules/parser.h"

#include <gtest/gtest.h>
#include <pcre2.h>

#include "rules/rule_set.h"

namespace canh::rules {
namespace {

Rule parse_ok(std::string_view text) {
  RuleParser p(default_rule_vars());
  auto r = p.parse(text);
  EXPECT_TRUE(r.is_ok()) << text << "\n -> " << r.status().message();
  return r.is_ok() ? std::move(r).value() : Rule{};
}

std::string parse_err(std::string_view text) {
  RuleParser p(default_rule_vars());
  auto r = p.parse(text);
  EXPECT_FALSE(r.is_ok()) << text;
  return r.is_ok() ? "" : r.status().message();
}

TEST(RuleParser, HeaderActionsProtocolsAndDirection) {
  Rule r = parse_ok("drop udp $HOME_NET any <> $EXTERNAL_NET 53 (sid:1;)");
  EXPECT_EQ(r.action, Action::kDrop);
  EXPECT_EQ(r.transport, Transport::kUdp);
  EXPECT_TRUE(r.bidirectional);
  EXPECT_TRUE(r.dst_port->contains(53));
  EXPECT_FALSE(r.dst_port->contains(54));
  EXPECT_EQ(parse_ok("pass ip any any -> any any (sid:1;)").action, Action::kPass);
  EXPECT_EQ(parse_ok("reject tcp any any -> any any (sid:1;)").action, Action::kReject);
  EXPECT_EQ(parse_ok("alert tcp-pkt any any -> any any (sid:1;)").stream, StreamMode::kPacketOnly);
  EXPECT_EQ(parse_ok("alert tcp-stream any any -> any any (sid:1;)").stream, StreamMode::kStreamOnly);
  EXPECT_EQ(parse_ok("alert ipv6 any any -> any any (sid:1;)").ip_version, 6);
  Rule h = parse_ok("alert http any any -> any any (sid:1;)");
  EXPECT_EQ(h.app, AppProto::kHttp);
  EXPECT_EQ(h.transport, Transport::kAny);
  EXPECT_EQ(parse_ok("alert dns any any -> any any (sid:1;)").app, AppProto::kDns);
  EXPECT_EQ(parse_ok("alert tls any any -> any any (sid:1;)").app, AppProto::kTls);
  EXPECT_EQ(parse_ok("alert smb any any -> any any (sid:1;)").app, AppProto::kSmb);
}

TEST(RuleParser, HeaderErrors) {
  EXPECT_NE(parse_err("alert tcp any any any any (sid:1;)").find("header"), std::string::npos);
  EXPECT_NE(parse_err("alrt tcp any any -> any any (sid:1;)").find("unknown action"), std::string::npos);
  EXPECT_NE(parse_err("alert tcpx any any -> any any (sid:1;)").find("unknown protocol"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp any any <- any any (sid:1;)").find("direction"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp any any -> any any sid:1;").find("'('"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp $NOPE any -> any any (sid:1;)").find("$NOPE"), std::string::npos);
  EXPECT_NE(parse_err("alert icmp any 80 -> any any (sid:1;)").find("ports"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp any any -> any any (msg:\"x\";)").find("sid"), std::string::npos);
}

TEST(RuleParser, MetaOptions) {
  Rule r = parse_ok(
      R"(alert tcp any any -> any any (msg:"a \"quoted\" \; msg"; gid:3; sid:2001; rev:4; classtype:trojan-activity; priority:2; reference:url,example.com/x; reference:cve,2020-1; metadata:created_at 2020_01_01, former_category MALWARE; metadata:tag x; target:dest_ip;))");
  EXPECT_EQ(r.msg, "a \"quoted\" ; msg");
  EXPECT_EQ(r.gid, 3u);
  EXPECT_EQ(r.sid, 2001u);
  EXPECT_EQ(r.rev, 4u);
  EXPECT_EQ(r.classtype, "trojan-activity");
  EXPECT_EQ(r.priority, 2);
  ASSERT_EQ(r.references.size(), 2u);
  EXPECT_EQ(r.references[0].type, "url");
  EXPECT_EQ(r.references[0].value, "example.com/x");
  EXPECT_EQ(r.metadata, "created_at 2020_01_01, former_category MALWARE, tag x");
  EXPECT_EQ(r.target, 2);
  EXPECT_NE(parse_err("alert tcp any any -> any any (sid:1; priority:0;)").find("priority"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp any any -> any any (sid:abc;)").find("sid"), std::string::npos);
  EXPECT_NE(parse_err("alert tcp any any -> any any (sid:1; target:both;)").find("target"), std::string::npos);
}

TEST(RuleParser, EscapedSemicolonDoesNotEndAnOption) {
  Rule r = parse_ok(R"(alert tcp any any -> any any (content:"a\;b"; pcre:"/x\;y/"; sid:1;))");
  ASSERT_EQ(r.contents.size(), 1u);
  EXPECT_EQ(r.contents[0].pattern, "a;b");
  ASSERT_EQ(r.pcres.size(), 1u);
  EXPECT_EQ(r.pcres[0].regex, "x\\;y");
}

TEST(RuleParser, UnknownKeywordIsAnErrorUnsupportedIsNamed) {
  EXPECT_NE(parse_err("alert tcp any any -> any any (frobnicate:1; sid:1;)").find("unknown keyword \"frobnicate\""),
            std::string::npos);
  Rule r = parse_ok("alert tcp any any -> any any (asn1:oversize_length 100; sid:1;)");
  ASSERT_EQ(r.unsupported.size(), 1u);
  EXPECT_EQ(r.unsupported[0], "asn1");
}

TEST(RuleParser, StickyBuffersAndLegacyModifiersSetTheBuffer) {
  Rule r = parse_ok(
      R"(alert tcp any any -> any any (content:"GET"; http_method; content:"/x"; http_uri; content:"pay"; http.host; content:"h1"; content:"h2"; pkt_data; content:"raw"; sid:1;))");
  ASSERT_EQ(r.ops.size(), 6u);
  EXPECT_EQ(r.ops[0].buffer, Buffer::kHttpMethod);
  EXPECT_EQ(r.ops[1].buffer, Buffer::kHttpUri);
  EXPECT_EQ(r.ops[2].buffer, Buffer::kPayload);
  EXPECT_EQ(r.ops[3].buffer, Buffer::kHttpHost);
  EXPECT_EQ(r.ops[4].buffer, Buffer::kHttpHost);
  EXPECT_EQ(r.ops[5].buffer, Buffer::kPayload);
  EXPECT_EQ(r.app, AppProto::kHttp);  // implied by the buffers
  Rule d = parse_ok(R"(alert udp any any -> any 53 (dns_query; content:"evil"; nocase; sid:1;))");
  EXPECT_EQ(d.ops[0].buffer, Buffer::kDnsQuery);
  EXPECT_EQ(d.app, AppProto::kDns);
  Rule u = parse_ok(R"(alert tcp any any -> any any (uricontent:"/a"; sid:1;))");
  EXPECT_EQ(u.ops[0].buffer, Buffer::kHttpUri);
}

TEST(RuleParser, FileDataFollowsDirectionAndProtocol) {
  EXPECT_EQ(parse_ok(R"(alert http any any -> any any (flow:to_client; file_data; content:"x"; sid:1;))").ops[0].buffer,
            Buffer::kHttpResponseBody);
  EXPECT_EQ(parse_ok(R"(alert http any any -> any any (flow:to_server; file.data; content:"x"; sid:1;))").ops[0].buffer,
            Buffer::kHttpRequestBody);
  EXPECT_EQ(parse_ok(R"(alert smtp any any -> any any (file_data; content:"x"; sid:1;))").ops[0].buffer,
            Buffer::kFileData);
}

TEST(RuleParser, PcreFlagsSelectBufferAndOptions) {
  Rule r = parse_ok(R"(alert tcp any any -> any any (pcre:"/a.b/Uism"; pcre:!"/c/R"; sid:1;))");
  ASSERT_EQ(r.pcres.size(), 2u);
  EXPECT_EQ(r.ops[0].buffer, Buffer::kHttpUri);
  EXPECT_NE(r.pcres[0].options & PCRE2_CASELESS, 0u);
  EXPECT_NE(r.pcres[0].options & PCRE2_DOTALL, 0u);
  EXPECT_NE(r.pcres[0].options & PCRE2_MULTILINE, 0u);
  EXPECT_TRUE(r.pcres[1].negated);
  EXPECT_TRUE(r.pcres[1].relative);
  EXPECT_EQ(r.ops[1].buffer, Buffer::kPayload);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (pcre:"/a/J"; sid:1;))").find("modifier"), std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (pcre:"/a/UH"; sid:1;))").find("two buffer"), std::string::npos);
}

TEST(RuleParser, ContentModifierErrors) {
  EXPECT_NE(parse_err("alert tcp any any -> any any (nocase; sid:1;)").find("preceding content"), std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"abcd"; depth:2; sid:1;))").find("depth"), std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"a"; content:"bcd"; within:2; sid:1;))").find("within"),
            std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"a"; startswith; offset:1; sid:1;))").find("startswith"),
            std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"ab"; fast_pattern:1,5; sid:1;))").find("fast_pattern"),
            std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"a"; http_uri; http_method; sid:1;))").find("already"),
            std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:"a"; distance:x; sid:1;))").find("byte_extract variable"),
            std::string::npos);
  EXPECT_NE(parse_err(R"(alert tcp any any -> any any (content:a; sid:1;))").find("double quotes"), std::string::npos);
}

TEST(RuleParser, DsizeMakesARulePacketOnlyAndRejectsAppBuffers) {
  EXPECT_EQ(parse_ok(R"(alert tcp any any -> any any (dsize:>10; content:"x"; sid:1;))").stream, StreamMode::kPacketOnly);
  EXPECT_NE(parse_err(R"(alert http any any -> any any (dsize:>10; http.uri; content:"x"; sid:1;))").find("dsize"),
            std::string::npos);
}

TEST(IntMatch, SuricataIntegerSyntax) {
  auto m = [](const char* s) {
    auto r = parse_int_match(s, 65535);
    EXPECT_TRUE(r.is_ok()) << s;
    return r.is_ok() ? *r : IntMatch{};
  };
  EXPECT_TRUE(m("10").matches(10));
  EXPECT_FALSE(m("10").matches(11));
  EXPECT_TRUE(m("=0x10").matches(16));
  EXPECT_TRUE(m("!9").matches(10));
  EXPECT_FALSE(m("!=9").matches(9));
  EXPECT_TRUE(m("<10").matches(9));
  EXPECT_FALSE(m("<10").matches(10));
  EXPECT_TRUE(m("<=10").matches(10));
  EXPECT_TRUE(m(">8").matches(9));
  EXPECT_TRUE(m(" >= 8").matches(8));
  EXPECT_TRUE(m("8<>20").matches(9));
  EXPECT_FALSE(m("8<>20").matches(8));  // ranges are exclusive
  EXPECT_FALSE(m("8<>20").matches(20));
  EXPECT_TRUE(m("8-20").matches(19));
  EXPECT_TRUE(m("!8-20").matches(8));
  EXPECT_FALSE(m("!8-20").matches(10));
  EXPECT_TRUE(m("&0xc0=0x80").matches(0x81));
  EXPECT_FALSE(m("&0xc0=0x80").matches(0xc1));
  EXPECT_FALSE(parse_int_match("70000", 65535).is_ok());
  EXPECT_FALSE(parse_int_match("20<>8", 65535).is_ok());
  EXPECT_FALSE(parse_int_match("abc", 65535).is_ok());
}

TEST(RuleSet, DisabledRulesAreKeptWithTheirTextAndComments) {
  RuleSet rs;
  rs.add_text(
      "# a comment line\n"
      "alert tcp any any -> any any (msg:\"on\"; sid:1;)\n"
      "# alert tcp any any -> any any (msg:\"off\"; sid:2;)\n"
      "#alert this is not a rule (really\n"
      "\n",
      "t.rules");
  ASSERT_EQ(rs.entries().size(), 2u);
  EXPECT_TRUE(rs.entries()[0].enabled);
  EXPECT_FALSE(rs.entries()[1].enabled);
  EXPECT_EQ(rs.entries()[1].sid, 2u);
  EXPECT_EQ(rs.entries()[1].line, 3u);
  EXPECT_EQ(rs.entries()[1].text, "alert tcp any any -> any any (msg:\"off\"; sid:2;)");
  auto st = rs.stats();
  EXPECT_EQ(st.read, 2u);
  EXPECT_EQ(st.enabled, 1u);
  EXPECT_EQ(st.disabled, 1u);
}

TEST(RuleSet, LineContinuationsJoinAndKeepTheFirstLine) {
  RuleSet rs;
  rs.add_text("\nalert tcp any any -> any any \\\n  (msg:\"multi\"; \\\n  sid:7;)\nalert tcp any any -> any any (sid:8;)\n",
              "t.rules");
  ASSERT_EQ(rs.entries().size(), 2u);
  EXPECT_EQ(rs.entries()[0].line, 2u);
  EXPECT_EQ(rs.entries()[0].sid, 7u);
  EXPECT_EQ(rs.entries()[0].msg, "multi");
  EXPECT_EQ(rs.entries()[1].line, 5u);
}

TEST(RuleSet, ErrorsKeepFileLineAndSidAndSkipsAreNamed) {
  RuleSet rs;
  rs.add_text(
      "alert tcp any any -> any any (msg:\"bad\"; content:\"|4|\"; sid:10;)\n"
      "alert tcp any any -> any any (msg:\"asn\"; asn1:oversize_length 10; sid:11;)\n"
      "alert tcp any any -> any any (sid:12; rev:1;)\n"
      "alert tcp any any -> any any (sid:12; rev:2;)\n",
      "t.rules");
  const auto& e = rs.entries();
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].rule, nullptr);
  EXPECT_EQ(e[0].sid, 10u);
  EXPECT_EQ(e[0].msg, "bad");
  EXPECT_NE(e[0].error.find("odd number"), std::string::npos);
  EXPECT_EQ(e[1].skip_reason, "unsupported keyword: asn1");
  EXPECT_EQ(e[2].skip_reason, "duplicate sid");  // the higher rev wins, as in Suricata
  EXPECT_EQ(e[3].skip_reason, "");
  auto st = rs.stats();
  EXPECT_EQ(st.errors, 1u);
  EXPECT_EQ(st.parsed, 3u);
  EXPECT_EQ(st.loadable, 1u);
  EXPECT_EQ(st.skipped["unsupported keyword: asn1"], 1u);
  EXPECT_EQ(st.skipped["duplicate sid"], 1u);
}

TEST(RuleSet, EditingARuleReparsesItInPlace) {
  RuleSet rs;
  rs.add_text("alert tcp any any -> any any (msg:\"a\"; sid:1;)\n# alert tcp any any -> any any (msg:\"b\"; sid:2;)\n",
              "t.rules");
  ASSERT_EQ(rs.entries().size(), 2u);
  // Enable the disabled one.
  ASSERT_TRUE(rs.set_rule(1, rs.entries()[1].text, true).is_ok());
  EXPECT_TRUE(rs.entries()[1].loadable());
  EXPECT_EQ(rs.entries()[1].line, 2u);
  EXPECT_EQ(RuleSet::to_line(rs.entries()[1]), rs.entries()[1].text);
  // Rewrite the first with an error: kept, with its error.
  ASSERT_TRUE(rs.set_rule(0, "alert tcp any any -> any any (content:\"|zz|\"; sid:1;)", true).is_ok());
  EXPECT_EQ(rs.entries()[0].rule, nullptr);
  EXPECT_NE(rs.entries()[0].error.find("hex"), std::string::npos);
  // Disable it: the line becomes a comment.
  ASSERT_TRUE(rs.set_rule(1, rs.entries()[1].text, false).is_ok());
  EXPECT_EQ(RuleSet::to_line(rs.entries()[1]).substr(0, 2), "# ");
  EXPECT_FALSE(rs.set_rule(5, "alert tcp any any -> any any (sid:9;)", true).is_ok());
  // Two enabled copies of one sid: the later (same rev) is the duplicate.
  ASSERT_TRUE(rs.set_rule(0, "alert tcp any any -> any any (sid:2;)", true).is_ok());
  ASSERT_TRUE(rs.set_rule(1, "alert tcp any any -> any any (sid:2;)", true).is_ok());
  EXPECT_EQ(rs.entries()[1].skip_reason, "duplicate sid");
}

TEST(RuleSet, UnreadableFileIsRecorded) {
  RuleSet rs;
  EXPECT_FALSE(rs.add_file("/nonexistent/x.rules").is_ok());
  ASSERT_EQ(rs.file_errors().size(), 1u);
  EXPECT_NE(rs.file_errors()[0].find("/nonexistent/x.rules"), std::string::npos);
}

TEST(RuleIdentity, ScannedFromBrokenRules) {
  auto id = scan_identity(R"(alert tcp any any -> any any (msg:"m"; content:"|zz|"; sid:99; rev:3; gid:2;))");
  EXPECT_EQ(id.sid, 99u);
  EXPECT_EQ(id.rev, 3u);
  EXPECT_EQ(id.gid, 2u);
  EXPECT_EQ(id.msg, "m");
}

}  // namespace
}  // namespace canh::rules
