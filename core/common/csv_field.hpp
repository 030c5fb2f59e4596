// Writing CSV (RFC 4180), for every file and --format csv abmd writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace abm {

// One field: quoted when it holds a comma, quote, CR or LF, quotes doubled.
inline void appendCsvField(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

// The fields joined by commas, ending in "\n".
inline std::string csvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    appendCsvField(out, fields[i]);
  }
  return out + "\n";
}

}  // namespace abm
