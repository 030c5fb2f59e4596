#include <gtest/gtest.h>

#include "csv_reader.hpp"
#include "json_depth.hpp"
#include "line_reader.hpp"
#include "test_support.hpp"

using abm::csv::CsvReader;
using abm::csv::LineReader;
using abm::test::TempDir;
using abm::test::writeFile;

namespace {
struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<uint64_t, std::string>> errors;
  std::vector<uint64_t> lines;
};
Parsed parseAll(const std::string& content, char delim = ',', uint64_t offset = 0, uint64_t line = 1) {
  TempDir t;
  writeFile(t / "f.csv", content);
  CsvReader r;
  EXPECT_TRUE(r.open((t / "f.csv").string(), delim, offset, line));
  Parsed p;
  std::vector<std::string_view> fields;
  std::string error;
  while (true) {
    auto res = r.next(fields, error);
    if (res == CsvReader::Result::End) break;
    if (res == CsvReader::Result::Malformed) {
      p.errors.emplace_back(r.recordLine(), error);
      continue;
    }
    p.rows.emplace_back(fields.begin(), fields.end());
    p.lines.push_back(r.recordLine());
  }
  return p;
}
}  // namespace

TEST(CsvReader, Rfc4180Quoting) {
  auto p = parseAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"multi\nline\"\nplain,,last\n");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"x, y", "say \"hi\"", "multi\nline"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"plain", "", "last"}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 4}));  // the multi-line record starts on line 2
}

TEST(CsvReader, BomCrlfBlankLinesAndNoFinalNewline) {
  auto p = parseAll("\xEF\xBB\xBFid,name\r\n1,Acme\r\n\r\n2,\"Globex\"");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0][0], "id");  // BOM stripped
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"1", "Acme"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"2", "Globex"}));
  EXPECT_EQ(p.lines[2], 4u);
}

TEST(CsvReader, OtherDelimiter) {
  auto p = parseAll("a;b\n\"1;2\";3\n", ';');
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"1;2", "3"}));
}

TEST(CsvReader, MalformedRecordsAreReportedAndSkipped) {
  auto p = parseAll("a,b\n\"bad\"x,1\ngood,2\n\"never closed,3\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"good", "2"}));
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].first, 2u);
  EXPECT_NE(p.errors[0].second.find("after a closing quote"), std::string::npos);
  EXPECT_EQ(p.errors[1].first, 4u);
  EXPECT_NE(p.errors[1].second.find("never closed"), std::string::npos);
}

TEST(CsvReader, RecordsAcrossTheReadBufferBoundary) {
  std::string content = "id,text\n";
  const std::string big(700000, 'x');  // two such records straddle the 1 MiB read buffer
  for (int i = 0; i < 4; ++i) content += std::to_string(i) + ",\"" + big + "\n" + big + "\"\n";
  auto p = parseAll(content);
  ASSERT_EQ(p.rows.size(), 5u);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(p.rows[i][0], std::to_string(i - 1));
    EXPECT_EQ(p.rows[i][1].size(), big.size() * 2 + 1);
  }
  EXPECT_EQ(p.lines[4], 8u);
}

TEST(CsvReader, ResumesFromAnOffset) {
  TempDir t;
  const std::string content = "h1,h2\n1,a\n\"2\",\"b\nb\"\n3,c\n";
  writeFile(t / "f.csv", content);
  CsvReader r;
  ASSERT_TRUE(r.open((t / "f.csv").string(), ','));
  std::vector<std::string_view> f;
  std::string e;
  r.next(f, e);
  r.next(f, e);
  r.next(f, e);  // the record "2" spanning two lines
  const uint64_t off = r.offset(), line = r.line();
  EXPECT_EQ(line, 5u);
  CsvReader resumed;
  ASSERT_TRUE(resumed.open((t / "f.csv").string(), ',', off, line));
  ASSERT_EQ(resumed.next(f, e), CsvReader::Result::Record);
  EXPECT_EQ(f[0], "3");
  EXPECT_EQ(resumed.recordLine(), 5u);
  EXPECT_EQ(resumed.next(f, e), CsvReader::Result::End);
}

TEST(CsvReader, AnUnclosedQuoteCostsOnlyItsLine) {
  // The quote on line 2 never closes: it used to swallow every later line into one reject.
  auto p = parseAll("a,b\n1,\"open\n2,x\n3,y\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].first, 2u);
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"2", "x"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"3", "y"}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 3, 4}));
}

TEST(CsvReader, KeepsTheRawTextOfTheLastRecord) {
  TempDir t;
  writeFile(t / "f.csv", "a,b\r\n\"q\"\"x\",2\r\n\"bad\"z,3\nok,4");
  CsvReader r;
  ASSERT_TRUE(r.open((t / "f.csv").string(), ','));
  std::vector<std::string_view> f;
  std::string e;
  ASSERT_EQ(r.next(f, e), CsvReader::Result::Record);
  EXPECT_EQ(r.rawRecord(), "a,b");
  ASSERT_EQ(r.next(f, e), CsvReader::Result::Record);
  EXPECT_EQ(r.rawRecord(), "\"q\"\"x\",2");
  ASSERT_EQ(r.next(f, e), CsvReader::Result::Malformed);
  EXPECT_EQ(r.rawRecord(), "\"bad\"z,3");
  ASSERT_EQ(r.next(f, e), CsvReader::Result::Record);
  EXPECT_EQ(r.rawRecord(), "ok,4");
}

TEST(CsvReader, ARecordOverTheSizeLimitIsRejectedAndReadingGoesOn) {
  // The quote closes, but only after 16 MiB: the reader gives up at the limit instead of holding it all.
  std::string content = "a,b\n1,\"" + std::string(CsvReader::kMaxRecordBytes + 10, 'x') + "\"\n2,ok\n";
  auto p = parseAll(content);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].second.find("longer than"), std::string::npos) << p.errors[0].second;
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"2", "ok"}));
  EXPECT_EQ(p.lines[1], 3u);

  // Longer still: the reader stops buffering at the limit and drops the rest of that line as it reads.
  content = "a,b\n1,\"" + std::string(CsvReader::kMaxRecordBytes + (3 << 20), 'x') + "\"\n2,ok\n";
  p = parseAll(content);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].first, 2u);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"2", "ok"}));
  EXPECT_EQ(p.lines[1], 3u);
}

TEST(JsonDepth, CountsNestingOutsideStrings) {
  using abm::csv::nestsDeeperThan;
  EXPECT_FALSE(nestsDeeperThan(R"({"a":[{"b":1}]})", 3));
  EXPECT_TRUE(nestsDeeperThan(R"({"a":[{"b":[1]}]})", 3));
  EXPECT_FALSE(nestsDeeperThan(R"({"a":"[[[[[[\"[[["})", 1)) << "brackets in strings do not nest";
  EXPECT_TRUE(nestsDeeperThan(std::string(100000, '['), 64));
  EXPECT_FALSE(nestsDeeperThan(std::string(64, '[') + std::string(64, ']'), 64));
}

TEST(LineReader, ReadsLinesAndSkipsOneTooLongToHold) {
  // A line of 17 MiB is dropped as it is read; the lines around it are read as usual.
  TempDir t;
  const std::string huge(LineReader::kMaxLineBytes + (1 << 20), 'x');
  writeFile(t / "f.ndjson", "one\r\n" + huge + "\ntwo\nlast");
  LineReader r;
  ASSERT_TRUE(r.open((t / "f.ndjson").string()));
  std::string_view line;
  ASSERT_EQ(r.next(line), LineReader::Result::Line);
  EXPECT_EQ(line, "one");
  const uint64_t after_one = r.offset();
  EXPECT_EQ(after_one, 5u);
  ASSERT_EQ(r.next(line), LineReader::Result::TooLong);
  EXPECT_EQ(line.size(), LineReader::kKeptHeadBytes);
  ASSERT_EQ(r.next(line), LineReader::Result::Line);
  EXPECT_EQ(line, "two");
  ASSERT_EQ(r.next(line), LineReader::Result::Line);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(r.next(line), LineReader::Result::End);
  EXPECT_EQ(r.offset(), 5 + huge.size() + 1 + 4 + 4);

  LineReader resumed;
  ASSERT_TRUE(resumed.open((t / "f.ndjson").string(), after_one + huge.size() + 1));
  ASSERT_EQ(resumed.next(line), LineReader::Result::Line);
  EXPECT_EQ(line, "two");
}
