// One test (or more) per keyword, each with a matching and a non-matching packet, following
// Suricata's keyword documentation (doc/userguide/rules/*.rst); suricata-verify tests that pin a
// behaviour are named where they do.
#include <gtest/gtest.h>

#include "rules/engine.h"
#include "rules/test_util.h"

namespace canh::rules {
namespace {

using rtest::EngineFixture;
using rtest::icmp_packet;
using rtest::tcp_packet;
using rtest::udp_packet;

// Fires `rule` (sid 1) against a TCP payload.
bool tcp_fires(std::string_view rule, std::string_view payload) {
  EngineFixture f(rule);
  return f.fires(tcp_packet(payload), 1);
}

// --- content and its modifiers

TEST(Content, MatchesAnywhereAndNotWhenAbsent) {
  const char* r = R"(alert tcp any any -> any any (content:"evil"; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "xxevilxx"));
  EXPECT_FALSE(tcp_fires(r, "xxEVILxx"));
  EXPECT_FALSE(tcp_fires(r, "xxevixx"));
}

TEST(Content, NegatedContentRequiresAbsence) {
  const char* r = R"(alert tcp any any -> any any (content:"GET"; content:!"Host"; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "GET / HTTP/1.0"));
  EXPECT_FALSE(tcp_fires(r, "GET / HTTP/1.1\r\nHost: x"));
}

TEST(Content, NegatedOnlyRuleFiresWhenPatternMissing) {
  const char* r = R"(alert udp any any -> any any (content:!"ok"; sid:1;))";
  EngineFixture f(r);
  EXPECT_TRUE(f.fires(udp_packet("bad"), 1));
  EXPECT_FALSE(f.fires(udp_packet("is ok"), 1));
}

TEST(Content, NocaseIgnoresCase) {
  const char* r = R"(alert tcp any any -> any any (content:"EvIl"; nocase; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "xxeVIlxx"));
  EXPECT_FALSE(tcp_fires(r, "xxevi1xx"));
}

TEST(Content, HexBytes) {
  const char* r = R"(alert tcp any any -> any any (content:"|00 01|A|ff|"; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, std::string_view("\x02\x00\x01" "A\xff", 5)));
  EXPECT_FALSE(tcp_fires(r, std::string_view("\x00\x01" "B\xff", 4)));
}

TEST(Content, OffsetAndDepthBoundTheWindow) {
  // content:"def"; offset:3; depth:3 checks bytes 3..5 (payload-keywords.rst, offset).
  const char* r = R"(alert tcp any any -> any any (content:"def"; offset:3; depth:3; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "abcdefgh"));
  EXPECT_FALSE(tcp_fires(r, "abdefgh"));   // at 2: before the offset
  EXPECT_FALSE(tcp_fires(r, "abcxdefg"));  // at 4: ends past offset+depth
}

TEST(Content, DistanceIsRelativeToPreviousMatch) {
  const char* r = R"(alert tcp any any -> any any (content:"AB"; content:"CD"; distance:2; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "AB..CD"));
  EXPECT_TRUE(tcp_fires(r, "AB.....CD"));
  EXPECT_FALSE(tcp_fires(r, "AB.CD"));
}

TEST(Content, NegativeDistanceLooksBack) {
  const char* r = R"(alert tcp any any -> any any (content:"World"; content:"Hello"; distance:-11; within:5; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "Hello World"));
  EXPECT_FALSE(tcp_fires(r, "Hallo World"));
}

TEST(Content, WithinLimitsHowFarAfter) {
  const char* r = R"(alert tcp any any -> any any (content:"AB"; content:"CD"; within:4; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "AB..CD"));
  EXPECT_FALSE(tcp_fires(r, "AB...CD"));
}

TEST(Content, DistanceWithinRetriesLaterOccurrences) {
  // suricata-verify alert-distance-within-1: the first "A" is not followed closely enough, a later one is.
  const char* r = R"(alert tcp any any -> any any (content:"A"; content:"B"; distance:1; within:2; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "A....A.B"));
  EXPECT_FALSE(tcp_fires(r, "A....A....B"));
}

TEST(Content, StartswithAndEndswith) {
  const char* s = R"(alert tcp any any -> any any (content:"GET "; startswith; sid:1;))";
  EXPECT_TRUE(tcp_fires(s, "GET /"));
  EXPECT_FALSE(tcp_fires(s, " GET /"));
  const char* e = R"(alert tcp any any -> any any (content:"AAA"; endswith; sid:1;))";
  EXPECT_TRUE(tcp_fires(e, "xxAAA"));
  EXPECT_FALSE(tcp_fires(e, "xxAAAx"));
  // suricata-verify bug-docs-5030-01: endswith after distance/within.
  const char* w = R"(alert tcp any any -> any any (content:"ab"; content:"cd"; distance:1; within:6; endswith; sid:1;))";
  EXPECT_TRUE(tcp_fires(w, "ab..cd"));
  EXPECT_FALSE(tcp_fires(w, "ab.......cd"));
}

TEST(Content, NegatedEndswith) {
  const char* r = R"(alert tcp any any -> any any (content:"x"; content:!".google.com"; endswith; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "x.example.com"));
  EXPECT_FALSE(tcp_fires(r, "x.www.google.com"));
}

TEST(FastPattern, ExplicitOnlyAndChopSelectTheLiteralButVerifyTheWholeRule) {
  // The fast pattern is the prefilter key only: the rule must still match completely.
  const char* r = R"(alert tcp any any -> any any (content:"aaaaaaaa"; content:"zq"; fast_pattern; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "aaaaaaaa zq"));
  EXPECT_FALSE(tcp_fires(r, "zq"));
  const char* only = R"(alert tcp any any -> any any (content:"magic"; fast_pattern:only; sid:1;))";
  EXPECT_TRUE(tcp_fires(only, "xmagicx"));
  EXPECT_FALSE(tcp_fires(only, "xmagix"));
  const char* chop = R"(alert tcp any any -> any any (content:"abcdefgh"; fast_pattern:2,3; sid:1;))";
  EXPECT_TRUE(tcp_fires(chop, "abcdefgh"));
  EXPECT_FALSE(tcp_fires(chop, "xcdex"));  // the chopped literal alone is not a match
}

TEST(Rawbytes, HasNoEffect) {
  const char* r = R"(alert tcp any any -> any any (content:"x"; rawbytes; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "axb"));
  EXPECT_FALSE(tcp_fires(r, "ab"));
}

// --- isdataat: the documented table of payload-keywords.rst on "abcdefgh"

TEST(Isdataat, AbsoluteAndRelativeDifferByOne) {
  auto f = [](const char* opt) {
    return tcp_fires(std::string("alert tcp any any -> any any (content:\"a\"; ") + opt + " sid:1;)", "abcdefgh");
  };
  EXPECT_TRUE(f("isdataat:7;"));
  EXPECT_FALSE(f("isdataat:8;"));
  auto g = [](const char* opt) {
    return tcp_fires(std::string("alert tcp any any -> any any (content:\"c\"; ") + opt + " sid:1;)", "abcdefgh");
  };
  EXPECT_TRUE(g("isdataat:4,relative;"));
  EXPECT_TRUE(g("isdataat:5,relative;"));
  EXPECT_FALSE(g("isdataat:6,relative;"));
  EXPECT_TRUE(g("isdataat:!6,relative;"));
  EXPECT_FALSE(g("isdataat:!5,relative;"));
}

// --- pcre

TEST(Pcre, MatchesAndHonoursFlags) {
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/ab+c/"; sid:1;))", "xabbbc"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/ab+c/"; sid:1;))", "xABBC"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/ab+c/i"; sid:1;))", "xABBC"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/a.c/"; sid:1;))", "a\nc"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/a.c/s"; sid:1;))", "a\nc"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/^b/"; sid:1;))", "a\nb"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/^b/m"; sid:1;))", "a\nb"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (pcre:"/a b c/x"; sid:1;))", "abc"));
}

TEST(Pcre, NegatedPcre) {
  const char* r = R"(alert tcp any any -> any any (content:"user"; pcre:!"/admin/"; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "user bob"));
  EXPECT_FALSE(tcp_fires(r, "user admin"));
}

TEST(Pcre, RelativeStartsAtTheCursorAndAnchorsThere) {
  const char* r = R"(alert tcp any any -> any any (content:"key="; pcre:"/^\d+\;/R"; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "key=123;"));
  EXPECT_FALSE(tcp_fires(r, "key=x123;"));
  // A relative content after a pcre continues from the pcre's match end.
  const char* c = R"(alert tcp any any -> any any (pcre:"/id=\d+/"; content:"&"; within:1; sid:1;))";
  EXPECT_TRUE(tcp_fires(c, "id=42&x"));
  EXPECT_FALSE(tcp_fires(c, "id=42x&"));
}

TEST(Pcre, PcreOnlyRulesArePrefilteredByHyperscanAndVerifiedByPcre2) {
  // suricata-verify bug-7851: no content at all, only a pcre on a sticky buffer.
  EngineFixture f(R"(alert http any any -> any any (http.host; pcre:"/^.{1,2}$/"; sid:1;)
alert tcp any any -> any any (pcre:"/ab(c|d)+e/i"; sid:2;))");
  EXPECT_EQ(f.engine->stats().regex_prefiltered_rules, 2u);
  EXPECT_EQ(f.engine->stats().unprefiltered_rules, 0u);
  AppBuffers app;
  app.set(Buffer::kHttpHost, std::string_view("ab"));
  DetectInput in = tcp_packet("xxABCDCE");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
  AppBuffers app2;
  app2.tx_id = 1;
  app2.set(Buffer::kHttpHost, std::string_view("abc"));
  in.app = &app2;
  in.packet.payload = rtest::bytes("xxabce");
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2}));
  in.packet.payload = rtest::bytes("xxabxe");
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{}));
}

TEST(Pcre, BufferFlagSelectsAppBuffer) {
  EngineFixture f(R"(alert http any any -> any any (pcre:"/\.php$/U"; sid:1;))");
  AppBuffers app;
  app.set(Buffer::kHttpUri, std::string_view("/index.php"));
  DetectInput in = tcp_packet("GET /index.html");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_TRUE(f.fires(in, 1));
  AppBuffers other;
  other.set(Buffer::kHttpUri, std::string_view("/index.html"));
  in.app = &other;
  EXPECT_FALSE(f.fires(in, 1));
}

// --- byte_test / byte_jump / byte_extract

TEST(ByteTest, ComparesBinaryBigAndLittleEndian) {
  std::string p("\x00\x01\x00\x02", 4);
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,=,1,0; sid:1;))", p));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,=,2,0; sid:1;))", p));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,=,512,2,little; sid:1;))", p));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,!=,6,0; sid:1;))", p));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,>,1,2; sid:1;))", p));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,<=,1,0; sid:1;))", p));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,&,2,2; sid:1;))", p));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,&,1,2; sid:1;))", p));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_test:4,=,1,2; sid:1;))", p));  // past the end
}

TEST(ByteTest, RelativeStringAndBitmask) {
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (content:"len="; byte_test:3,>,100,0,relative,string,dec; sid:1;))",
                        "len=250;"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (content:"len="; byte_test:3,>,100,0,relative,string,dec; sid:1;))",
                         "len=050;"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (content:"x"; byte_test:2,=,0x1f,0,relative,string,hex; sid:1;))",
                        "x1f"));
  // suricata-verify detect-bytetest-01: bitmask 0xf8 on 0x48 gives 0x48 & 0xf8 = 0x48, >> 3 = 9.
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_test:1,=,0x9,0,bitmask 0xf8; sid:1;))", "HTTP"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_test:1,=,0x48,0,bitmask 0xf8; sid:1;))", "HTTP"));
  // A string with no digits is no match.
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_test:2,>=,0,0,string,dec; sid:1;))", "ab"));
}

TEST(ByteJump, MovesTheCursor) {
  // 2-byte length 0x0003 then 3 bytes skipped, then "X".
  std::string p = std::string("\x00\x03", 2) + "abcX";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:2,0; content:"X"; within:1; sid:1;))", p));
  std::string q = std::string("\x00\x02", 2) + "abcX";
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:2,0; content:"X"; within:1; sid:1;))", q));
}

TEST(ByteJump, MultiplierAlignFromBeginningAndPostOffset) {
  // value 2, multiplier 4 -> 8 bytes after the one read: index 9, the 'h'.
  std::string p = std::string("\x02", 1) + "abcdefgXh";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0,multiplier 4; content:"h"; within:1; sid:1;))", p));
  // align rounds 3 up to 4.
  std::string a = std::string("\x03", 1) + "abcdZ";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0,align; content:"Z"; within:1; sid:1;))", a));
  std::string b = std::string("\x03", 1) + "abcZ";
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0,align; content:"Z"; within:1; sid:1;))", b));
  // from_beginning: jump counts from the buffer start.
  std::string c = std::string("\x04", 1) + "abcZ";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0,from_beginning; content:"Z"; within:1; sid:1;))", c));
  // post_offset -1 steps back one byte: 1 + 3 - 1 = index 3, the 'Z'.
  std::string d = std::string("\x03", 1) + "abZc";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0,post_offset -1; content:"Z"; within:1; sid:1;))", d));
}

TEST(ByteJump, BeforeStartClampsPastEndFails) {
  // suricata-verify detect-bytejump-05: a jump before the buffer start lands on the start.
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (content:"ZZ"; byte_jump:0,0,relative,post_offset -10; pcre:"/^ab/R"; sid:1;))",
                        "abZZcd"));
  // A jump to the end or beyond is no match.
  std::string p = std::string("\x05", 1) + "abcd";
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0; sid:1;))", p));
  std::string q = std::string("\x03", 1) + "abcd";
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (byte_jump:1,0; sid:1;))", q));
}

TEST(ByteJump, FromEndWithStringValue) {
  // suricata-verify detect-bytejump-01 idea: read a decimal, jump from the end back by post_offset.
  EXPECT_TRUE(tcp_fires(
      R"(alert tcp any any -> any any (content:"Q?"; byte_jump:0,0,relative,string,from_end,post_offset -3; content:"end"; distance:0; sid:1;))",
      "Q?0 xx end"));
  EXPECT_FALSE(tcp_fires(
      R"(alert tcp any any -> any any (content:"Q?"; byte_jump:0,0,relative,string,from_end,post_offset -3; content:"end"; distance:0; sid:1;))",
      "Q?0 end xx"));
}

TEST(ByteExtract, VariableFeedsDistanceWithinAndByteTest) {
  // byte_extract:1,0,len -> within:len
  const char* r = R"(alert tcp any any -> any any (content:"L"; byte_extract:1,0,len,relative; content:"X"; distance:0; within:len; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, std::string("L\x03") + "abX"));
  EXPECT_FALSE(tcp_fires(r, std::string("L\x02") + "abX"));
  const char* t = R"(alert tcp any any -> any any (byte_extract:1,0,v; byte_test:1,=,v,1; sid:1;))";
  EXPECT_TRUE(tcp_fires(t, "aa"));
  EXPECT_FALSE(tcp_fires(t, "ab"));
  // suricata-verify bug-7390: distance from a string variable.
  const char* s = R"(alert tcp any any -> any any (content:"n="; byte_extract:1,0,n,string,relative; content:"!"; distance:n; within:1; sid:1;))";
  EXPECT_TRUE(tcp_fires(s, "n=2ab!"));
  EXPECT_FALSE(tcp_fires(s, "n=2a!b"));
}

// --- bsize, dsize, urilen

TEST(Dsize, ComparesPayloadSize) {
  const char* r = R"(alert tcp any any -> any any (dsize:8<>20; sid:1;))";
  EXPECT_TRUE(tcp_fires(r, "123456789"));
  EXPECT_FALSE(tcp_fires(r, "12345678"));
  EXPECT_TRUE(tcp_fires(R"(alert tcp any any -> any any (dsize:!9; sid:1;))", "12345678"));
  EXPECT_FALSE(tcp_fires(R"(alert tcp any any -> any any (dsize:!9; sid:1;))", "123456789"));
}

TEST(Dsize, InspectsThePacketNotTheStream) {
  EngineFixture f(R"(alert tcp any any -> any any (dsize:<5; content:"abc"; sid:1;))");
  DetectInput in = tcp_packet("bc");
  StreamChunk sc;
  sc.data = rtest::bytes("xxabc");
  in.stream = &sc;
  EXPECT_FALSE(f.fires(in, 1));  // "abc" only spans segments in the stream; dsize rules see the packet
  in.packet.payload = rtest::bytes("abc");
  EXPECT_TRUE(f.fires(in, 1));
}

TEST(Bsize, ComparesTheStickyBufferLength) {
  EngineFixture f(R"(alert http any any -> any any (http.host; bsize:<3; sid:1;)
alert http any any -> any any (http.user_agent; bsize:0; sid:2;))");
  AppBuffers app;
  app.set(Buffer::kHttpHost, std::string_view("ab"));
  app.set(Buffer::kHttpUserAgent, std::string_view(""));
  DetectInput in = tcp_packet("GET /");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
  AppBuffers app2;
  app2.tx_id = 1;
  app2.set(Buffer::kHttpHost, std::string_view("abc"));
  app2.set(Buffer::kHttpUserAgent, std::string_view("x"));
  in.app = &app2;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{}));
}

TEST(Urilen, ComparesNormalizedOrRawUriLength) {
  EngineFixture f(R"(alert http any any -> any any (urilen:<5; sid:1;)
alert http any any -> any any (urilen:>5,raw; sid:2;))");
  AppBuffers app;
  app.set(Buffer::kHttpUri, std::string_view("/a"));
  app.set(Buffer::kHttpUriRaw, std::string_view("/%61bcdef"));
  DetectInput in = tcp_packet("GET /");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
}

// --- header keywords

TEST(Flow, DirectionAndState) {
  EngineFixture f(R"(alert tcp any any -> any any (flow:to_server,established; sid:1;)
alert tcp any any -> any any (flow:to_client; sid:2;)
alert tcp any any -> any any (flow:not_established; sid:3;)
alert tcp any any -> any any (flow:stateless; sid:4;))");
  DetectInput in = tcp_packet("x");
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 4}));
  in.flow.to_server = false;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2, 4}));
  in.flow.established = false;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2, 3, 4}));
}

TEST(Flow, OnlyStreamAndNoStream) {
  EngineFixture f(R"(alert tcp any any -> any any (flow:only_stream; content:"abc"; sid:1;)
alert tcp any any -> any any (flow:no_stream; content:"abc"; sid:2;))");
  DetectInput in = tcp_packet("abc");
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2}));
  StreamChunk sc;
  sc.data = rtest::bytes("zabc");
  in.stream = &sc;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
}

TEST(Flowbits, SetIssetUnsetToggleIsnotsetAndOr) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"set"; flowbits:set,a; sid:1;)
alert tcp any any -> any any (content:"unset"; flowbits:unset,a; sid:2;)
alert tcp any any -> any any (content:"toggle"; flowbits:toggle,b; sid:3;)
alert tcp any any -> any any (content:"check"; flowbits:isset,a; sid:4;)
alert tcp any any -> any any (content:"check"; flowbits:isnotset,a; sid:5;)
alert tcp any any -> any any (content:"check"; flowbits:isset,a|b; sid:6;)
alert tcp any any -> any any (content:"check"; flowbits:isset,a&b; sid:7;))");
  EXPECT_EQ(f.run(tcp_packet("check")), (std::vector<uint32_t>{5}));
  f.run(tcp_packet("set"));
  EXPECT_EQ(f.run(tcp_packet("check")), (std::vector<uint32_t>{4, 6}));
  f.run(tcp_packet("toggle"));
  EXPECT_EQ(f.run(tcp_packet("check")), (std::vector<uint32_t>{4, 6, 7}));
  f.run(tcp_packet("unset"));
  EXPECT_EQ(f.run(tcp_packet("check")), (std::vector<uint32_t>{5, 6}));
  f.run(tcp_packet("toggle"));
  EXPECT_EQ(f.run(tcp_packet("check")), (std::vector<uint32_t>{5}));
}

TEST(Flowbits, NoalertStillSetsTheBit) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"a"; flowbits:set,x; flowbits:noalert; sid:1;)
alert tcp any any -> any any (content:"b"; flowbits:isset,x; sid:2;))");
  EXPECT_EQ(f.run(tcp_packet("a")), (std::vector<uint32_t>{}));
  EXPECT_EQ(f.run(tcp_packet("b")), (std::vector<uint32_t>{2}));
  // The sensor reads set flowbits by name (EVE traffic.id / traffic.label).
  ASSERT_EQ(f.engine->flowbit_names(), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(f.flow.flowbits[0] & 1);
}

TEST(Noalert, MatchesWithoutAlerting) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"a"; noalert; flowbits:set,x; sid:1;)
alert tcp any any -> any any (content:"b"; flowbits:isset,x; sid:2;))");
  EXPECT_EQ(f.run(tcp_packet("ab")), (std::vector<uint32_t>{2}));
}

TEST(Flags, ExactPlusAnyNotAndIgnore) {
  auto fires = [](const char* opt, uint8_t flags) {
    EngineFixture f(std::string("alert tcp any any -> any any (flags:") + opt + "; sid:1;)");
    DetectInput in = tcp_packet("");
    in.packet.tcp_flags = flags;
    return f.fires(in, 1);
  };
  EXPECT_TRUE(fires("S", 0x02));
  EXPECT_FALSE(fires("S", 0x12));   // exact: SYN only
  EXPECT_TRUE(fires("S+", 0x12));   // SYN and anything else
  EXPECT_TRUE(fires("*SF", 0x01));  // any of them
  EXPECT_FALSE(fires("*SF", 0x10));
  EXPECT_TRUE(fires("!R", 0x10));   // not RST
  EXPECT_FALSE(fires("!R", 0x14));
  EXPECT_TRUE(fires("S,CE", 0xC2)); // CWR/ECE ignored
  EXPECT_TRUE(fires("S,12", 0xC2)); // the Snort-era names of CWR/ECE
  EXPECT_TRUE(fires("0", 0x00));
  EXPECT_FALSE(fires("0", 0x10));
}

TEST(Fragbits, MoreFragmentsDontFragmentReserved) {
  auto fires = [](const char* opt, uint16_t frag) {
    EngineFixture f(std::string("alert ip any any -> any any (fragbits:") + opt + "; sid:1;)");
    DetectInput in = tcp_packet("");
    in.packet.frag_flags = frag;
    return f.fires(in, 1);
  };
  EXPECT_TRUE(fires("D", 0x4000));
  EXPECT_FALSE(fires("D", 0x6000));
  EXPECT_TRUE(fires("M+", 0x6000));
  EXPECT_TRUE(fires("!R", 0x4000));
  EXPECT_FALSE(fires("!R", 0x8000));
}

TEST(IpFields, TtlTosIdIpProtoSameip) {
  auto fires = [](const char* opts, DetectInput in) {
    EngineFixture f(std::string("alert ip any any -> any any (") + opts + " sid:1;)");
    return f.fires(in, 1);
  };
  DetectInput in = tcp_packet("");
  in.packet.ttl = 128;
  in.packet.tos = 0x10;
  in.packet.ip_id = 4242;
  EXPECT_TRUE(fires("ttl:128;", in));
  EXPECT_FALSE(fires("ttl:64;", in));
  EXPECT_TRUE(fires("ttl:>100;", in));
  EXPECT_TRUE(fires("tos:16;", in));
  EXPECT_FALSE(fires("tos:8;", in));
  EXPECT_TRUE(fires("id:4242;", in));
  EXPECT_FALSE(fires("id:1;", in));
  EXPECT_TRUE(fires("ip_proto:6;", in));
  EXPECT_TRUE(fires("ip_proto:tcp;", in));
  EXPECT_FALSE(fires("ip_proto:udp;", in));
  EXPECT_TRUE(fires("ip_proto:!17;", in));
  EXPECT_FALSE(fires("sameip;", in));
  in.packet.dst = in.packet.src;
  EXPECT_TRUE(fires("sameip;", in));
}

TEST(Ipopts, NamedOptionPresent) {
  auto fires = [](const char* opt, uint32_t present) {
    EngineFixture f(std::string("alert ip any any -> any any (ipopts:") + opt + "; sid:1;)");
    DetectInput in = tcp_packet("");
    in.packet.ipopts = present;
    return f.fires(in, 1);
  };
  EXPECT_TRUE(fires("rr", 1u << 7));
  EXPECT_FALSE(fires("rr", 1u << 3));
  EXPECT_TRUE(fires("lsrr", 1u << 3));
  EXPECT_TRUE(fires("ts", 1u << 4));
  EXPECT_TRUE(fires("any", 1u << 1));
  EXPECT_FALSE(fires("any", 0));
}

TEST(Icmp, TypeCodeIdSeq) {
  auto fires = [](const char* opts, DetectInput in) {
    EngineFixture f(std::string("alert icmp any any -> any any (") + opts + " sid:1;)");
    return f.fires(in, 1);
  };
  DetectInput echo = icmp_packet(8, 0);
  echo.packet.icmp_has_id = true;
  echo.packet.icmp_id = 21781;
  echo.packet.icmp_seq = 2216;
  EXPECT_TRUE(fires("itype:8;", echo));
  EXPECT_FALSE(fires("itype:0;", echo));
  EXPECT_TRUE(fires("itype:7<>20;", echo));
  EXPECT_TRUE(fires("itype:>=8;", echo));
  EXPECT_TRUE(fires("icode:0;", echo));
  EXPECT_FALSE(fires("icode:>0;", echo));
  EXPECT_TRUE(fires("icmp_id:21781;", echo));
  EXPECT_FALSE(fires("icmp_id:21782;", echo));
  EXPECT_TRUE(fires("icmp_seq:2216;", echo));
  EXPECT_FALSE(fires("icmp_seq:5000;", echo));
  EXPECT_FALSE(fires("itype:8;", tcp_packet("")));  // not ICMP
}

TEST(TcpFields, SeqAckWindowMss) {
  auto fires = [](const char* opts, DetectInput in) {
    EngineFixture f(std::string("alert tcp any any -> any any (") + opts + " sid:1;)");
    return f.fires(in, 1);
  };
  DetectInput in = tcp_packet("");
  in.packet.tcp_seq = 100;
  in.packet.tcp_ack = 200;
  in.packet.tcp_window = 55808;
  EXPECT_TRUE(fires("seq:100;", in));
  EXPECT_FALSE(fires("seq:101;", in));
  EXPECT_TRUE(fires("ack:200;", in));
  EXPECT_FALSE(fires("ack:0;", in));
  EXPECT_TRUE(fires("window:55808;", in));
  EXPECT_TRUE(fires("window:!512;", in));
  EXPECT_FALSE(fires("tcp.mss:<536;", in));  // no MSS option
  in.packet.tcp_mss = 500;
  EXPECT_TRUE(fires("tcp.mss:<536;", in));
  in.packet.tcp_mss = 1460;
  EXPECT_FALSE(fires("tcp.mss:<536;", in));
}

TEST(StreamSize, ComparesPerSide) {
  auto fires = [](const char* opts) {
    EngineFixture f(std::string("alert tcp any any -> any any (stream_size:") + opts + "; sid:1;)");
    DetectInput in = tcp_packet("");
    in.flow.stream_bytes_to_server = 100;  // client sent
    in.flow.stream_bytes_to_client = 5000;  // server sent
    return f.fires(in, 1);
  };
  EXPECT_TRUE(fires("server,>,1000"));
  EXPECT_FALSE(fires("client,>,1000"));
  EXPECT_TRUE(fires("either,>,1000"));
  EXPECT_FALSE(fires("both,>,1000"));
  EXPECT_TRUE(fires("both,<,10000"));
}

// --- header buffers

TEST(HeaderBuffers, Ipv4TcpUdpHeadersComeFromThePacket) {
  EngineFixture f(R"(alert ip any any -> any any (ipv4.hdr; content:"|00 00|"; offset:4; depth:2; sid:1;)
alert tcp any any -> any any (tcp.hdr; content:"|02 04|"; offset:20; byte_test:2,<,536,0,big,relative; sid:2;)
alert udp any any -> any any (udp.hdr; content:"|00 08|"; offset:4; depth:2; sid:3;))");
  uint8_t ip4[20] = {0x45, 0, 0, 40, 0x12, 0x34, 0, 0, 64, 6};
  uint8_t tcph[24] = {0};
  tcph[20] = 2;
  tcph[21] = 4;
  tcph[22] = 0x01;
  tcph[23] = 0xf4;  // MSS 500
  DetectInput in = tcp_packet("");
  in.packet.l3_header = std::span<const uint8_t>(ip4, 20);
  in.packet.l4_header = std::span<const uint8_t>(tcph, 24);
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2}));  // ip id 0x1234 is not zero
  ip4[4] = ip4[5] = 0;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
  uint8_t udph[8] = {0, 53, 0, 53, 0, 8, 0, 0};
  DetectInput u = udp_packet("");
  u.packet.l3_header = std::span<const uint8_t>(ip4, 20);
  u.packet.l4_header = std::span<const uint8_t>(udph, 8);
  EXPECT_EQ(f.run(u), (std::vector<uint32_t>{1, 3}));
}

// --- app-layer buffers

TEST(AppBuffers, StickyAndLegacyHttpBuffers) {
  EngineFixture f(R"(alert http any any -> any any (content:"GET"; http_method; content:"/admin"; http_uri; nocase; sid:1;)
alert http any any -> any any (http.user_agent; content:"curl"; startswith; sid:2;)
alert http any any -> any any (http_header_names; content:"X-Evil"; sid:3;))");
  AppBuffers app;
  app.set(Buffer::kHttpMethod, std::string_view("GET"));
  app.set(Buffer::kHttpUri, std::string_view("/ADMIN/login"));
  app.set(Buffer::kHttpUserAgent, std::string_view("curl/8.0"));
  app.set(Buffer::kHttpHeaderNames, std::string_view("\r\nHost\r\nUser-Agent\r\n\r\n"));
  DetectInput in = tcp_packet("GET /ADMIN/login HTTP/1.1");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2}));
}

TEST(AppBuffers, NeedTheRightProtocolAndSide) {
  EngineFixture f(R"(alert http any any -> any any (http.stat_code; content:"200"; sid:1;)
alert dns any any -> any any (dns.query; content:"evil.com"; sid:2;))");
  AppBuffers resp;
  resp.to_server = false;
  resp.set(Buffer::kHttpStatCode, std::string_view("200"));
  DetectInput in = tcp_packet("HTTP/1.1 200 OK");
  in.flow.to_server = false;
  in.app = &resp;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{}));  // flow not HTTP yet
  in.flow.app_proto = AppProto::kHttp;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1}));
  AppBuffers q;
  q.set(Buffer::kDnsQuery, std::string_view("www.evil.com"));
  DetectInput d = udp_packet("");
  d.flow.app_proto = AppProto::kDns;
  d.app = &q;
  EXPECT_EQ(f.run(d), (std::vector<uint32_t>{2}));
}

TEST(AppBuffers, OncePerTransactionAndDirection) {
  EngineFixture f(R"(alert http any any -> any any (http.uri; content:"/x"; sid:1;))");
  AppBuffers app;
  app.tx_id = 7;
  app.set(Buffer::kHttpUri, std::string_view("/x"));
  DetectInput in = tcp_packet("");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1}));
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{}));  // the same transaction offered again
  app.tx_id = 8;
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1}));
}

TEST(AppBuffers, MultiBufferMatchesWithinOneInstance) {
  EngineFixture f(R"(alert http any any -> any any (http.request_header; content:"Key|3a 20|"; startswith; pcre:"/^[a-z]{3}$/R"; sid:1;))");
  std::string_view h1 = "Host: example.com", h2 = "Key: abc", h3 = "Key: abcd";
  std::span<const uint8_t> parts[] = {rtest::bytes(h1), rtest::bytes(h2)};
  AppBuffers app;
  app.set_multi(Buffer::kHttpRequestHeader, parts);
  DetectInput in = tcp_packet("");
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_TRUE(f.fires(in, 1));
  std::span<const uint8_t> parts2[] = {rtest::bytes(h1), rtest::bytes(h3)};
  AppBuffers app2;
  app2.tx_id = 2;
  app2.set_multi(Buffer::kHttpRequestHeader, parts2);
  in.app = &app2;
  EXPECT_FALSE(f.fires(in, 1));
}

TEST(AppBuffers, ResponseRuleMayUseTheRequestBuffersOfItsTransaction) {
  EngineFixture f(R"(alert http any any -> any any (flow:to_client; http.uri; content:"/dl"; http.stat_code; content:"200"; sid:1;))");
  AppBuffers app;
  app.to_server = false;
  app.set(Buffer::kHttpUri, std::string_view("/dl/file.exe"));
  app.set(Buffer::kHttpStatCode, std::string_view("200"));
  DetectInput in = tcp_packet("");
  in.flow.to_server = false;
  in.flow.app_proto = AppProto::kHttp;
  in.app = &app;
  EXPECT_TRUE(f.fires(in, 1));
}

TEST(Transactional, OneRuleOverRequestAndResponseOfATransaction) {
  // Suricata 8's `=>` (suricata-verify detect-bidir-flowbits): request and response buffers of one
  // transaction, addresses read client -> server even on the response packet.
  EngineFixture f(R"(alert http 10.0.0.0/8 any => 192.168.0.0/16 any (http.method; content:"POST"; http.stat_code; content:"500"; file.data:to_client; content:"Exception"; sid:1;))");
  AppBuffers tx;
  tx.to_server = false;
  tx.set(Buffer::kHttpMethod, std::string_view("POST"));
  tx.set(Buffer::kHttpStatCode, std::string_view("500"));
  tx.set(Buffer::kHttpResponseBody, std::string_view("java Exception at"));
  DetectInput in = tcp_packet("HTTP/1.1 500", 80, 1234);
  std::swap(in.packet.src, in.packet.dst);  // server -> client
  in.flow.to_server = false;
  in.flow.app_proto = AppProto::kHttp;
  in.app = &tx;
  EXPECT_TRUE(f.fires(in, 1));
  AppBuffers get = tx;
  get.tx_id = 1;
  get.set(Buffer::kHttpMethod, std::string_view("GET"));
  in.app = &get;
  EXPECT_FALSE(f.fires(in, 1));
}

TEST(Drop, DropRuleAlertsThenTheFlowIsDropped) {
  // suricata-verify drop-protocol-change: one alert, then the flow is dropped (flow.action drop).
  EngineFixture f(R"(drop tcp any any -> any any (content:"x"; sid:1;)
alert tcp any any -> any any (content:"x"; sid:2;))");
  EXPECT_EQ(f.run(tcp_packet("x")), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(f.flow.dropped);
  EXPECT_EQ(f.run(tcp_packet("x")), (std::vector<uint32_t>{}));
}

// --- stream vs packet

TEST(Stream, PatternsSpanningSegmentsMatchInTheStream) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"VERYGOOD"; sid:1;)
alert tcp-pkt any any -> any any (content:"VERYGOOD"; sid:2;)
alert tcp-stream any any -> any any (content:"GOOD"; sid:3;))");
  DetectInput in = tcp_packet("GOOD");
  StreamChunk sc;
  sc.data = rtest::bytes("VERYGOOD");
  in.stream = &sc;
  auto c = f.run_full(in);
  ASSERT_EQ(c.sids(), (std::vector<uint32_t>{1, 3}));
  EXPECT_TRUE(c.alerts[0].from_stream);
  // Without stream data, tcp-stream rules see nothing.
  EXPECT_EQ(f.run(tcp_packet("VERYGOOD")), (std::vector<uint32_t>{1, 2}));
}

TEST(Stream, OverlapAlreadyOfferedIsNotReportedAgain) {
  EngineFixture f(R"(alert tcp-stream any any -> any any (content:"EVIL"; sid:1;))");
  DetectInput in = tcp_packet("xyz");
  StreamChunk sc;
  sc.data = rtest::bytes("EVILxyz");
  sc.new_from = 4;  // "EVIL" was in the previous chunk
  in.stream = &sc;
  EXPECT_FALSE(f.fires(in, 1));
  StreamChunk sc2;
  sc2.data = rtest::bytes("EVILxyzEVIL");
  sc2.new_from = 4;
  in.stream = &sc2;
  EXPECT_TRUE(f.fires(in, 1));  // a second occurrence in the new bytes
}

TEST(Stream, AMatchNeedingTheNewBytesIsNotMistakenForAnOldOne) {
  // suricata-verify bug-4623: the content ends exactly where the old bytes end; the byte_jump after
  // it needs data beyond, which only this chunk has.
  EngineFixture f(R"(alert tcp-stream any any -> any any (content:"|0f 54|"; byte_jump:0,0,relative,post_offset -3; pcre:"/^\x01\x0f\x54/R"; sid:1;))");
  DetectInput in = tcp_packet("zz");
  StreamChunk sc;
  std::string data("ab\x01\x0f\x54zz", 7);
  sc.data = rtest::bytes(data);
  sc.new_from = 5;
  in.stream = &sc;
  EXPECT_TRUE(f.fires(in, 1));
}

TEST(PayloadMask, UnprefilteredPayloadRulesSkipPacketsWithoutPayload) {
  // Suricata's signature masks (suricata-verify test-dsize-values, detect-bytetest-02): dsize:!9 and
  // pcre-only rules do not run on empty packets, while a content rule found by the prefilter in
  // stream data does (a stream-end pseudo packet).
  EngineFixture f(R"(alert tcp any any -> any any (dsize:!9; sid:1;)
alert tcp any any -> any any (dsize:<9; sid:2;)
alert tcp any any -> any any (pcre:"/GET/"; sid:3;)
alert tcp any any -> any any (content:"GET"; sid:4;))");
  DetectInput empty = tcp_packet("");
  EXPECT_EQ(f.run(empty), (std::vector<uint32_t>{2}));
  StreamChunk sc;
  sc.data = rtest::bytes("GET / HTTP/1.0");
  empty.stream = &sc;
  EXPECT_EQ(f.run(empty), (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(f.run(tcp_packet("GET /x")), (std::vector<uint32_t>{1, 2, 3, 4}));
}

TEST(AppRulesOnly, TransactionCallsRunOnlyAppLayerRules) {
  EngineFixture f(R"(alert http any any -> any any (content:"GET"; sid:1;)
alert http any any -> any any (http.uri; content:"/a"; sid:2;)
alert http any any -> any any (content:"IE=Edge"; file_data; content:"IE=Edge"; sid:3;))");
  DetectInput pkt = tcp_packet("GET /a IE=Edge");
  pkt.flow.app_proto = AppProto::kHttp;
  EXPECT_EQ(f.run(pkt), (std::vector<uint32_t>{1}));
  AppBuffers req;
  req.set(Buffer::kHttpUri, std::string_view("/a"));
  DetectInput tx = pkt;
  tx.app = &req;
  tx.app_rules_only = true;
  EXPECT_EQ(f.run(tx), (std::vector<uint32_t>{2}));  // sid 1 already ran in the packet's call
  AppBuffers resp;
  resp.to_server = false;
  resp.set(Buffer::kHttpResponseBody, std::string_view("<meta content=IE=Edge>"));
  tx.app = &resp;
  tx.flow.to_server = false;
  EXPECT_EQ(f.run(tx), (std::vector<uint32_t>{3}));  // payload and file_data in one rule
}

// --- thresholds

TEST(Threshold, LimitAlertsAtMostCountPerWindow) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"x"; threshold:type limit, track by_src, count 2, seconds 60; sid:1;))");
  DetectInput in = tcp_packet("x");
  int n = 0;
  for (int i = 0; i < 5; ++i) {
    in.packet.ts_usec = 1'000'000ULL * uint64_t(i);
    n += f.fires(in, 1);
  }
  EXPECT_EQ(n, 2);
  in.packet.ts_usec = 100'000'000ULL;  // a new window
  EXPECT_TRUE(f.fires(in, 1));
  in.packet.src = rtest::ip("10.9.9.9");  // another source has its own count
  EXPECT_TRUE(f.fires(in, 1));
}

TEST(Threshold, ThresholdTypeAlertsEveryNth) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"x"; threshold:type threshold, track by_dst, count 3, seconds 60; sid:1;))");
  DetectInput in = tcp_packet("x");
  std::vector<int> fired;
  for (int i = 1; i <= 7; ++i) {
    in.packet.ts_usec = uint64_t(i) * 1000;
    if (f.fires(in, 1)) fired.push_back(i);
  }
  EXPECT_EQ(fired, (std::vector<int>{3, 6}));
}

TEST(Threshold, BothAlertsOncePerWindowAfterCount) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"x"; threshold:type both, track by_src, count 2, seconds 10; sid:1;))");
  DetectInput in = tcp_packet("x");
  std::vector<int> fired;
  for (int i = 1; i <= 5; ++i) {
    in.packet.ts_usec = uint64_t(i) * 1000;
    if (f.fires(in, 1)) fired.push_back(i);
  }
  EXPECT_EQ(fired, (std::vector<int>{2}));
}

TEST(DetectionFilter, AlertsEveryMatchAfterCount) {
  EngineFixture f(R"(alert tcp any any -> any any (content:"x"; detection_filter:track by_src, count 2, seconds 60; sid:1;))");
  DetectInput in = tcp_packet("x");
  std::vector<int> fired;
  for (int i = 1; i <= 5; ++i) {
    in.packet.ts_usec = uint64_t(i) * 1000;
    if (f.fires(in, 1)) fired.push_back(i);
  }
  EXPECT_EQ(fired, (std::vector<int>{3, 4, 5}));
}

TEST(Threshold, ByRuleCountsEveryHost) {
  // suricata-verify bug-4503: limit by_rule count 5.
  EngineFixture f(R"(alert ip any any -> any any (threshold: type limit, track by_rule, count 5, seconds 300; sid:1;))");
  int n = 0;
  for (int i = 0; i < 9; ++i) {
    DetectInput in = tcp_packet("");
    in.packet.src.bytes[3] = uint8_t(i);
    in.packet.ts_usec = uint64_t(i);
    f.flow.reset();  // each host its own flow (the rule is IP-only: first packet of a flow)
    n += f.fires(in, 1);
  }
  EXPECT_EQ(n, 5);
}

TEST(IpOnly, FirstPacketOfEachDirectionOnly) {
  // Suricata runs IP-only rules (reputation lists) once per flow direction (suricata-verify
  // bug-6402-01: 2 alerts for a whole TCP connection); rules with ports, flow or packet keywords run
  // on every packet.
  EngineFixture f(R"(alert ip any any -> [192.168.1.1] any (msg:"rep"; flowbits:set,bad; sid:1;)
alert tcp any any -> any 80 (msg:"port"; sid:2;)
alert ip any any -> [192.168.1.1] any (ttl:64; sid:3;)
alert tcp any any <> any any (sid:4;))");
  DetectInput in = tcp_packet("GET /");
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(f.run(in), (std::vector<uint32_t>{2, 3}));
  DetectInput back = tcp_packet("HTTP/1.1 200", 80, 1234);
  std::swap(back.packet.src, back.packet.dst);
  back.flow.to_server = false;
  EXPECT_EQ(f.run(back), (std::vector<uint32_t>{4}));
  EXPECT_EQ(f.run(back), (std::vector<uint32_t>{}));
  // A packet without a flow always runs them.
  DetectInput lone = tcp_packet("x");
  lone.flow.has_flow = false;
  FlowDetectState scratch_flow;
  rtest::Collected c;
  f.engine->inspect(lone, scratch_flow, *f.scratch, c);
  f.engine->inspect(lone, scratch_flow, *f.scratch, c);
  EXPECT_EQ(c.sids(), (std::vector<uint32_t>{1, 2, 3, 4, 1, 2, 3, 4}));
}

// --- meta: msg, classtype, priority, metadata, target, gid reach the alert

TEST(Meta, AlertCarriesRuleMeta) {
  EngineFixture f(R"(alert tcp any any -> any any (msg:"M"; content:"x"; classtype:trojan-activity; priority:4; metadata:k v; target:src_ip; gid:5; sid:1; rev:2;))");
  auto c = f.run_full(tcp_packet("x"));
  ASSERT_EQ(c.alerts.size(), 1u);
  const AlertInfo& a = c.alerts[0];
  EXPECT_EQ(a.msg, "M");
  EXPECT_EQ(a.classtype, "trojan-activity");
  EXPECT_EQ(a.category, "A Network Trojan was detected");
  EXPECT_EQ(a.priority, 4);  // explicit priority beats the classtype's 1
  EXPECT_EQ(a.metadata, "k v");
  EXPECT_EQ(a.target, 1);
  EXPECT_EQ(a.gid, 5u);
  EXPECT_EQ(a.rev, 2u);
  EXPECT_EQ(a.action, 0);
}

TEST(Header, AddressesPortsAndBidirectional) {
  EngineFixture f(R"(alert tcp 10.0.0.0/8 any -> $HOME_NET 80 (sid:1;)
alert tcp $HOME_NET 80 -> any any (sid:2;)
alert tcp $HOME_NET any <> 10.0.0.1 any (sid:3;)
alert tcp any ![1024:] -> any any (sid:4;))");
  EXPECT_EQ(f.run(tcp_packet("", 1234, 80)), (std::vector<uint32_t>{1, 3}));
  DetectInput back = tcp_packet("", 80, 1234);
  std::swap(back.packet.src, back.packet.dst);
  back.flow.to_server = false;
  EXPECT_EQ(f.run(back), (std::vector<uint32_t>{2, 3, 4}));
}

TEST(Header, AppProtocolRuleWithoutBuffersFiresPerPacketOnceDetected) {
  EngineFixture f(R"(alert http any any -> any any (msg:"HTTP traffic"; sid:1;))");
  DetectInput in = tcp_packet("GET /");
  EXPECT_FALSE(f.fires(in, 1));
  in.flow.app_proto = AppProto::kHttp;
  EXPECT_TRUE(f.fires(in, 1));
  EXPECT_TRUE(f.fires(in, 1));
}

}  // namespace
}  // namespace canh::rules
