// Secret references in connector settings: a string value "${env:NAME}" or "${file:/path}" is
// replaced by the variable's value or the file's content (trailing newline trimmed) when the
// config is loaded. The resolved values live only in memory and in the worker's stdin.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace abm::config {

// A ${file:} secret is a token or a key, not a data set: larger files are refused.
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// One resolved reference: where it was, what was written, and the value it stands for.
struct ResolvedSecret {
  std::string path;       // settings.auth.token
  std::string reference;  // ${env:TOKEN}
  std::string value;      // never log or print this
};

// Whether a command needs the secrets: those that run a connector do; those that only read the
// store or print the configuration (status, runs, state, config) do not.
enum class Secrets { Required, Optional };

// Resolves every reference in `value` in place. `path` names the value for error messages.
// Paths of resolved references are added to `secret_paths` (and, when given, each resolution to
// `resolved`); problems are appended to `errors`. A reference resolving to an empty value, a
// ${file:} that is not a regular file of at most kMaxSecretFileBytes, and a literal "$NAME" (which
// abmd does not expand) are errors. With `unresolved` given, a well-formed reference that cannot be
// resolved here (a variable not set, a file not readable by this user, an empty value) is listed
// there instead and keeps its reference text: commands that only read the store still see the
// connector.
void resolveSecrets(nlohmann::json& value, const std::string& path, std::set<std::string>& secret_paths,
                    std::vector<std::string>& errors, std::vector<ResolvedSecret>* resolved = nullptr,
                    std::vector<std::string>* unresolved = nullptr);

// True when `text` is a whole-value secret reference.
bool isSecretReference(const std::string& text);

// A copy of `settings` fit to print: literal values at `secret_paths` or of secret-typed options are
// replaced by "<redacted>"; references (which name where a secret lives, not the secret) stay.
nlohmann::json redactSettings(const nlohmann::json& original_settings, const std::set<std::string>& secret_option_names);

// Values shorter than this are not scrubbed from messages: they would mangle ordinary words.
inline constexpr size_t kMinScrubbedSecret = 3;

// What the worker must scrub from the plugin's messages: [[value, reference], ...], longest value first.
nlohmann::json scrubList(const std::vector<ResolvedSecret>& resolved);


}  // namespace abm::config
