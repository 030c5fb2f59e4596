#include "config/secrets.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace abm::config {

using nlohmann::json;

bool isSecretReference(const std::string& s) {
  return s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}' &&
         (s.rfind("${env:", 0) == 0 || s.rfind("${file:", 0) == 0);
}

void resolveSecrets(json& value, const std::string& path, std::set<std::string>& secret_paths,
                    std::vector<std::string>& errors) {
  if (value.is_object()) {
    for (auto& [k, v] : value.items()) resolveSecrets(v, path + "." + k, secret_paths, errors);
    return;
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i)
      resolveSecrets(value[i], path + "[" + std::to_string(i) + "]", secret_paths, errors);
    return;
  }
  if (!value.is_string()) return;
  const std::string text = value.get<std::string>();
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
  if (is_env) {
    const char* v = std::getenv(target.c_str());
    if (!v) {
      errors.push_back(path + ": environment variable " + target + " is not set");
      return;
    }
    value = std::string(v);
  } else {
    std::ifstream in(target, std::ios::binary);
    if (!in) {
      errors.push_back(path + ": secret file " + target + " cannot be read");
      return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string content = ss.str();
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
    value = content;
  }
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

}  // namespace abm::config
