#include "sensor/app/app_layer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canh::sensor::app {
namespace {

using rules::AppProto;
using rules::Buffer;

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(AppLayerConfig, SuricataKeysAndValues) {
  auto c = app_config_from({{"http.enabled", "no"},
                            {"tls.enabled", "detection-only"},
                            {"http.libhtp.default-config.request-body-limit", "4kb"},
                            {"http.libhtp.default-config.response-body-limit", "0"},
                            {"http.memcap", "128mb"},
                            {"smb.enabled", "yes"}});
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_FALSE(c->http_enabled);
  EXPECT_TRUE(c->tls_enabled);
  EXPECT_EQ(c->http.request_body_limit, 4096u);
  EXPECT_EQ(c->http.response_body_limit, 16u << 20);
  EXPECT_EQ(c->http_memcap, 128u << 20);
}

TEST(AppLayerConfig, BadValueNamesTheKey) {
  auto c = app_config_from({{"dns.enabled", "maybe"}});
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("app-layer.protocols.dns.enabled"), std::string::npos);
  auto s = app_config_from({{"http.libhtp.default-config.request-body-limit", "lots"}});
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("request-body-limit"), std::string::npos);
}

// Stands in for the pipeline's detection: records what each transaction offered and what the flow's
// app_proto was at that moment.
struct Pipeline : sensor::AppTxSink {
  AppProto* flow_proto = nullptr;
  std::vector<AppProto> proto_at_tx;
  std::vector<std::string> uris;
  std::vector<bool> directions;
  void on_tx(const rules::AppBuffers& a) override {
    proto_at_tx.push_back(*flow_proto);
    directions.push_back(a.to_server);
    auto u = a.buf[static_cast<size_t>(Buffer::kHttpUri)];
    uris.emplace_back(reinterpret_cast<const char*>(u.data()), u.size());
  }
};

TEST(AppLayerWorker, DetectsParsesAndReportsThroughTheHook) {
  auto factory = make_app_layer_factory(AppConfig{});
  auto worker = factory->make_worker(0);
  sensor::AppFlowInfo info;
  info.flow_id = 1;
  info.ip_proto = 6;
  info.sp = 40000;
  info.dp = 8080;
  void* state = worker->flow_start(info);
  ASSERT_NE(state, nullptr);

  AppProto flow_proto = AppProto::kUnknown;
  Pipeline sink;
  sink.flow_proto = &flow_proto;
  // Parsing alone runs no detection: the pipeline inspects with the next packet of each direction.
  sensor::AppDataContext ctx{true, &flow_proto, 0, false};
  worker->on_data(state, ctx, b("GET /a%2fb HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(flow_proto, AppProto::kHttp);  // known at once, for the packet being processed
  EXPECT_TRUE(ctx.raw_trigger);            // a complete request asks for raw inspection of its side
  EXPECT_TRUE(sink.uris.empty());
  EXPECT_TRUE(worker->has_pending(state, true));
  EXPECT_FALSE(worker->has_pending(state, false));
  worker->inspect(state, true, sink);
  ASSERT_EQ(sink.uris.size(), 1u);
  EXPECT_EQ(sink.proto_at_tx[0], AppProto::kHttp);
  EXPECT_EQ(sink.uris[0], "/a/b");
  EXPECT_TRUE(sink.directions[0]);
  EXPECT_FALSE(worker->has_pending(state, true));  // inspected once, not again with later packets

  sensor::AppDataContext back{false, &flow_proto, 0, false};
  worker->on_data(state, back, b("HTTP/1.1 200 OK\r\n\r\nbody"));
  EXPECT_FALSE(back.raw_trigger);  // the body has no length and no end yet: the response is open
  sensor::AppDataContext end{false, &flow_proto, 0, true};
  worker->on_data(state, end, {});
  // The end of the stream completes the response but changes nothing that was not offered already,
  // so it is not offered again: the response's progress is inspected once, with one packet.
  worker->inspect(state, false, sink);
  ASSERT_EQ(sink.uris.size(), 2u);
  EXPECT_FALSE(sink.directions[1]);
  EXPECT_FALSE(worker->has_pending(state, false));
  worker->inspect(state, false, sink);
  EXPECT_EQ(sink.uris.size(), 2u);

  std::string eve;
  worker->eve_fields(state, 0, false, eve);
  EXPECT_EQ(eve.rfind("\"http\":{", 0), 0u) << eve;
  EXPECT_NE(eve.find("\"length\":4"), std::string::npos) << eve;
  worker->flow_end(state);
}

TEST(AppLayerWorker, IcmpFlowsAreNotTracked) {
  auto worker = make_app_layer_factory(AppConfig{})->make_worker(0);
  sensor::AppFlowInfo info;
  info.ip_proto = 1;
  EXPECT_EQ(worker->flow_start(info), nullptr);
}

}  // namespace
}  // namespace canh::sensor::app
