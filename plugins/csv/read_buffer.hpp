// The block reading both csv readers share: the unread tail of `buf` from `pos` moves to the
// front and one more block of `chunk` bytes is appended. A short read is the end of a regular
// file (the plugin reads nothing else).
#pragma once

#include <cstdio>
#include <string>

namespace abm::csv {

inline bool appendBlock(FILE* file, std::string& buf, size_t& pos, bool& eof, size_t chunk) {
  if (eof) return false;
  if (pos > 0) {
    buf.erase(0, pos);
    pos = 0;
  }
  const size_t old = buf.size();
  buf.resize(old + chunk);
  const size_t n = std::fread(buf.data() + old, 1, chunk, file);
  buf.resize(old + n);
  if (n < chunk) eof = true;
  return n > 0;
}

}  // namespace abm::csv
