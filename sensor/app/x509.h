// Just enough DER to name an X.509 certificate the way Suricata's EVE and tls.cert_* keywords do:
// subject and issuer ("C=US, O=Example, CN=www.example.com": RDNs in certificate order, ", "
// between them, " + " inside a multi-valued one), serial (upper-case hex bytes joined by ':', the
// integer's content octets as encoded) and validity ("2016-09-13T14:03:00"). A bounded walk over
// the TBSCertificate: no allocation beyond the output strings, no recursion, every length checked.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace canh::sensor::app {

struct X509Info {
  std::string subject;
  std::string issuer;
  std::string serial;
  std::string not_before;
  std::string not_after;
  void clear() {
    subject.clear();
    issuer.clear();
    serial.clear();
    not_before.clear();
    not_after.clear();
  }
};

// False when `der` is not a certificate this walk understands; *out is then partly filled.
bool parse_x509(std::span<const uint8_t> der, X509Info* out);

}  // namespace canh::sensor::app
