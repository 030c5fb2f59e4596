// Fuzzes the config loaders (core/config) through their real entry points: the bytes become a
// file's content, read as a connector file (loadConnectorFile, then validateConnectorSettings against
// an options table with every option type, then redactedView) and as the daemon config
// (loadDaemonConfig). Beyond "does not crash" it checks that:
//  - the connector loader never throws; it returns a config or at least one error, never both, and
//    every error is non-empty and names the file;
//  - the daemon loader returns a config or throws ConfigError naming the file, and nothing else;
//  - a secret resolved from ${env:ABMD_FUZZ_SECRET} never reaches an error or the redacted view.
#include <cstdlib>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr const char* kSecret = "fuzz-secret-7c1e";

const std::vector<abm::config::OptionSpec>& optionTable() {
  static const auto specs = [] {
    auto parsed = abm::config::parseOptionSpecs(R"([
      {"name": "path", "type": "string", "required": true},
      {"name": "token", "type": "string", "secret": true},
      {"name": "page_size", "type": "integer", "default": 100},
      {"name": "ratio", "type": "number", "default": 0.5},
      {"name": "incremental", "type": "boolean", "default": false},
      {"name": "objects", "type": "string_list", "default": ["accounts"]},
      {"name": "headers", "type": "string_map", "default": {}}])");
    FUZZ_CHECK(parsed.isOk(), "the fuzzer's own options table does not parse");
    return parsed.value();
  }();
  return specs;
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("ABMD_FUZZ_SECRET", kSecret, 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = abm::fuzz::scratchFile("config.json");
  abm::fuzz::writeFile(path, data, size);
  const std::string where = path.string() + ": ";
  const bool secret_in_input = std::string(reinterpret_cast<const char*>(data), size).find(kSecret) != std::string::npos;

  std::vector<std::string> errors;
  auto connector = abm::config::loadConnectorFile(path, errors);
  FUZZ_CHECK(connector.has_value() != !errors.empty(), "the connector loader returned a config and errors, or neither");
  if (connector) {
    abm::config::validateConnectorSettings(*connector, optionTable(), errors);
    const std::string shown = abm::config::redactedView(*connector, optionTable()).dump();
    if (!secret_in_input) FUZZ_CHECK(shown.find(kSecret) == std::string::npos, "the redacted view shows a secret");
  }
  for (const auto& e : errors) {
    FUZZ_CHECK(startsWith(e, where) && e.size() > where.size(), "an error that does not name the file: " + e);
    if (!secret_in_input) FUZZ_CHECK(e.find(kSecret) == std::string::npos, "an error shows a secret: " + e);
  }

  try {
    abm::config::loadDaemonConfig(path);
  } catch (const abm::ConfigError& e) {
    const std::string what = e.what();
    FUZZ_CHECK(startsWith(what, where) && what.size() > where.size(), "a daemon config error that does not name the file: " + what);
  }
  return 0;
}
