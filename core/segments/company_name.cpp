#include "segments/company_name.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace abm::segments {

namespace {

// Legal forms, as they read once lowered and without dots.
constexpr std::string_view kLegalForms[] = {
    "inc",  "incorporated", "llc", "llp",  "lp",   "ltd", "limited", "corp", "corporation", "co",   "company",
    "gmbh", "ag",           "kg",  "sa",   "sas",  "sarl", "srl",    "spa",  "bv",          "nv",   "plc",
    "pty",  "pte",          "oy",  "ab",   "as",   "aps", "kk",      "se",   "ug",          "gmbh&co"};

bool legalForm(std::string_view word) {
  return std::find(std::begin(kLegalForms), std::end(kLegalForms), word) != std::end(kLegalForms);
}

}  // namespace

std::string normalizeCompanyName(std::string_view name) {
  std::string cleaned;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') continue;
    if (u >= 0x80 || std::isalnum(u)) cleaned += static_cast<char>(u < 0x80 ? std::tolower(u) : u);
    else cleaned += ' ';
  }
  std::vector<std::string> words;
  std::istringstream in(cleaned);
  for (std::string w; in >> w;) words.push_back(w);
  while (words.size() > 1 && legalForm(words.back())) words.pop_back();
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace abm::segments
