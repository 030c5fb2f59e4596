// Request bodies sent with "Content-Encoding: gzip" (Segment's SDKs compress batches) are inflated
// before any handler sees them, with the same size limit as a plain body: a small bomb cannot make
// the daemon allocate more than max_body_bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace abm::http {

enum class InflateResult { Ok, TooLarge, Corrupt };

// Inflates a gzip (or zlib) stream into `out`, stopping at `limit` bytes.
InflateResult inflateGzip(std::string_view compressed, size_t limit, std::string& out);

}  // namespace abm::http
