// RFC 4180 CSV, read incrementally: quoted fields with embedded delimiters, quotes ("") and line
// breaks, CRLF or LF endings, a UTF-8 byte-order mark. It reports where each record started and
// the byte offset after it, so a reader can checkpoint and later resume mid-file.
//
// A malformed record (an unclosed quote, text after a closing quote, a record over kMaxRecordBytes)
// costs only its first line: reading resumes at the next line, so one stray quote cannot swallow
// the rest of the file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace abm::csv {

class CsvReader {
 public:
  static constexpr size_t kMaxRecordBytes = 16 * 1024 * 1024;

  CsvReader() = default;
  CsvReader(const CsvReader&) = delete;
  ~CsvReader();

  // Opens `path` positioned at byte `offset` (0: the start, after any BOM), counting lines from `line`.
  bool open(const std::string& path, char delimiter, uint64_t offset = 0, uint64_t line = 1);
  const std::string& openError() const { return open_error_; }

  enum class Result { Record, Malformed, End };
  // The next record. Field views stay valid until the next call. On Malformed, `error` says why and
  // the reader has moved past the first line of the bad record.
  Result next(std::vector<std::string_view>& fields, std::string& error);

  // The source text of the last record (or, after Malformed, of the line skipped), without its line
  // break; valid until the next call to next().
  std::string_view rawRecord() const;

  uint64_t recordLine() const { return record_line_; }  // the line the last record started on
  uint64_t offset() const { return consumed_; }         // bytes of the file consumed so far
  uint64_t line() const { return line_; }               // the line the next record starts on

 private:
  enum class Parse { Ok, NeedMore, Malformed };
  Parse parse(std::vector<std::string_view>& fields, std::string& error, size_t& used, uint64_t& lines);
  bool refill();

  FILE* file_ = nullptr;
  char delim_ = ',';
  std::string buf_;
  size_t pos_ = 0;
  size_t last_used_ = 0;          // bytes of the last record, just before pos_
  bool skipping_long_line_ = false;  // dropping the rest of a line longer than kMaxRecordBytes
  bool eof_ = false;
  uint64_t consumed_ = 0;
  uint64_t line_ = 1;
  uint64_t record_line_ = 1;
  std::deque<std::string> unescaped_;
  std::string open_error_;
};

}  // namespace abm::csv
