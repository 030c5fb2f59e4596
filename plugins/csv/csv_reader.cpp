#include "csv_reader.hpp"

#include <cerrno>
#include <cstring>

#include "read_buffer.hpp"

namespace abm::csv {

namespace {
#ifndef ABM_CSV_READ_CHUNK  // fuzz/ reads in small chunks, so that short inputs cross the buffer's edge
#define ABM_CSV_READ_CHUNK (1 << 20)
#endif
constexpr size_t kChunk = ABM_CSV_READ_CHUNK;
}

CsvReader::~CsvReader() {
  if (file_) std::fclose(file_);
}

bool CsvReader::open(const std::string& path, char delimiter, uint64_t offset, uint64_t line) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    open_error_ = path + ": " + std::strerror(errno);
    return false;
  }
  delim_ = delimiter;
  line_ = line;
  if (offset > 0) {
    if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0) {
      open_error_ = path + ": cannot seek to byte " + std::to_string(offset);
      return false;
    }
    consumed_ = offset;
  } else {
    refill();
    if (buf_.size() >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) {
      pos_ = 3;
      consumed_ = 3;
    }
  }
  return true;
}

bool CsvReader::refill() { return appendBlock(file_, buf_, pos_, eof_, kChunk); }

CsvReader::Parse CsvReader::parse(std::vector<std::string_view>& fields, std::string& error, size_t& used,
                                  uint64_t& lines) {
  fields.clear();
  unescaped_.clear();
  const char* const begin = buf_.data() + pos_;
  const char* const end = buf_.data() + buf_.size();
  const char* p = begin;
  lines = 0;
  auto finishRecord = [&](const char* after) {
    used = static_cast<size_t>(after - begin);
    return Parse::Ok;
  };
  while (true) {
    if (p < end && *p == '"') {
      ++p;
      const char* start = p;
      std::string* copy = nullptr;
      while (true) {
        const char* q = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
        if (!q) {
          if (!eof_) return Parse::NeedMore;
          error = "a quoted field is never closed";
          used = static_cast<size_t>(end - begin);
          for (const char* c = p; c < end; ++c) lines += *c == '\n';
          return Parse::Malformed;
        }
        for (const char* c = p; c < q; ++c) lines += *c == '\n';
        if (q + 1 < end && q[1] == '"') {  // "" is one quote
          if (!copy) copy = &unescaped_.emplace_back();
          copy->append(p, static_cast<size_t>(q - p) + 1);
          p = q + 2;
          continue;
        }
        if (q + 1 == end && !eof_) return Parse::NeedMore;
        if (copy) {
          copy->append(p, static_cast<size_t>(q - p));
          fields.emplace_back(*copy);
        } else {
          fields.emplace_back(start, static_cast<size_t>(q - start));
        }
        p = q + 1;
        break;
      }
      if (p == end) return eof_ ? finishRecord(p) : Parse::NeedMore;
      if (*p == delim_) {
        ++p;
        continue;
      }
      if (*p == '\n') return ++lines, finishRecord(p + 1);
      if (*p == '\r') {
        if (p + 1 == end && !eof_) return Parse::NeedMore;
        const char* after = (p + 1 < end && p[1] == '\n') ? p + 2 : p + 1;
        return ++lines, finishRecord(after);
      }
      error = std::string("unexpected character '") + *p + "' after a closing quote";
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (!nl && !eof_) return Parse::NeedMore;
      used = static_cast<size_t>((nl ? nl + 1 : end) - begin);
      lines += nl ? 1 : 0;
      return Parse::Malformed;
    }
    const char* start = p;
    while (p < end && *p != delim_ && *p != '\n' && *p != '\r') ++p;
    if (p == end && !eof_) return Parse::NeedMore;
    fields.emplace_back(start, static_cast<size_t>(p - start));
    if (p == end) return finishRecord(p);
    if (*p == delim_) {
      ++p;
      continue;
    }
    if (*p == '\n') return ++lines, finishRecord(p + 1);
    if (p + 1 == end && !eof_) return Parse::NeedMore;
    const char* after = (p + 1 < end && p[1] == '\n') ? p + 2 : p + 1;
    return ++lines, finishRecord(after);
  }
}

CsvReader::Result CsvReader::next(std::vector<std::string_view>& fields, std::string& error) {
  while (true) {
    if (pos_ >= buf_.size() && !refill()) return Result::End;
    if (skipping_long_line_) {
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', buf_.size() - pos_));
      const size_t n = nl ? static_cast<size_t>(nl - start) + 1 : buf_.size() - pos_;
      pos_ += n;
      consumed_ += n;
      if (nl) {
        skipping_long_line_ = false;
        ++line_;
      }
      continue;
    }
    size_t used = 0;
    uint64_t lines = 0;
    Parse r = parse(fields, error, used, lines);
    if (r == Parse::NeedMore && buf_.size() - pos_ > kMaxRecordBytes) {
      // A record this long is a quote left open: give up on it rather than read the whole file.
      error = "a record longer than " + std::to_string(kMaxRecordBytes) + " bytes (a quote left open?)";
      used = buf_.size() - pos_;
      r = Parse::Malformed;
      // With no line break buffered, the rest of this line is dropped as it arrives (its break counts it).
      skipping_long_line_ = !std::memchr(buf_.data() + pos_, '\n', used);
      lines = skipping_long_line_ ? 0 : 1;
    }
    if (r == Parse::Ok && used > kMaxRecordBytes) {
      error = "a record longer than " + std::to_string(kMaxRecordBytes) + " bytes (a quote left open?)";
      r = Parse::Malformed;
    }
    if (r == Parse::NeedMore) {
      const size_t before = buf_.size() - pos_;
      refill();
      if (buf_.size() - pos_ == before) eof_ = true;  // nothing more to read: parse what is left
      continue;
    }
    if (r == Parse::Malformed) {
      // Only the record's first line is given up: the next line may well be a good record.
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', used));
      if (nl && static_cast<size_t>(nl - start) + 1 < used) {
        used = static_cast<size_t>(nl - start) + 1;
        lines = 1;
        if (error.rfind("a record longer", 0) != 0)
          error = "a quoted field is not closed on this line (further on: " + error + ")";
      }
    }
    record_line_ = line_;
    line_ += lines;
    pos_ += used;
    consumed_ += used;
    last_used_ = used;
    if (r == Parse::Malformed) return Result::Malformed;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    return Result::Record;
  }
}

std::string_view CsvReader::rawRecord() const {
  std::string_view raw(buf_.data() + pos_ - last_used_, last_used_);
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  return raw;
}

}  // namespace abm::csv
