// The instances and leases tables (migration 0009) as readers see them, for `abmctl status` and the
// runs that take over after an instance died. LeaseKeeper (store/lease_keeper.hpp) writes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

struct InstanceInfo {
  std::string instance_id, host, version, started_at, heartbeat_at;
  int64_t pid = 0;
  bool live = false;
};

struct LeaseInfo {
  std::string resource, holder, acquired_at, renewed_at, expires_at;
  bool live = false;  // not expired yet
};

// Every registered instance, oldest first. One is live while its last heartbeat is younger than
// 2 × `ttl`; on SQLite, whose writers all run on the store's machine, also only while its process
// runs. A store older than migration 0009 has none.
Result<std::vector<InstanceInfo>> listInstances(Database& db, std::chrono::seconds ttl);
// Every lease row, expired ones included (they stay until someone takes them), by resource.
Result<std::vector<LeaseInfo>> listLeases(Database& db);
Result<std::optional<LeaseInfo>> readLease(Database& db, const std::string& resource);

// This machine's name, as instances record it.
std::string hostName();
// False only when no process `pid` runs on this machine.
bool processRunning(int64_t pid);

// SQLite only (the store is a local file, so every writer ran on this machine): instances of this
// machine whose process has ended are deleted with their leases, so that a restart after a crash
// takes over at once instead of waiting for the leases to expire. Returns the instances removed.
// On PostgreSQL, where another machine may share a host name, it does nothing.
Result<std::vector<std::string>> releaseEndedLocalInstances(Database& db);

}  // namespace abm::store
