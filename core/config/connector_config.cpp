#include "config/connector_config.hpp"

#include "common/secret_scrub.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "common/duration.hpp"
#include "config/regular_file.hpp"
#include "config/secrets.hpp"

namespace abm::config {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<ConnectorConfig> loadConnectorFile(const fs::path& file, std::vector<std::string>& errors,
                                                 Secrets secrets) {
  const std::string where = file.string() + ": ";
  auto text = readRegularFile(file, kMaxConnectorFileBytes);
  if (!text) {
    errors.push_back(where + text.error());
    return std::nullopt;
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    // Parse again for the position: parse errors name the line and column.
    try {
      j = json::parse(*text);
    } catch (const json::exception& e) {
      errors.push_back(where + "not valid JSON: " + e.what());
    }
    return std::nullopt;
  }
  if (!j.is_object()) {
    errors.push_back(where + "expected a JSON object with name, plugin, schedule and settings");
    return std::nullopt;
  }
  const size_t errors_before = errors.size();
  static const std::set<std::string> kKeys = {"name", "plugin", "schedule", "settings", "enabled",
                                              "timeout", "memory_limit_mb", "description"};
  for (const auto& [k, v] : j.items())
    if (!kKeys.count(k))
      errors.push_back(where + k + ": unknown key (expected name, plugin, schedule, settings, enabled, timeout, "
                               "memory_limit_mb, description)");

  ConnectorConfig c;
  c.file = file;
  auto needString = [&](const char* key) -> std::string {
    if (!j.contains(key)) {
      errors.push_back(where + key + ": required string is missing");
      return {};
    }
    if (!j[key].is_string()) {
      errors.push_back(where + key + ": expected a string");
      return {};
    }
    return j[key].get<std::string>();
  };
  c.name = needString("name");
  c.plugin = needString("plugin");
  // The name keys the store's rows and names the connector's state folder: "" would share the parent.
  static const std::regex kName("[a-z0-9][a-z0-9_-]{0,63}");
  if (j.contains("name") && j["name"].is_string() && !std::regex_match(c.name, kName))
    errors.push_back(where + "name: '" + c.name + "' must be 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit");
  if (j.contains("plugin") && j["plugin"].is_string() && c.plugin.empty())
    errors.push_back(where + "plugin: must name a plugin (see abmctl plugins)");
  if (j.contains("schedule") && j["schedule"].is_string()) {
    auto s = Schedule::parse(needString("schedule"));
    if (!s) {
      errors.push_back(where + "schedule: " + s.error());
    } else {
      c.schedule = *s;
      c.has_schedule = true;
      if (!c.schedule.canFire())
        c.warnings.push_back(where + "schedule: '" + c.schedule.text() +
                             "' matches no date, so the connector never runs on its own");
    }
  } else if (j.contains("schedule")) {
    needString("schedule");
  }
  if (j.contains("enabled")) {
    if (j["enabled"].is_boolean()) c.enabled = j["enabled"].get<bool>();
    else errors.push_back(where + "enabled: expected true or false");
  }
  if (j.contains("timeout")) {
    auto d = j["timeout"].is_string() ? parseDuration(j["timeout"].get<std::string>()) : std::nullopt;
    if (d) c.timeout = *d;
    else errors.push_back(where + "timeout: expected a duration like \"30m\"");
  }
  if (j.contains("memory_limit_mb")) {
    if (j["memory_limit_mb"].is_number_integer() && j["memory_limit_mb"].get<long long>() >= 16)
      c.memory_limit_mb = j["memory_limit_mb"].get<size_t>();
    else errors.push_back(where + "memory_limit_mb: expected an integer of at least 16");
  }
  if (!j.contains("settings")) {
    c.settings = json::object();
  } else if (!j["settings"].is_object()) {
    errors.push_back(where + "settings: expected an object");
  } else {
    c.settings = j["settings"];
  }
  c.settings_as_written = c.settings;
  std::vector<std::string> secret_errors;
  std::vector<std::string> unresolved;
  resolveSecrets(c.settings, "settings", c.secret_paths, secret_errors, &c.resolved_secrets,
                 secrets == Secrets::Optional ? &unresolved : nullptr);
  for (auto& e : secret_errors) errors.push_back(where + e);
  for (auto& u : unresolved) c.unresolved_secrets.push_back(where + u);
  if (errors.size() != errors_before) return std::nullopt;
  return c;
}

std::vector<ConnectorConfig> loadConnectorDir(const fs::path& dir, std::vector<std::string>& errors,
                                              std::map<fs::path, std::string>* refused, Secrets secrets) {
  std::vector<ConnectorConfig> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    errors.push_back(dir.string() + ": connectors folder not found (set \"connectors_dir\" in the daemon config)");
    return out;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) errors.push_back(dir.string() + ": cannot list the connectors folder: " + ec.message());
  std::sort(files.begin(), files.end());
  std::map<std::string, fs::path> seen;
  for (const auto& f : files) {
    const size_t before = errors.size();
    auto c = loadConnectorFile(f, errors, secrets);
    if (c)
      if (auto [it, fresh] = seen.emplace(c->name, f); !fresh) {
        errors.push_back(f.string() + ": name: '" + c->name + "' is already used by " + it->second.string());
        c.reset();
      }
    if (!c) {
      if (refused) (*refused)[f] = errors.size() > before ? errors[before] : f.string() + ": not loaded";
      continue;
    }
    out.push_back(std::move(*c));
  }
  return out;
}

void validateConnectorSettings(ConnectorConfig& c, const std::vector<OptionSpec>& specs,
                               std::vector<std::string>& errors) {
  std::vector<std::string> problems;
  validateSettings(specs, c.settings, problems);
  // A problem may quote a value (an unknown choice): if it came from a reference, show the reference.
  const json scrub = scrubList(c.resolved_secrets);
  for (auto& p : problems) errors.push_back(c.file.string() + ": " + scrubSecrets(p, scrub));
  for (const auto& s : specs) {
    if (!s.secret || !c.settings_as_written.is_object() || !c.settings_as_written.contains(s.name)) continue;
    const json& v = c.settings_as_written[s.name];
    if (v.is_string() && !v.get_ref<const std::string&>().empty() && !isSecretReference(v.get<std::string>()))
      c.warnings.push_back(c.file.string() + ": settings." + s.name +
                           ": a secret written in the connector file; keep it elsewhere and write "
                           "${env:NAME} or ${file:/path} here");
  }
}

json workerJob(const ConnectorConfig& c, const std::string& command) {
  return json{{"command", command}, {"settings", c.settings}, {"scrub", scrubList(c.resolved_secrets)}};
}

json redactedView(const ConnectorConfig& c, const std::vector<OptionSpec>& specs) {
  std::set<std::string> secret_names;
  for (const auto& s : specs)
    if (s.secret) secret_names.insert(s.name);
  json out{{"name", c.name}, {"plugin", c.plugin}, {"schedule", c.schedule.text()}, {"enabled", c.enabled},
           {"file", c.file.string()}};
  out["settings"] = redactSettings(c.settings_as_written, secret_names);
  if (!c.unresolved_secrets.empty()) out["unresolved_secrets"] = c.unresolved_secrets;
  return out;
}

}  // namespace abm::config
