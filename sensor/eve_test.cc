#include "sensor/eve.h"

#include <gtest/gtest.h>

#include <string>

namespace canh::sensor {
namespace {

std::string one_string(std::string_view v) {
  std::string out;
  Json j(out);
  j.begin();
  j.str("v", v);
  j.end();
  return out;
}

TEST(EveJson, VietnameseTextFromTheNetworkStaysReadable) {
  // A signature message or TLS subject in Vietnamese must reach analysts as written, as Suricata
  // writes it, not as \u00e1\u00bb... byte pairs.
  EXPECT_EQ(one_string("Cổng dịch vụ công"), "{\"v\":\"Cổng dịch vụ công\"}");
}

TEST(EveJson, InvalidBytesAndControlsAreEscapedSoTheLineStaysJson) {
  EXPECT_EQ(one_string(std::string_view("a\xff\n\"b", 5)), "{\"v\":\"a\\u00ff\\n\\\"b\"}");
}

}  // namespace
}  // namespace canh::sensor
