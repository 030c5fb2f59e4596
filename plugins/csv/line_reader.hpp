// The lines of an NDJSON file, read in large blocks. A line longer than kMaxLineBytes is reported
// as TooLong and dropped as it is read, so one endless line cannot fill the worker's memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace abm::csv {

class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 16 * 1024 * 1024;
  static constexpr size_t kKeptHeadBytes = 64 * 1024;  // what TooLong hands back of the line

  LineReader() = default;
  LineReader(const LineReader&) = delete;
  ~LineReader();

  // Opens `path` positioned at byte `offset`.
  bool open(const std::string& path, uint64_t offset = 0);
  const std::string& openError() const { return open_error_; }

  enum class Result { Line, TooLong, End };
  // The next line without its line break (nor a CR before it); on TooLong, its first
  // kKeptHeadBytes. The view stays valid until the next call.
  Result next(std::string_view& line);
  uint64_t offset() const { return consumed_; }  // bytes of the file consumed so far

 private:
  bool refill();

  FILE* file_ = nullptr;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;
  std::string head_;
  std::string open_error_;
};

}  // namespace abm::csv
