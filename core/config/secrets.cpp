#include "config/secrets.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "config/regular_file.hpp"

namespace abm::config {

using nlohmann::json;

bool isSecretReference(const std::string& s) {
  return s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}' &&
         (s.rfind("${env:", 0) == 0 || s.rfind("${file:", 0) == 0);
}

void resolveSecrets(json& value, const std::string& path, std::set<std::string>& secret_paths,
                    std::vector<std::string>& errors, std::vector<ResolvedSecret>* resolved,
                    std::vector<std::string>* unresolved) {
  if (value.is_object()) {
    for (auto& [k, v] : value.items()) resolveSecrets(v, path + "." + k, secret_paths, errors, resolved, unresolved);
    return;
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i)
      resolveSecrets(value[i], path + "[" + std::to_string(i) + "]", secret_paths, errors, resolved, unresolved);
    return;
  }
  if (!value.is_string()) return;
  const std::string text = value.get<std::string>();
  // "$TOKEN" looks like shell expansion but would reach the vendor as the literal word.
  static const std::regex kShellVariable(R"(\$[A-Za-z_][A-Za-z0-9_]*)");
  if (std::regex_match(text, kShellVariable)) {
    errors.push_back(path + ": '" + text + "' is not expanded by abmd; write ${env:" + text.substr(1) +
                     "} to read the environment variable");
    return;
  }
  if (text.rfind("${", 0) != 0) return;
  if (!isSecretReference(text)) {
    errors.push_back(path + ": '" + text + "' looks like a secret reference but is not ${env:NAME} or ${file:/path}");
    return;
  }
  const bool is_env = text.rfind("${env:", 0) == 0;
  const std::string target = text.substr(is_env ? 6 : 7, text.size() - (is_env ? 7 : 8));
  if (target.empty()) {
    errors.push_back(path + ": secret reference '" + text + "' names nothing");
    return;
  }
  std::string content;
  if (is_env) {
    const char* v = std::getenv(target.c_str());
    if (!v) {
      (unresolved ? *unresolved : errors).push_back(path + ": environment variable " + target + " is not set");
      return;
    }
    content = v;
  } else {
    auto file = readRegularFile(target, kMaxSecretFileBytes);
    if (!file) {
      (unresolved ? *unresolved : errors).push_back(path + ": secret file " + target + " " + file.error());
      return;
    }
    content = std::move(*file);
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  }
  if (content.empty()) {
    (unresolved ? *unresolved : errors).push_back(path + ": " + text + " is empty");
    return;
  }
  if (resolved) resolved->push_back({path, text, content});
  value = std::move(content);
  secret_paths.insert(path);
}

json redactSettings(const json& original, const std::set<std::string>& secret_option_names) {
  json out = original;
  if (!out.is_object()) return out;
  for (auto& [k, v] : out.items()) {
    const bool is_ref = v.is_string() && isSecretReference(v.get<std::string>());
    if (secret_option_names.count(k) && !is_ref) v = "<redacted>";
  }
  return out;
}

json scrubList(const std::vector<ResolvedSecret>& resolved) {
  std::vector<const ResolvedSecret*> order;
  for (const auto& r : resolved)
    if (r.value.size() >= kMinScrubbedSecret) order.push_back(&r);
  // Longest first, so a value containing another is replaced whole.
  std::stable_sort(order.begin(), order.end(),
                   [](const ResolvedSecret* a, const ResolvedSecret* b) { return a->value.size() > b->value.size(); });
  json out = json::array();
  for (const auto* r : order) out.push_back(json::array({r->value, r->reference}));
  return out;
}

}  // namespace abm::config
