#include "store/instances.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "store/db_clock.hpp"

namespace abm::store {

std::string hostName() {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

bool processRunning(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

Result<std::vector<InstanceInfo>> listInstances(Database& db, std::chrono::seconds ttl) {
  std::vector<InstanceInfo> out;
  auto has = db.hasTable("instances");
  if (!has) return has.status();
  if (!*has) return out;
  auto q = db.prepare("SELECT instance_id, host, pid, version, started_at, heartbeat_at,"
                      " CASE WHEN heartbeat_at >= " + sqlNowPlus(db, -2 * ttl) + " THEN 1 ELSE 0 END"
                      " FROM instances ORDER BY started_at, instance_id");
  if (!q) return q.status();
  const bool local_store = db.backend() == Backend::Sqlite;
  const std::string here = hostName();
  while (q->step() == Step::Row) {
    InstanceInfo i;
    i.instance_id = q->columnText(0);
    i.host = q->columnText(1);
    i.pid = q->columnInt(2);
    i.version = q->columnText(3);
    i.started_at = q->columnText(4);
    i.heartbeat_at = q->columnText(5);
    i.live = q->columnInt(6) != 0;
    if (local_store && i.host == here && !processRunning(i.pid)) i.live = false;
    out.push_back(std::move(i));
  }
  if (auto s = q->status(); !s) return Status::error("cannot read the instances of store " + db.path() + ": " + s.message());
  return out;
}

namespace {

constexpr const char* kLeaseColumns = "SELECT resource, holder, acquired_at, renewed_at, expires_at";

LeaseInfo readLeaseRow(const Statement& q) {
  LeaseInfo l;
  l.resource = q.columnText(0);
  l.holder = q.columnText(1);
  l.acquired_at = q.columnText(2);
  l.renewed_at = q.columnText(3);
  l.expires_at = q.columnText(4);
  l.live = q.columnInt(5) != 0;
  return l;
}

}  // namespace

Result<std::vector<LeaseInfo>> listLeases(Database& db) {
  std::vector<LeaseInfo> out;
  auto has = db.hasTable("leases");
  if (!has) return has.status();
  if (!*has) return out;
  auto q = db.prepare(std::string(kLeaseColumns) + ", CASE WHEN expires_at >= " + sqlNow(db) +
                      " THEN 1 ELSE 0 END FROM leases ORDER BY resource");
  if (!q) return q.status();
  while (q->step() == Step::Row) out.push_back(readLeaseRow(*q));
  if (auto s = q->status(); !s) return Status::error("cannot read the leases of store " + db.path() + ": " + s.message());
  return out;
}

Result<std::optional<LeaseInfo>> readLease(Database& db, const std::string& resource) {
  auto q = db.prepare(std::string(kLeaseColumns) + ", CASE WHEN expires_at >= " + sqlNow(db) +
                      " THEN 1 ELSE 0 END FROM leases WHERE resource = ?1");
  if (!q) return q.status();
  q->bind(1, resource);
  std::optional<LeaseInfo> out;
  if (q->step() == Step::Row) out = readLeaseRow(*q);
  if (auto s = q->status(); !s) return Status::error("cannot read the lease " + resource + ": " + s.message());
  return out;
}

Result<std::vector<std::string>> releaseEndedLocalInstances(Database& db) {
  std::vector<std::string> ended;
  if (db.backend() != Backend::Sqlite) return ended;
  auto q = db.prepare("SELECT instance_id, pid FROM instances WHERE host = ?1");
  if (!q) return q.status();
  q->bind(1, hostName());
  while (q->step() == Step::Row)
    if (!processRunning(q->columnInt(1))) ended.push_back(q->columnText(0));
  if (auto s = q->status(); !s) return Status::error("cannot read the instances of store " + db.path() + ": " + s.message());
  q->reset();
  if (ended.empty()) return ended;
  auto leases = db.prepare("DELETE FROM leases WHERE holder = ?1");
  if (!leases) return leases.status();
  auto instance = db.prepare("DELETE FROM instances WHERE instance_id = ?1");
  if (!instance) return instance.status();
  for (const auto& id : ended) {
    leases->bind(1, id);
    instance->bind(1, id);
    if (auto s = leases->run(); !s) return Status::error("cannot release the leases of ended instance " + id + ": " + s.message());
    if (auto s = instance->run(); !s) return Status::error("cannot remove ended instance " + id + ": " + s.message());
  }
  return ended;
}

}  // namespace abm::store
