#include "pipeline/public_suffix.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "common/status.hpp"

namespace abm::pipeline {

PublicSuffixList PublicSuffixList::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw ConfigError("public suffix list " + file.string() +
                      " cannot be read; install Debian's publicsuffix package or set identity.public_suffix_file");
  std::stringstream ss;
  ss << in.rdbuf();
  return fromRules(ss.str());
}

PublicSuffixList PublicSuffixList::fromRules(std::string_view text) {
  PublicSuffixList psl;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    psl.addRule(text.substr(start, end - start));
    start = end + 1;
  }
  return psl;
}

void PublicSuffixList::addRule(std::string_view line) {
  // A rule is the first word of a line; "//" starts a comment.
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (const auto sp = line.find_first_of(" \t"); sp != std::string_view::npos) line = line.substr(0, sp);
  if (line.empty() || line.rfind("//", 0) == 0) return;
  std::string rule(line);
  for (char& c : rule)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (rule[0] == '!') exceptions_.insert(rule.substr(1));
  else if (rule.rfind("*.", 0) == 0) wildcards_.insert(rule.substr(2));
  else rules_.insert(rule);
}

std::string PublicSuffixList::registrableDomain(std::string_view domain) const {
  // Label boundaries from the right: suffix(k) is the last k labels.
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < domain.size(); ++i)
    if (domain[i] == '.') starts.push_back(i + 1);
  const size_t labels = starts.size();
  auto suffix = [&](size_t k) { return std::string(domain.substr(starts[labels - k])); };
  // The longest matching rule decides; an exception rule makes its parent the public suffix; with no
  // rule at all the suffix is the last label (the list's implicit "*").
  size_t suffix_labels = 1;
  for (size_t k = labels; k >= 1; --k) {
    const std::string s = suffix(k);
    if (exceptions_.count(s)) {
      suffix_labels = k - 1;
      break;
    }
    const bool wildcard = k >= 2 && wildcards_.count(suffix(k - 1));
    if (rules_.count(s) || wildcard) {
      suffix_labels = k;
      break;
    }
  }
  if (suffix_labels >= labels) return std::string(domain);
  return suffix(suffix_labels + 1);
}

}  // namespace abm::pipeline
