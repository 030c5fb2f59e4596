// Secret references in connector settings: a string value "${env:NAME}" or "${file:/path}" is
// replaced by the variable's value or the file's content (trailing newline trimmed) when the
// config is loaded. The resolved values live only in memory and in the worker's stdin.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace abm::config {

// Resolves every reference in `value` in place. `path` names the value for error messages.
// Paths of resolved references are added to `secret_paths`; problems are appended to `errors`.
void resolveSecrets(nlohmann::json& value, const std::string& path, std::set<std::string>& secret_paths,
                    std::vector<std::string>& errors);

// True when `text` is a whole-value secret reference.
bool isSecretReference(const std::string& text);

// A copy of `settings` fit to print: literal values at `secret_paths` or of secret-typed options are
// replaced by "<redacted>"; references (which name where a secret lives, not the secret) stay.
nlohmann::json redactSettings(const nlohmann::json& original_settings, const std::set<std::string>& secret_option_names);

}  // namespace abm::config
