#include "rules/detect.h"

namespace canh::rules {

std::string_view app_proto_name(AppProto p) {
  switch (p) {
    case AppProto::kUnknown: return "unknown";
    case AppProto::kFailed: return "failed";
    case AppProto::kHttp: return "http";
    case AppProto::kTls: return "tls";
    case AppProto::kDns: return "dns";
    case AppProto::kSsh: return "ssh";
    case AppProto::kSmtp: return "smtp";
    case AppProto::kFtp: return "ftp";
    case AppProto::kSmb: return "smb";
    case AppProto::kDcerpc: return "dcerpc";
    case AppProto::kNfs: return "nfs";
    case AppProto::kSnmp: return "snmp";
    case AppProto::kSip: return "sip";
    case AppProto::kKrb5: return "krb5";
    case AppProto::kDhcp: return "dhcp";
    case AppProto::kNtp: return "ntp";
    case AppProto::kModbus: return "modbus";
    case AppProto::kDnp3: return "dnp3";
    case AppProto::kEnip: return "enip";
    case AppProto::kMqtt: return "mqtt";
    case AppProto::kRdp: return "rdp";
    case AppProto::kRfb: return "rfb";
    case AppProto::kTftp: return "tftp";
    case AppProto::kIkev2: return "ike";
    case AppProto::kHttp2: return "http2";
    case AppProto::kImap: return "imap";
    case AppProto::kPop3: return "pop3";
    case AppProto::kIrc: return "irc";
    case AppProto::kTelnet: return "telnet";
    case AppProto::kCount: break;
  }
  return "unknown";
}

}  // namespace canh::rules
