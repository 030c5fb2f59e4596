#include "line_reader.hpp"

#include <cerrno>
#include <cstring>

#include "read_buffer.hpp"

namespace abm::csv {

namespace {
constexpr size_t kChunk = 1 << 20;

std::string_view withoutCr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}
}  // namespace

LineReader::~LineReader() {
  if (file_) std::fclose(file_);
}

bool LineReader::open(const std::string& path, uint64_t offset) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    open_error_ = path + ": " + std::strerror(errno);
    return false;
  }
  if (offset > 0 && std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0) {
    open_error_ = path + ": cannot seek to byte " + std::to_string(offset);
    return false;
  }
  consumed_ = offset;
  return true;
}

bool LineReader::refill() { return appendBlock(file_, buf_, pos_, eof_, kChunk); }

LineReader::Result LineReader::next(std::string_view& line) {
  while (true) {
    const char* start = buf_.data() + pos_;
    const size_t avail = buf_.size() - pos_;
    if (const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail))) {
      const size_t len = static_cast<size_t>(nl - start);
      pos_ += len + 1;
      consumed_ += len + 1;
      line = withoutCr(std::string_view(start, len));
      return Result::Line;
    }
    if (avail > kMaxLineBytes) {
      head_.assign(start, kKeptHeadBytes);
      consumed_ += avail;
      pos_ = buf_.size();
      // Drop the rest of the line block by block, up to and including its line break.
      while (refill()) {
        const char* nl = static_cast<const char*>(std::memchr(buf_.data(), '\n', buf_.size()));
        const size_t used = nl ? static_cast<size_t>(nl - buf_.data()) + 1 : buf_.size();
        consumed_ += used;
        pos_ = used;
        if (nl) break;
      }
      line = head_;
      return Result::TooLong;
    }
    if (eof_ || !refill()) {
      if (avail == 0) return Result::End;
      pos_ += avail;
      consumed_ += avail;
      line = withoutCr(std::string_view(buf_.data() + pos_ - avail, avail));
      return Result::Line;
    }
  }
}

}  // namespace abm::csv
