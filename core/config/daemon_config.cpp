#include "config/daemon_config.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "common/duration.hpp"
#include "common/status.hpp"
#include "config/regular_file.hpp"
#include "config/secrets.hpp"

namespace abm::config {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path executableDir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

fs::path resolveConfigPath(const std::string& from_args) {
  if (!from_args.empty()) return from_args;
  if (const char* env = std::getenv("ABMD_CONFIG"); env && *env) return env;
  return "/etc/abmd/abmd.json";
}

namespace {

const std::set<std::string> kKeys = {"store", "plugin_dir", "connectors_dir", "schema_dir", "worker",
                                     "max_concurrent_syncs", "log_level", "sync_timeout", "memory_limit_mb",
                                     "retry", "shutdown_grace", "identity", "batch_records", "metrics",
                                     "connector_state_dir", "http", "instance_id", "lease_ttl", "store_mode",
                                     "deleted_records_retention"};

[[noreturn]] void fail(const fs::path& file, const std::string& key, const std::string& what) {
  throw ConfigError(file.string() + ": " + key + ": " + what);
}

// The store URL with its ${env:}/${file:} references resolved: the whole URL, or a part of it (the
// password), percent-encoded there so that any character may appear in a password.
std::string resolveStoreSecrets(const std::string& url, const fs::path& file) {
  if (url.find("${") == std::string::npos) return url;
  auto resolve = [&](const std::string& reference) {
    json value = reference;
    std::set<std::string> paths;
    std::vector<std::string> errors;
    resolveSecrets(value, "store", paths, errors);
    if (!errors.empty()) fail(file, "store", errors.front());
    return value.get<std::string>();
  };
  if (isSecretReference(url)) return resolve(url);
  std::string out;
  size_t i = 0;
  while (i < url.size()) {
    const size_t start = url.find("${", i);
    if (start == std::string::npos) break;
    const size_t end = url.find('}', start);
    if (end == std::string::npos) fail(file, "store", "a '${' without its closing '}'");
    out.append(url, i, start - i);
    for (const unsigned char ch : resolve(url.substr(start, end + 1 - start))) {
      if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
        out += static_cast<char>(ch);
      } else {
        static const char* kHex = "0123456789ABCDEF";
        out += '%';
        out += kHex[ch >> 4];
        out += kHex[ch & 15];
      }
    }
    i = end + 1;
  }
  out.append(url, i);
  return out;
}

std::string getString(const json& j, const fs::path& file, const std::string& key) {
  if (!j.is_string()) fail(file, key, "expected a string");
  return j.get<std::string>();
}

std::chrono::milliseconds getDuration(const json& j, const fs::path& file, const std::string& key) {
  auto d = parseDuration(getString(j, file, key));
  if (!d) fail(file, key, "expected a duration like \"30s\", \"15m\" or \"2h\"");
  return *d;
}

// "0640": octal text, as chmod takes it. The owner must read and write; nothing may execute, and
// others may not write what every reader of the store trusts.
unsigned getStoreMode(const json& j, const fs::path& file) {
  const std::string text = j.is_string() ? j.get<std::string>() : std::string();
  const char* usage = "expected octal permissions as text, such as \"0640\" (owner reads and writes, group reads)";
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    fail(file, "store_mode", j.is_string() ? "'" + text + "': " + usage : std::string(usage));
  const unsigned mode = static_cast<unsigned>(std::stoul(text, nullptr, 8));
  if (mode > 0777) fail(file, "store_mode", "'" + text + "' sets setuid, setgid or sticky bits, which a store has no use for (\"0640\")");
  if ((mode & 0600) != 0600) fail(file, "store_mode", "'" + text + "' keeps abmd from reading and writing its own store; the owner needs 6 (\"0640\")");
  if (mode & 0111) fail(file, "store_mode", "'" + text + "' makes the store executable; use 6, 4 or 0 per digit (\"0640\")");
  if (mode & 0002) fail(file, "store_mode", "'" + text + "' lets every user on the machine write the store; use \"0640\" or \"0660\"");
  return mode;
}

long long getInt(const json& j, const fs::path& file, const std::string& key, long long lo, long long hi) {
  if (!j.is_number_integer()) fail(file, key, "expected an integer");
  const auto v = j.get<long long>();
  if (v < lo || v > hi) fail(file, key, "expected a value from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

// Instance ids name a daemon in logs, run errors and `abmctl status`: one printable word.
std::string getInstanceId(const json& j, const fs::path& file) {
  const std::string id = getString(j, file, "instance_id");
  const bool printable = std::all_of(id.begin(), id.end(), [](unsigned char ch) { return ch > ' ' && ch != 0x7f; });
  if (id.empty() || id.size() > 200 || !printable)
    fail(file, "instance_id", "expected a name of 1 to 200 characters without spaces, like \"abmd-eu-1\" (leave it out for <hostname>:<pid>)");
  return id;
}

std::string defaultInstanceId() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + ":" + std::to_string(::getpid());
}

fs::path pathAgainst(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return (path.is_relative() ? base / path : path).lexically_normal();
}

}  // namespace

Result<store::Location> parseStoreUrl(const std::string& url, const fs::path& base_dir) {
  try {
    return store::parseLocation(resolveStoreSecrets(url, "the store URL"), base_dir);
  } catch (const ConfigError& e) {
    return Status::error(e.what());
  }
}

DaemonConfig loadDaemonConfig(const fs::path& file, Secrets secrets) {
  auto text = readRegularFile(file, kMaxDaemonConfigBytes);
  if (!text)
    throw ConfigError(file.string() + ": the daemon config " + text.error() + " (set -c, --config or ABMD_CONFIG)");
  json j;
  try {
    j = json::parse(*text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw ConfigError(file.string() + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw ConfigError(file.string() + ": expected a JSON object at the top");
  for (const auto& [k, v] : j.items())
    if (!kKeys.count(k)) fail(file, k, "unknown key (see docs/configuration.md)");

  DaemonConfig c;
  c.file = fs::absolute(file).lexically_normal();
  c.as_written = j;
  const fs::path base = c.file.parent_path();
  const fs::path exe = executableDir();

  c.store_url = j.contains("store") ? getString(j["store"], file, "store") : "sqlite:///var/lib/abmd/abm.db";
  auto store = store::parseLocation(resolveStoreSecrets(c.store_url, file), base);
  if (!store) fail(file, "store", store.error());
  c.store = *store;
  if (j.contains("store_mode")) {
    if (c.store.backend != store::Backend::Sqlite)
      fail(file, "store_mode", "applies to an SQLite store file only; PostgreSQL grants reading with GRANT (docs/store.md)");
    c.store.file_mode = getStoreMode(j["store_mode"], file);
  }

  c.plugin_dir = j.contains("plugin_dir") ? pathAgainst(base, getString(j["plugin_dir"], file, "plugin_dir"))
                                          : (exe / "../lib/abmd/plugins").lexically_normal();
  c.connectors_dir = j.contains("connectors_dir")
                         ? pathAgainst(base, getString(j["connectors_dir"], file, "connectors_dir"))
                         : base / "connectors.d";
  c.schema_dir = j.contains("schema_dir") ? pathAgainst(base, getString(j["schema_dir"], file, "schema_dir"))
                                          : (exe / "../share/abmd/schema").lexically_normal();
  c.worker_path = j.contains("worker") ? pathAgainst(base, getString(j["worker"], file, "worker"))
                                       : exe / "abmd-worker";
  c.free_mail_file = (exe / "../share/abmd/free_mail_domains.txt").lexically_normal();
  c.connector_state_dir = j.contains("connector_state_dir")
                              ? pathAgainst(base, getString(j["connector_state_dir"], file, "connector_state_dir"))
                              : (c.store.backend == store::Backend::Sqlite ? c.store.sqlite_path.parent_path()
                                                                                : fs::path("/var/lib/abmd")) /
                                    "connector_state";

  if (j.contains("max_concurrent_syncs"))
    c.max_concurrent_syncs = static_cast<int>(getInt(j["max_concurrent_syncs"], file, "max_concurrent_syncs", 1, 64));
  if (j.contains("log_level") && !log::parseLevel(getString(j["log_level"], file, "log_level"), c.log_level))
    fail(file, "log_level", "expected one of debug, info, warn, error");
  if (j.contains("sync_timeout")) c.sync_timeout = getDuration(j["sync_timeout"], file, "sync_timeout");
  if (j.contains("memory_limit_mb"))
    c.memory_limit_mb = static_cast<size_t>(getInt(j["memory_limit_mb"], file, "memory_limit_mb", 16, 1 << 20));
  if (j.contains("shutdown_grace")) c.shutdown_grace = getDuration(j["shutdown_grace"], file, "shutdown_grace");
  if (j.contains("batch_records"))
    c.batch_records = static_cast<size_t>(getInt(j["batch_records"], file, "batch_records", 1, 10'000'000));
  c.instance_id = j.contains("instance_id") ? getInstanceId(j["instance_id"], file) : defaultInstanceId();
  if (j.contains("lease_ttl")) {
    const auto ttl = getDuration(j["lease_ttl"], file, "lease_ttl");
    // Leases are renewed every third of it: shorter, and a busy store would make them expire.
    if (ttl < std::chrono::seconds(3)) fail(file, "lease_ttl", "expected at least \"3s\" (default \"60s\")");
    c.lease_ttl = std::chrono::ceil<std::chrono::seconds>(ttl);
  }
  if (j.contains("deleted_records_retention")) {
    const auto kept = getDuration(j["deleted_records_retention"], file, "deleted_records_retention");
    // Readers that sync less often than this miss deletions: shorter than an hour is a slip.
    if (kept < std::chrono::hours(1))
      fail(file, "deleted_records_retention", "expected at least \"1h\", such as \"90d\" (default \"90d\")");
    c.deleted_records_retention = std::chrono::ceil<std::chrono::seconds>(kept);
  }
  if (j.contains("retry")) {
    const auto& r = j["retry"];
    if (!r.is_object()) fail(file, "retry", "expected an object {initial, max, attempts}");
    for (const auto& [k, v] : r.items()) {
      if (k == "initial") c.retry_initial = getDuration(v, file, "retry.initial");
      else if (k == "max") c.retry_max = getDuration(v, file, "retry.max");
      else if (k == "attempts") c.retry_attempts = static_cast<int>(getInt(v, file, "retry.attempts", 0, 100));
      else fail(file, "retry." + k, "unknown key (expected initial, max, attempts)");
    }
  }
  if (j.contains("metrics")) c.metrics = j["metrics"];
  if (j.contains("http")) c.http = parseHttpSettings(j["http"], file, secrets);
  if (j.contains("identity")) {
    const auto& id = j["identity"];
    if (!id.is_object())
      fail(file, "identity", "expected an object {free_mail_file, free_mail_allow, public_suffix_file, never_merge_domains}");
    for (const auto& [k, v] : id.items()) {
      if (k == "free_mail_file") {
        c.free_mail_file = pathAgainst(base, getString(v, file, "identity.free_mail_file"));
      } else if (k == "free_mail_allow") {
        if (!v.is_array()) fail(file, "identity.free_mail_allow", "expected an array of domains");
        for (const auto& d : v) c.free_mail_allow.push_back(getString(d, file, "identity.free_mail_allow[]"));
      } else if (k == "public_suffix_file") {
        c.public_suffix_file = pathAgainst(base, getString(v, file, "identity.public_suffix_file"));
      } else if (k == "never_merge_domains") {
        if (!v.is_array()) fail(file, "identity.never_merge_domains", "expected an array of domains");
        for (const auto& d : v) c.never_merge_domains.push_back(getString(d, file, "identity.never_merge_domains[]"));
      } else {
        fail(file, "identity." + k,
             "unknown key (expected free_mail_file, free_mail_allow, public_suffix_file, never_merge_domains)");
      }
    }
  }
  return c;
}


Status requireFolders(const DaemonConfig& c) {
  std::string missing;
  std::error_code ec;
  if (!fs::is_directory(c.plugin_dir, ec))
    missing += c.plugin_dir.string() + " (\"plugin_dir\") is not a folder";
  if (!fs::is_directory(c.connectors_dir, ec))
    missing += (missing.empty() ? "" : "; ") + c.connectors_dir.string() + " (\"connectors_dir\") is not a folder";
  if (missing.empty()) return Status::ok();
  return Status::error(c.file.string() + ": " + missing);
}

Result<fs::path> connectorStateDir(const DaemonConfig& daemon, const std::string& connector) {
  const fs::path dir = daemon.connector_state_dir / connector;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::error("cannot create the connector state folder " + dir.string() + ": " + ec.message());
  // Refresh tokens live here: only the daemon's user may look in.
  for (const fs::path& p : {daemon.connector_state_dir, dir}) {
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return Status::error("cannot restrict " + p.string() + " to its owner: " + ec.message());
  }
  return dir;
}

}  // namespace abm::config
