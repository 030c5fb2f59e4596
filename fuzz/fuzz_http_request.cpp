// Fuzzes what the listener does with bytes from the network before a handler runs: Beast's request
// parser with the daemon's limits, then the target's decoding and a gzip body's inflation.
// Beyond "does not crash" it checks that:
//  - a refused target always says why, and an accepted one is a path starting with '/' with no NUL
//    in the path or any query name or value;
//  - any bytes without NUL, percent-encoded, decode back to themselves;
//  - inflation never returns more than its limit, and returns nothing when it refuses.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/gzip_body.hpp"
#include "http/request_target.hpp"

namespace {

namespace bhttp = boost::beast::http;
constexpr size_t kBodyLimit = 64 * 1024;

void checkTarget(std::string_view target) {
  abm::http::RequestTarget t;
  std::string error;
  if (!abm::http::parseRequestTarget(target, t, error)) {
    FUZZ_CHECK(!error.empty(), "a target was refused without a reason");
    return;
  }
  FUZZ_CHECK(!t.path.empty() && t.path.front() == '/', "an accepted target's path does not start with '/'");
  FUZZ_CHECK(t.path.find('\0') == std::string::npos, "a NUL survived in the path");
  for (const auto& [name, value] : t.query) {
    FUZZ_CHECK(!name.empty(), "a query parameter without a name was accepted");
    FUZZ_CHECK(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos,
               "a NUL survived in the query");
  }
}

void checkPercentRoundTrip(std::string_view bytes) {
  if (bytes.find('\0') != std::string_view::npos) return;
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : bytes) {
    encoded += '%';
    encoded += kHex[c >> 4];
    encoded += kHex[c & 15];
  }
  std::string decoded;
  FUZZ_CHECK(abm::http::percentDecode(encoded, true, decoded), "a well-formed escape sequence was refused");
  FUZZ_CHECK(decoded == bytes, "percent-decoding did not give back the encoded bytes");
}

void checkInflate(std::string_view body) {
  std::string out;
  const auto r = abm::http::inflateGzip(body, kBodyLimit, out);
  if (r == abm::http::InflateResult::Ok) FUZZ_CHECK(out.size() <= kBodyLimit, "inflated past the limit");
  else FUZZ_CHECK(out.empty(), "a refused body left output behind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  checkPercentRoundTrip(bytes.substr(0, 256));
  checkTarget(bytes.substr(0, bytes.find('\n')));
  checkInflate(bytes);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t offset = 0;
  while (offset < size && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec) return 0;
    if (used == 0) break;
    offset += used;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  const auto& msg = parser.get();
  FUZZ_CHECK(msg.body().size() <= kBodyLimit, "the parser accepted a body over its limit");
  checkTarget(std::string_view(msg.target().data(), msg.target().size()));
  checkInflate(msg.body());
  return 0;
}
