// The daemon's own config file (default /etc/abmd/abmd.json, or -c / ABMD_CONFIG).
// Relative paths in it are taken against the folder of the file; paths left out default to the
// install layout around the running binary (../lib/abmd/plugins, ../share/abmd/schema).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/http_settings.hpp"
#include "log/logger.hpp"
#include "store/location.hpp"

namespace abm::config {

struct DaemonConfig {
  std::filesystem::path file;
  std::string store_url;  // as written, secret references unresolved
  store::Location store;  // where the store lives, secrets resolved
  std::filesystem::path plugin_dir;
  std::filesystem::path connectors_dir;
  std::filesystem::path schema_dir;
  std::filesystem::path worker_path;
  std::filesystem::path connector_state_dir;  // <SQLite store's folder>/connector_state unless set
  std::filesystem::path free_mail_file;
  std::vector<std::string> free_mail_allow;  // domains that are not free mail for this company
  std::filesystem::path public_suffix_file = "/usr/share/publicsuffix/public_suffix_list.dat";
  std::vector<std::string> never_merge_domains;  // never tie or merge records by these domains
  int max_concurrent_syncs = 2;
  log::Level log_level = log::Level::Info;
  std::chrono::milliseconds sync_timeout = std::chrono::hours(2);
  size_t memory_limit_mb = 1024;
  std::chrono::milliseconds retry_initial = std::chrono::seconds(30);
  std::chrono::milliseconds retry_max = std::chrono::hours(1);
  int retry_attempts = 5;
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(30);
  size_t batch_records = 50000;
  // Several daemons on one store (docs/operations.md): this daemon's name among them, and how long
  // a lease it stops renewing keeps others off the work (at least 3 s, whole seconds).
  std::string instance_id;  // "<hostname>:<pid>" unless set
  std::chrono::seconds lease_ttl{60};
  // How long deleted_records keeps a deletion for readers that sync incrementally (docs/store.md);
  // older entries are pruned at the end of every sync run.
  std::chrono::seconds deleted_records_retention{std::chrono::hours(24 * 90)};
  std::optional<HttpSettings> http;  // no "http" key: no listener
  nlohmann::json metrics = nlohmann::json::object();  // parsed by the metrics stage (bootstrap)
  nlohmann::json as_written;  // the file's object, to tell which keys a reload changes
};

// The daemon config is a page of settings: anything larger is not one.
inline constexpr size_t kMaxDaemonConfigBytes = 1024 * 1024;

// Both plugin_dir and connectors_dir exist as folders; else which does not, naming the config file.
// abmd refuses to start (and a reload keeps the running configuration) without them.
Status requireFolders(const DaemonConfig& daemon);

// The connector's private folder (mode 0700) handed to its plugin for files kept between runs.
Result<std::filesystem::path> connectorStateDir(const DaemonConfig& daemon, const std::string& connector);

// The config path to use: explicit argument, else $ABMD_CONFIG, else /etc/abmd/abmd.json.
std::filesystem::path resolveConfigPath(const std::string& from_args);

// A store URL as the "store" key takes it: ${env:}/${file:} references resolved (a password is
// percent-encoded into the URL), relative SQLite paths taken against `base_dir`.
Result<store::Location> parseStoreUrl(const std::string& url, const std::filesystem::path& base_dir);

// Loads and validates the file; throws ConfigError naming the file and key on any problem.
// With Secrets::Optional, API token references that cannot be resolved here are kept unresolved
// (HttpSettings::unresolved_tokens): read-only commands need none of the daemon's secrets but the store's.
DaemonConfig loadDaemonConfig(const std::filesystem::path& file, Secrets secrets = Secrets::Required);

// The folder of the running executable (for install-relative defaults).
std::filesystem::path executableDir();

}  // namespace abm::config
