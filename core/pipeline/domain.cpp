#include "pipeline/domain.hpp"

#include <fstream>

#include "common/status.hpp"

namespace abm::pipeline {

std::optional<std::string> normalizeDomain(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  if (s.rfind("//", 0) == 0) s.remove_prefix(2);
  if (auto p = s.find_first_of("/?#"); p != std::string_view::npos) s = s.substr(0, p);
  if (auto p = s.rfind('@'); p != std::string_view::npos) s.remove_prefix(p + 1);
  if (auto p = s.find(':'); p != std::string_view::npos) s = s.substr(0, p);
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '.' ||
                    static_cast<unsigned char>(l) >= 0x80;
    if (!ok) return std::nullopt;
    out.push_back(l);
  }
  if (out.rfind("www.", 0) == 0) out.erase(0, 4);
  if (out.find('.') == std::string::npos || out.front() == '.' || out.find("..") != std::string::npos)
    return std::nullopt;
  return out;
}

std::optional<std::string> emailDomain(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  return normalizeDomain(email.substr(at + 1));
}

FreeMailDomains FreeMailDomains::load(const std::filesystem::path& file, const std::vector<std::string>& allow) {
  std::ifstream in(file);
  if (!in) throw ConfigError("free-mail list " + file.string() + " cannot be read (identity.free_mail_file)");
  FreeMailDomains f;
  for (std::string line; std::getline(in, line);) {
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    if (auto d = normalizeDomain(line)) f.domains_.insert(*d);
  }
  for (const auto& a : allow)
    if (auto d = normalizeDomain(a)) f.domains_.erase(*d);
  return f;
}

FreeMailDomains FreeMailDomains::fromList(const std::vector<std::string>& domains) {
  FreeMailDomains f;
  for (const auto& d : domains)
    if (auto n = normalizeDomain(d)) f.domains_.insert(*n);
  return f;
}

}  // namespace abm::pipeline
