#include "sensor/app/x509.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "sensor/app/digest.h"

namespace canh::sensor::app {
namespace {

struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> value;
};

// Reads one TLV from the front of *in. Only low tag numbers and definite lengths of up to four
// bytes: that is all a certificate uses, and anything else is refused rather than guessed.
bool read_tlv(std::span<const uint8_t>* in, Tlv* out) {
  std::span<const uint8_t> s = *in;
  if (s.size() < 2) return false;
  uint8_t tag = s[0];
  if ((tag & 0x1f) == 0x1f) return false;
  size_t len = s[1];
  size_t hdr = 2;
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || s.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | s[2 + i];
    hdr = 2 + n;
  }
  if (len > s.size() - hdr) return false;
  out->tag = tag;
  out->value = s.subspan(hdr, len);
  *in = s.subspan(hdr + len);
  return true;
}

bool expect(std::span<const uint8_t>* in, uint8_t tag, Tlv* out) { return read_tlv(in, out) && out->tag == tag; }

// Short names as x509-parser (Suricata's) and OpenSSL print them; the dotted OID otherwise.
std::string_view oid_short_name(std::span<const uint8_t> oid) {
  // 2.5.4.x: 55 04 x
  if (oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x04) {
    switch (oid[2]) {
      case 3: return "CN";
      case 4: return "SN";
      case 5: return "serialNumber";
      case 6: return "C";
      case 7: return "L";
      case 8: return "ST";
      case 9: return "street";
      case 10: return "O";
      case 11: return "OU";
      case 12: return "title";
      case 13: return "description";
      case 15: return "businessCategory";
      case 17: return "postalCode";
      case 42: return "givenName";
      case 43: return "initials";
      case 46: return "dnQualifier";
      case 65: return "pseudonym";
      default: return {};
    }
  }
  static constexpr uint8_t kEmail[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};
  static constexpr uint8_t kDc[] = {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19};
  static constexpr uint8_t kUid[] = {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01};
  auto is = [&](std::span<const uint8_t> want) {
    return oid.size() == want.size() && std::equal(oid.begin(), oid.end(), want.begin());
  };
  if (is(kEmail)) return "emailAddress";
  if (is(kDc)) return "DC";
  if (is(kUid)) return "UID";
  return {};
}

void append_oid_dotted(std::span<const uint8_t> oid, std::string* out) {
  uint64_t v = 0;
  bool first = true;
  for (uint8_t b : oid) {
    v = (v << 7) | (b & 0x7f);
    if (b & 0x80) {
      if (v > (uint64_t{1} << 56)) return;  // absurd arc: stop rather than overflow
      continue;
    }
    char buf[48];
    int n;
    if (first) {
      unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
      n = std::snprintf(buf, sizeof(buf), "%u.%llu", top, static_cast<unsigned long long>(v - 40 * top));
      first = false;
    } else {
      n = std::snprintf(buf, sizeof(buf), ".%llu", static_cast<unsigned long long>(v));
    }
    out->append(buf, static_cast<size_t>(n));
    v = 0;
  }
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back('?');
  }
}

void append_string_value(const Tlv& v, std::string* out) {
  switch (v.tag) {
    case 0x1e:  // BMPString: UCS-2 big-endian
      for (size_t i = 0; i + 1 < v.value.size(); i += 2) append_utf8((uint32_t{v.value[i]} << 8) | v.value[i + 1], out);
      return;
    case 0x1c:  // UniversalString: UCS-4 big-endian
      for (size_t i = 0; i + 3 < v.value.size(); i += 4)
        append_utf8((uint32_t{v.value[i]} << 24) | (uint32_t{v.value[i + 1]} << 16) | (uint32_t{v.value[i + 2]} << 8) |
                        v.value[i + 3],
                    out);
      return;
    case 0x0c: case 0x12: case 0x13: case 0x14: case 0x16: case 0x1a:  // UTF8, Numeric, Printable, T61, IA5, Visible
      out->append(reinterpret_cast<const char*>(v.value.data()), v.value.size());
      return;
    default:  // anything else: its bytes in hex, the way OpenSSL shows unknown values
      out->push_back('#');
      append_hex(v.value, out);
      return;
  }
}

// Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue.
bool format_name(std::span<const uint8_t> name, std::string* out) {
  bool first_rdn = true;
  while (!name.empty()) {
    Tlv rdn;
    if (!expect(&name, 0x31, &rdn)) return false;
    std::span<const uint8_t> atvs = rdn.value;
    bool first_atv = true;
    while (!atvs.empty()) {
      Tlv atv, oid, value;
      if (!expect(&atvs, 0x30, &atv)) return false;
      std::span<const uint8_t> inner = atv.value;
      if (!expect(&inner, 0x06, &oid) || !read_tlv(&inner, &value)) return false;
      out->append(first_rdn ? "" : first_atv ? ", " : " + ");
      first_rdn = false;
      first_atv = false;
      std::string_view sn = oid_short_name(oid.value);
      if (sn.empty()) {
        append_oid_dotted(oid.value, out);
      } else {
        out->append(sn);
      }
      out->push_back('=');
      append_string_value(value, out);
    }
  }
  return true;
}

bool two_digits(std::span<const uint8_t> s, size_t at, int* v) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  *v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// UTCTime YYMMDDHHMM[SS]Z (years 50-99 are 19xx, RFC 5280) or GeneralizedTime YYYYMMDDHHMM[SS]Z.
bool format_time(const Tlv& t, std::string* out) {
  std::span<const uint8_t> s = t.value;
  int year = 0, c = 0, y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  size_t at = 0;
  if (t.tag == 0x17) {
    if (!two_digits(s, 0, &y)) return false;
    year = y < 50 ? 2000 + y : 1900 + y;
    at = 2;
  } else if (t.tag == 0x18) {
    if (!two_digits(s, 0, &c) || !two_digits(s, 2, &y)) return false;
    year = c * 100 + y;
    at = 4;
  } else {
    return false;
  }
  if (!two_digits(s, at, &mo) || !two_digits(s, at + 2, &d) || !two_digits(s, at + 4, &h) ||
      !two_digits(s, at + 6, &mi))
    return false;
  two_digits(s, at + 8, &sec);  // seconds are optional in UTCTime
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", year, mo, d, h, mi, sec);
  out->append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

bool parse_x509(std::span<const uint8_t> der, X509Info* out) {
  out->clear();
  Tlv cert, tbs, item;
  if (!expect(&der, 0x30, &cert)) return false;
  std::span<const uint8_t> c = cert.value;
  if (!expect(&c, 0x30, &tbs)) return false;
  std::span<const uint8_t> t = tbs.value;
  if (!read_tlv(&t, &item)) return false;
  if (item.tag == 0xa0 && !read_tlv(&t, &item)) return false;  // [0] EXPLICIT version
  if (item.tag != 0x02) return false;                            // serialNumber
  append_hex(item.value, &out->serial, ':', true);
  Tlv sigalg, issuer, validity, subject;
  if (!expect(&t, 0x30, &sigalg) || !expect(&t, 0x30, &issuer) || !expect(&t, 0x30, &validity) ||
      !expect(&t, 0x30, &subject))
    return false;
  bool ok = format_name(issuer.value, &out->issuer);
  ok = format_name(subject.value, &out->subject) && ok;
  std::span<const uint8_t> v = validity.value;
  Tlv nb, na;
  if (read_tlv(&v, &nb) && read_tlv(&v, &na)) {
    ok = format_time(nb, &out->not_before) && ok;
    ok = format_time(na, &out->not_after) && ok;
  } else {
    ok = false;
  }
  return ok;
}

}  // namespace canh::sensor::app
