#include "config/daemon_reload.hpp"

#include <algorithm>
#include <set>

namespace abm::config {

namespace {

// Keys whose value running syncs hold: the store and its lock, migrations, plugin state folders,
// the identity rules every sync thread reads, and the instance and its leases (registered at start).
const std::set<std::string> kRestartKeys = {"store", "schema_dir", "connector_state_dir", "identity", "instance_id",
                                            "lease_ttl"};

// The listener's address stays until a restart (the socket is bound); tokens, limits and timeouts
// apply to the next request.
void planHttpReload(const DaemonConfig& running, const DaemonConfig& fresh, DaemonConfig& c, DaemonReload& out) {
  if (running.http.has_value() != fresh.http.has_value()) {
    c.http = running.http;
    out.need_restart.push_back("http");
    return;
  }
  nlohmann::json old_rest = running.as_written["http"], new_rest = fresh.as_written["http"];
  const bool moved = running.http->listen != fresh.http->listen;
  old_rest.erase("listen");
  new_rest.erase("listen");
  if (moved) {
    c.http->listen = running.http->listen;
    c.http->host = running.http->host;
    c.http->port = running.http->port;
    c.http->loopback = running.http->loopback;
    out.need_restart.push_back("http.listen");
  }
  if (old_rest != new_rest) out.applied.push_back("http");
}

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
  DaemonConfig& c = out.config;
  for (const auto& k : keys) {
    if (valueOf(running.as_written, k) == valueOf(fresh.as_written, k)) continue;
    if (k == "http") {
      planHttpReload(running, fresh, c, out);
      continue;
    }
    (kRestartKeys.count(k) ? out.need_restart : out.applied).push_back(k);
  }
  c.store_url = running.store_url;
  c.store = running.store;
  c.schema_dir = running.schema_dir;
  c.connector_state_dir = running.connector_state_dir;
  c.free_mail_file = running.free_mail_file;
  c.free_mail_allow = running.free_mail_allow;
  c.public_suffix_file = running.public_suffix_file;
  c.never_merge_domains = running.never_merge_domains;
  c.instance_id = running.instance_id;
  c.lease_ttl = running.lease_ttl;
  // The file as running keeps the old values of those keys, so a later reload reports them again.
  if (std::find(out.need_restart.begin(), out.need_restart.end(), "http.listen") != out.need_restart.end())
    c.as_written["http"]["listen"] = running.as_written["http"]["listen"];
  for (const auto& k : out.need_restart) {
    if (running.as_written.is_object() && running.as_written.contains(k)) c.as_written[k] = running.as_written[k];
    else c.as_written.erase(k);
  }
  return out;
}

}  // namespace abm::config
