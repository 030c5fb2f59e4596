#include "segments/list_file.hpp"

#include <fstream>
#include <sstream>

namespace abm::segments {

namespace {

constexpr const char* kNameHeaders[] = {"name", "company", "company_name", "account", "account_name", "organization",
                                        "organisation", "organization_name"};
constexpr const char* kDomainHeaders[] = {"domain", "website", "url", "company_domain", "company_website",
                                          "web_site", "website_url", "homepage"};

// "Company Name" and "company-name" read as company_name.
std::string headerKey(const std::string& h) {
  std::string out;
  for (char c : h) {
    if (c == ' ' || c == '-' || c == '_') {
      if (!out.empty() && out.back() != '_') out += '_';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

template <size_t N>
int findColumn(const std::vector<std::string>& header, const char* const (&names)[N]) {
  for (const char* n : names)
    for (size_t i = 0; i < header.size(); ++i)
      if (headerKey(header[i]) == n) return static_cast<int>(i);
  return -1;
}

template <size_t N>
std::string join(const char* const (&names)[N]) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

struct Record {
  int line;
  std::vector<std::string> fields;
};

Result<std::vector<Record>> parseCsv(const std::string& text, const std::string& where) {
  std::vector<Record> out;
  size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  int line = 1;
  while (i < text.size()) {
    Record r{line, {}};
    std::string field;
    bool quoted_field = false;
    for (;;) {
      if (i < text.size() && text[i] == '"' && field.empty() && !quoted_field) {
        quoted_field = true;
        const int opened = line;
        ++i;
        for (;;) {
          if (i >= text.size())
            return Status::error(where + ":" + std::to_string(opened) + ": a quoted field is never closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          return Status::error(where + ":" + std::to_string(line) + ": text after a closing quote");
        continue;
      }
      if (i >= text.size() || text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ||
          (text[i] == '\r' && i + 1 == text.size())) {
        r.fields.push_back(std::move(field));
        if (i < text.size()) i += text[i] == '\r' ? 2 : 1;
        ++line;
        break;
      }
      if (text[i] == ',') {
        r.fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
        ++i;
        continue;
      }
      field += text[i++];
    }
    const bool blank = r.fields.size() == 1 && trim(r.fields[0]).empty();
    if (!blank) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string acceptedNameHeaders() { return join(kNameHeaders); }
std::string acceptedDomainHeaders() { return join(kDomainHeaders); }

Result<ListFile> readListFile(const std::filesystem::path& file) {
  const std::string where = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::error(where + ": cannot read it (no such file, or not readable)");
  std::ostringstream text;
  text << in.rdbuf();
  auto records = parseCsv(text.str(), where);
  if (!records) return records.status();
  if (records->empty()) return Status::error(where + " is empty; expected a header row such as name,domain");
  ListFile out;
  out.header = (*records)[0].fields;
  const int name_col = findColumn(out.header, kNameHeaders);
  const int domain_col = findColumn(out.header, kDomainHeaders);
  if (name_col < 0 && domain_col < 0)
    return Status::error(where + ":1: no company name or domain column in the header; name one of: " +
                         acceptedNameHeaders() + " (company names) or " + acceptedDomainHeaders() + " (domains)");
  for (size_t i = 1; i < records->size(); ++i) {
    auto& r = (*records)[i];
    if (r.fields.size() > out.header.size())
      return Status::error(where + ":" + std::to_string(r.line) + ": " + std::to_string(r.fields.size()) +
                           " fields, but the header has " + std::to_string(out.header.size()));
    ListRow row;
    row.line = r.line;
    if (name_col >= 0 && name_col < static_cast<int>(r.fields.size())) row.name = trim(r.fields[name_col]);
    if (domain_col >= 0 && domain_col < static_cast<int>(r.fields.size())) row.domain = trim(r.fields[domain_col]);
    row.fields = std::move(r.fields);
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace abm::segments
