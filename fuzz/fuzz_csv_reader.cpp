// Fuzzes the CSV reader (plugins/csv/csv_reader.*) on a file's content. The last byte picks the
// delimiter: ',' for text (so plain CSV seeds read as CSV), ';' or a tab for bytes from 0x80.
// Beyond "does not crash" it checks that:
//  - records (good or malformed) never outnumber the line breaks + 1, lines and offsets only move
//    forward, and at the end the whole file is consumed;
//  - resuming works: reopening at the offset and line reported after any record reads the same rest;
//  - the read buffer's edge does not matter: the same content placed after a filler record, which
//    moves where the reader's chunk boundaries fall inside it, reads the same records. The fuzz
//    build reads in 64-byte chunks (ABM_CSV_READ_CHUNK), so short inputs cross many boundaries.
#include <algorithm>
#include <string>
#include <vector>

#include "csv/csv_reader.hpp"
#include "fuzz_check.hpp"

namespace {

using abm::csv::CsvReader;

#ifdef ABM_CSV_READ_CHUNK
constexpr size_t kReaderChunk = ABM_CSV_READ_CHUNK;
#else
constexpr size_t kReaderChunk = size_t{1} << 20;  // csv_reader.cpp's default
#endif

struct Item {
  CsvReader::Result result;
  std::vector<std::string> fields;
  std::string error;
  uint64_t record_line;
  uint64_t offset_after;
  uint64_t line_after;
  bool operator==(const Item&) const = default;
};

struct Reading {
  std::vector<Item> items;
  uint64_t end_offset = 0;
};

Reading readAll(const std::string& path, char delimiter, uint64_t offset, uint64_t line) {
  CsvReader reader;
  FUZZ_CHECK(reader.open(path, delimiter, offset, line), "cannot open the scratch file: " + reader.openError());
  Reading out;
  std::vector<std::string_view> fields;
  std::string error;
  while (true) {
    error.clear();
    const auto r = reader.next(fields, error);
    if (r == CsvReader::Result::End) break;
    Item item{r, {}, error, reader.recordLine(), reader.offset(), reader.line()};
    for (auto f : fields) item.fields.emplace_back(f);  // reads every view: ASan checks they are alive
    if (r == CsvReader::Result::Malformed) FUZZ_CHECK(!error.empty(), "a malformed record without a reason");
    out.items.push_back(std::move(item));
  }
  out.end_offset = reader.offset();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string content(reinterpret_cast<const char*>(data), size);
  const auto control = static_cast<unsigned char>(content.back());
  const char delimiter = control < 0x80 ? ',' : (control & 1) ? '\t' : ';';
  const auto path = abm::fuzz::scratchFile("input.csv");
  abm::fuzz::writeFile(path, data, size);

  const Reading whole = readAll(path, delimiter, 0, 1);
  size_t line_breaks = 0;
  for (size_t i = 0; i < size; ++i)
    line_breaks += content[i] == '\n' || (content[i] == '\r' && (i + 1 == size || content[i + 1] != '\n'));
  FUZZ_CHECK(whole.items.size() <= line_breaks + 1, std::to_string(whole.items.size()) + " records from " +
                                                         std::to_string(line_breaks) + " line breaks");
  FUZZ_CHECK(whole.end_offset == size, "consumed " + std::to_string(whole.end_offset) + " of " + std::to_string(size) + " bytes");
  uint64_t offset = 0, line = 1;
  for (const auto& item : whole.items) {
    FUZZ_CHECK(item.offset_after > offset && item.offset_after <= size, "an offset went backwards or past the end");
    FUZZ_CHECK(item.record_line >= line && item.line_after >= item.record_line && item.line_after <= line_breaks + 1,
               "a line number went backwards or past the last line");
    offset = item.offset_after;
    line = item.line_after;
  }

  if (!whole.items.empty()) {
    const size_t k = control % whole.items.size();
    const Item& resume_after = whole.items[k];
    const Reading rest = readAll(path, delimiter, resume_after.offset_after, resume_after.line_after);
    FUZZ_CHECK(std::equal(rest.items.begin(), rest.items.end(), whole.items.begin() + static_cast<long>(k) + 1,
                          whole.items.end()) && rest.items.size() == whole.items.size() - k - 1,
               "resuming after record " + std::to_string(k + 1) + " reads differently");
  }

  // A byte-order mark is skipped only at the start of a file, so it cannot move behind a filler.
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) return 0;
  // The filler record ("x...x\n", 2 to kReaderChunk bytes) moves each boundary by `shift` bytes.
  const size_t shift = control % (kReaderChunk - 1);
  std::string padded(kReaderChunk - shift - 1, 'x');
  padded += '\n';
  const uint64_t filler = padded.size();
  padded += content;
  abm::fuzz::writeFile(path, reinterpret_cast<const uint8_t*>(padded.data()), padded.size());
  const Reading shifted = readAll(path, delimiter, 0, 1);
  FUZZ_CHECK(!shifted.items.empty() && shifted.items.size() == whole.items.size() + 1,
             "shifting the chunk boundaries by " + std::to_string(shift) + " bytes changed the number of records");
  for (size_t i = 0; i < whole.items.size(); ++i) {
    Item moved = shifted.items[i + 1];
    moved.record_line -= 1;
    moved.line_after -= 1;
    moved.offset_after -= filler;
    FUZZ_CHECK(moved == whole.items[i], "shifting the chunk boundaries by " + std::to_string(shift) +
                                            " bytes changed record " + std::to_string(i + 1));
  }
  return 0;
}
