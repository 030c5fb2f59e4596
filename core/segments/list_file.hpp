// The CSV file of an account list (abmctl lists import): a header row naming a company-name column
// and/or a domain column (docs/segments.md lists the names accepted), then one company per row.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.hpp"

namespace abm::segments {

struct ListRow {
  int line = 0;                     // where the row starts in the file (1 is the header)
  std::string name, domain;         // empty when the row has none
  std::vector<std::string> fields;  // as read, for the unmatched file
};

struct ListFile {
  std::vector<std::string> header;
  std::vector<ListRow> rows;
};

// The header names taken as the company name and the domain, for --help and messages.
std::string acceptedNameHeaders();
std::string acceptedDomainHeaders();

// Reads RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF, a UTF-8 BOM). Errors name the file
// and line: no such file, no header, no usable column, an unclosed quote, a row wider than the header.
Result<ListFile> readListFile(const std::filesystem::path& file);

}  // namespace abm::segments
