#include "config/daemon_reload.hpp"

#include <set>

namespace abm::config {

namespace {

// Keys whose value running syncs hold: the store and its lock, migrations, plugin state folders,
// and the identity rules every sync thread reads.
const std::set<std::string> kRestartKeys = {"store", "schema_dir", "connector_state_dir", "identity"};

}  // namespace

DaemonReload planDaemonReload(const DaemonConfig& running, const DaemonConfig& fresh) {
  DaemonReload out;
  out.config = fresh;
  std::set<std::string> keys;
  for (const auto* j : {&running.as_written, &fresh.as_written})
    if (j->is_object())
      for (const auto& [k, v] : j->items()) keys.insert(k);
  auto valueOf = [](const nlohmann::json& j, const std::string& k) {
    return j.is_object() && j.contains(k) ? j[k] : nlohmann::json();
  };
  for (const auto& k : keys) {
    if (valueOf(running.as_written, k) == valueOf(fresh.as_written, k)) continue;
    (kRestartKeys.count(k) ? out.need_restart : out.applied).push_back(k);
  }
  DaemonConfig& c = out.config;
  c.store_url = running.store_url;
  c.store_path = running.store_path;
  c.schema_dir = running.schema_dir;
  c.connector_state_dir = running.connector_state_dir;
  c.free_mail_file = running.free_mail_file;
  c.free_mail_allow = running.free_mail_allow;
  c.public_suffix_file = running.public_suffix_file;
  c.never_merge_domains = running.never_merge_domains;
  // The file as running keeps the old values of those keys, so a later reload reports them again.
  for (const auto& k : out.need_restart) {
    if (running.as_written.is_object() && running.as_written.contains(k)) c.as_written[k] = running.as_written[k];
    else c.as_written.erase(k);
  }
  return out;
}

}  // namespace abm::config
