// Address -> information systems, for attributing alerts at ingest. Built once from every system's
// CIDR blocks (rebuilt whenever a system changes), then read-only: any number of ingest threads may
// look up concurrently through a shared_ptr<const RangeTable> with no lock.
//
// The blocks of all systems (IPv4 as IPv4-mapped IPv6, so one 128-bit line) are cut into
// elementary segments at every block boundary; each segment lists the systems whose blocks cover
// it. A lookup is one binary search over the segment starts, whatever the number of systems or how
// their blocks nest and overlap (a shared data-centre range may belong to several systems).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "storage/alert_types.h"

namespace canh::storage {

class RangeTable {
 public:
  RangeTable() = default;
  explicit RangeTable(const std::vector<std::pair<uint32_t, Cidr>>& ranges);

  // The systems covering `a`, ascending, no duplicates; empty when none. Valid as long as the table.
  std::span<const uint32_t> lookup(const IpAddr& a) const;
  // Systems covering src or dst, ascending, no duplicates, appended to `out` after clearing it.
  void lookup_pair(const IpAddr& src, const IpAddr& dst, std::vector<uint32_t>* out) const;

  size_t segments() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }

 private:
  using U128 = unsigned __int128;
  std::vector<U128> starts_;                            // ascending; segment i is [starts_[i], starts_[i+1])
  std::vector<std::pair<uint32_t, uint32_t>> sets_;     // per segment: offset and count in ids_
  std::vector<uint32_t> ids_;
};

}  // namespace canh::storage
