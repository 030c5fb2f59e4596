// Fuzzes the segment filter language: any text as a filter (from abmctl or a saved segment). Beyond
// "does not crash" (nesting is bounded) it checks that:
//  - a refused filter's error starts "filter:LINE:COLUMN: " with a place inside the text (a line it
//    has, a column at most one past that line's last character);
//  - an accepted filter judges two fixed accounts (one with every field, contacts and properties,
//    one with nothing) the same way twice, its negation "not (...)" judges them the other way, and
//    its parenthesized form the same way.
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "segments/filter_eval.hpp"
#include "segments/filter_parser.hpp"

namespace {

using namespace abm::segments;

const std::vector<ContactFacts> kContacts = {{"champion", "VP Sales", 14.0}, {std::nullopt, "Buyer", std::nullopt}};
const std::vector<ContactFacts> kNoContacts;

AccountFacts full() {
  AccountFacts a;
  a.account_id = 1;
  a.name = "Acme Inc";
  a.domain = "acme.com";
  a.industry = "Software";
  a.country = "US";
  a.tier = "Tier 1";
  a.employee_count = 300;
  a.annual_revenue = 5e6;
  a.is_target = true;
  a.stage = 3;
  a.engagement = 42;
  a.properties = nlohmann::json::parse(R"({"technologies": ["Salesforce", 3, null], "hiring": {"open_roles": 4}, "x": "y"})");
  a.contacts = &kContacts;
  return a;
}

AccountFacts bare() {
  AccountFacts a;
  a.account_id = 2;
  a.contacts = &kNoContacts;
  return a;
}

size_t characters(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void checkErrorPlace(std::string_view text, const std::string& error) {
  FUZZ_CHECK(error.rfind("filter:", 0) == 0, "error without a place: " + error);
  char* end = nullptr;
  const long line = std::strtol(error.c_str() + 7, &end, 10);
  FUZZ_CHECK(*end == ':', "no line in " + error);
  const long column = std::strtol(end + 1, &end, 10);
  FUZZ_CHECK(end[0] == ':' && end[1] == ' ', "no column in " + error);
  FUZZ_CHECK(line >= 1 && column >= 1, "place out of range: " + error);
  size_t start = 0;
  for (long l = 1; l < line; ++l) {
    start = text.find('\n', start);
    FUZZ_CHECK(start != std::string_view::npos, "line past the text's end: " + error);
    ++start;
  }
  const auto stop = text.find('\n', start);
  const auto this_line = text.substr(start, stop == std::string_view::npos ? std::string_view::npos : stop - start);
  FUZZ_CHECK(static_cast<size_t>(column) <= characters(this_line) + 1, "column past the line's end: " + error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = parseFilter(text);
  if (!parsed) {
    checkErrorPlace(text, parsed.error());
    return 0;
  }
  const AccountFacts accounts[] = {full(), bare()};
  auto negated = parseFilter("not (" + text + "\n)");
  auto grouped = parseFilter("(" + text + "\n)");
  const bool too_deep = !negated && negated.error().find("nests deeper") != std::string::npos;
  FUZZ_CHECK(negated || too_deep, "the negation of an accepted filter is refused: " + negated.error());
  FUZZ_CHECK(grouped || too_deep, "the grouping of an accepted filter is refused: " + grouped.error());
  for (const auto& a : accounts) {
    const bool m = matches(*parsed, a);
    FUZZ_CHECK(matches(*parsed, a) == m, "two judgements differ");
    if (negated) FUZZ_CHECK(matches(*negated, a) == !m, "not (filter) is not the negation");
    if (grouped) FUZZ_CHECK(matches(*grouped, a) == m, "(filter) differs from filter");
  }
  return 0;
}
