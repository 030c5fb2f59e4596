#include "http/gzip_body.hpp"

#include <zlib.h>

namespace abm::http {

InflateResult inflateGzip(std::string_view compressed, size_t limit, std::string& out) {
  out.clear();
  z_stream z{};
  // 32 + MAX_WBITS: accept a gzip or a zlib header, detected from the stream.
  if (inflateInit2(&z, 32 + MAX_WBITS) != Z_OK) return InflateResult::Corrupt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  InflateResult result = InflateResult::Corrupt;
  char chunk[16384];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > limit) {
      result = InflateResult::TooLarge;
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        result = InflateResult::Ok;
        break;
      }
      // Another gzip member follows (RFC 1952 allows several, as `cat a.gz b.gz` makes); anything
      // else after the end of the stream is not part of a body we can trust.
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b || inflateReset(&z) != Z_OK) break;
      continue;
    }
    if (rc != Z_OK || (z.avail_in == 0 && produced == 0)) break;  // truncated or broken
  }
  inflateEnd(&z);
  if (result != InflateResult::Ok) out.clear();
  return result;
}

}  // namespace abm::http
