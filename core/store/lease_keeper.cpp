#include "store/lease_keeper.hpp"

#include <unistd.h>

#include <vector>

#include "common/catch_all.hpp"
#include "store/db_clock.hpp"
#include "store/instances.hpp"

namespace abm::store {

using Clock = std::chrono::steady_clock;

LeaseKeeper::LeaseKeeper(Database db, std::string instance_id, std::chrono::seconds ttl, Hooks hooks)
    : where_(db.location()),
      instance_id_(std::move(instance_id)),
      host_(hostName()),
      pid_(static_cast<int64_t>(::getpid())),
      ttl_(std::max(ttl, std::chrono::seconds(1))),
      hooks_(std::move(hooks)),
      db_(std::move(db)) {}

Result<std::unique_ptr<LeaseKeeper>> LeaseKeeper::start(const Location& where, std::string instance_id,
                                                        std::chrono::seconds ttl, Hooks hooks) {
  auto db = Database::open(where);
  if (!db) return db.status();
  std::unique_ptr<LeaseKeeper> k(new LeaseKeeper(std::move(*db), std::move(instance_id), ttl, std::move(hooks)));
  if (auto s = k->registerInstance(); !s) return s;
  k->thread_ = std::thread([p = k.get()] { p->loop(); });
  return k;
}

LeaseKeeper::~LeaseKeeper() { stop(); }

Status LeaseKeeper::registerInstance() {
  const std::string where = " in store " + db_.path();
  Transaction tx(db_);
  if (auto s = tx.begin(); !s) return Status::error("cannot register instance " + instance_id_ + where + ": " + s.message());
  // Instances silent for two lease periods are dead; their leases stay until someone takes them.
  if (auto s = db_.exec("DELETE FROM instances WHERE heartbeat_at < " + sqlNowPlus(db_, -2 * ttl_)); !s)
    return Status::error("cannot remove dead instances" + where + ": " + s.message());
  auto same = db_.prepare("SELECT host, pid, heartbeat_at FROM instances WHERE instance_id = ?1");
  if (!same) return same.status();
  same->bind(1, instance_id_);
  if (same->step() == Step::Row) {
    const std::string host = same->columnText(0);
    const int64_t pid = same->columnInt(1);
    // A crashed predecessor on this machine (a restart under a configured id) hands over; anyone
    // else with this id is a second daemon configured alike, which would share our leases.
    const bool predecessor = host == host_ && (pid == pid_ || !processRunning(pid));
    if (!predecessor)
      return Status::error("instance_id '" + instance_id_ + "' is in use by a live instance (host " + host + ", pid " +
                           std::to_string(pid) + ", last heartbeat " + same->columnText(2) + ")" + where +
                           "; give each abmd its own \"instance_id\" in its daemon config, or leave the key out "
                           "(the default is <host>:<pid>)");
  }
  if (auto s = same->status(); !s) return Status::error("cannot read the instances" + where + ": " + s.message());
  same->reset();
  auto reg = db_.prepare(
      "INSERT INTO instances(instance_id, host, pid, version, started_at, heartbeat_at)"
      " VALUES(?1, ?2, ?3, ?4, " + sqlNow(db_) + ", " + sqlNow(db_) + ")"
      " ON CONFLICT(instance_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,"
      " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at RETURNING started_at");
  if (!reg) return reg.status();
  reg->bind(1, instance_id_);
  reg->bind(2, host_);
  reg->bind(3, pid_);
  reg->bind(4, ABMD_VERSION);
  if (reg->step() != Step::Row)
    return Status::error("cannot register instance " + instance_id_ + where + ": " + reg->status().message());
  started_at_ = reg->columnText(0);
  reg->reset();
  // What an earlier process under this id held is free now: it cannot be working on it.
  auto mine = db_.prepare("DELETE FROM leases WHERE holder = ?1");
  if (!mine) return mine.status();
  mine->bind(1, instance_id_);
  if (auto s = mine->run(); !s) return Status::error("cannot release the leases of " + instance_id_ + where + ": " + s.message());
  if (auto s = tx.commit(); !s) return Status::error("cannot register instance " + instance_id_ + where + ": " + s.message());
  registered_ = true;
  return Status::ok();
}

Result<bool> LeaseKeeper::acquire(const std::string& resource, LostCallback on_lost) {
  std::lock_guard lock(mu_);
  if (auto it = held_.find(resource); it != held_.end()) {
    if (on_lost) it->second.on_lost = std::move(on_lost);
    return true;
  }
  if (auto s = reconnect(); !s) return s;
  const auto asked = Clock::now();
  const std::string now = sqlNow(db_);
  // One conditional upsert: free, expired or ours is taken; anything else returns no row. It runs
  // in a write transaction so that it lands between the store's writes, never inside one (see
  // leaseHolder).
  const std::string sql =
      "INSERT INTO leases(resource, holder, acquired_at, renewed_at, expires_at) VALUES(?1, ?2, " + now + ", " + now +
      ", " + sqlNowPlus(db_, ttl_) + ") ON CONFLICT(resource) DO UPDATE SET holder = excluded.holder,"
      " acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at"
      " WHERE leases.expires_at < " + now + " OR leases.holder = excluded.holder RETURNING holder";
  auto fail = [&](const Status& s) {
    db_broken_ = true;
    return Status::error("cannot take the lease " + resource + " in store " + db_.path() + ": " + s.message());
  };
  Transaction tx(db_);
  if (auto s = tx.begin(); !s) return fail(s);
  auto q = db_.prepare(sql);
  if (!q) return fail(q.status());
  q->bind(1, resource);
  q->bind(2, instance_id_);
  const Step step = q->step();
  if (step == Step::Error) return fail(q->status());
  const bool taken = step == Step::Row;
  q->reset();
  if (auto s = tx.commit(); !s) return fail(s);
  if (taken) held_[resource] = Held{std::move(on_lost), asked};
  return taken;
}

void LeaseKeeper::release(const std::string& resource) {
  {
    std::lock_guard lock(mu_);
    if (held_.erase(resource) > 0 && reconnect()) {
      auto q = db_.prepare("DELETE FROM leases WHERE resource = ?1 AND holder = ?2");
      Status s = q.status();
      if (q) {
        q->bind(1, resource);
        q->bind(2, instance_id_);
        s = q->run();
      }
      if (!s) {
        db_broken_ = true;
        warn("cannot give back the lease " + resource + " (it expires within " + std::to_string(ttl_.count()) +
             "s instead): " + s.message());
      }
    }
  }
  // A lost callback already under way finishes before the caller tears down what it uses.
  std::lock_guard wait_for_callbacks(dispatch_mu_);
}

bool LeaseKeeper::holds(const std::string& resource) const {
  std::lock_guard lock(mu_);
  return held_.count(resource) > 0;
}

void LeaseKeeper::loop() {
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) / 3;
  for (;;) {
    {
      std::unique_lock lock(wake_mu_);
      if (wake_.wait_for(lock, period, [this] { return stopping_; })) return;
    }
    if (auto crash = catchAll([this] { renewRound(); }); !crash.empty()) warn("lease renewal: " + crash);
  }
}

Status LeaseKeeper::reconnect() {
  if (!db_broken_) return Status::ok();
  auto db = Database::open(where_);
  if (!db) return db.status();
  db_ = std::move(*db);
  db_broken_ = false;
  return Status::ok();
}

Status LeaseKeeper::heartbeat() {
  // The row comes back if another instance removed it as dead while this one could not write.
  auto q = db_.prepare(
      "INSERT INTO instances(instance_id, host, pid, version, started_at, heartbeat_at) VALUES(?1, ?2, ?3, ?4, ?5, " +
      sqlNow(db_) + ") ON CONFLICT(instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
                    " WHERE instances.host = excluded.host AND instances.pid = excluded.pid");
  if (!q) return q.status();
  q->bind(1, instance_id_);
  q->bind(2, host_);
  q->bind(3, pid_);
  q->bind(4, ABMD_VERSION);
  q->bind(5, started_at_);
  return q->run();
}

void LeaseKeeper::renewRound() {
  struct Lost {
    std::string resource, why;
    LostCallback on_lost;
  };
  std::vector<Lost> lost;
  std::unique_lock lock(mu_);
  const auto now = Clock::now();
  const auto period = std::chrono::duration_cast<Clock::duration>(ttl_) / 3;
  std::string trouble;
  if (auto s = reconnect(); !s) trouble = s.message();
  if (trouble.empty())
    if (auto s = heartbeat(); !s) trouble = "heartbeat: " + s.message();
  Result<Statement> renew = Status::error(trouble);
  if (trouble.empty()) {
    renew = db_.prepare("UPDATE leases SET renewed_at = " + sqlNow(db_) + ", expires_at = " + sqlNowPlus(db_, ttl_) +
                        " WHERE resource = ?1 AND holder = ?2 RETURNING resource");
    if (!renew) trouble = renew.error();
  }
  for (auto it = held_.begin(); it != held_.end();) {
    std::string why;
    if (renew) {
      renew->bind(1, it->first);
      renew->bind(2, instance_id_);
      const Step step = renew->step();
      if (step == Step::Row) {
        it->second.renewed = now;
      } else if (step == Step::Done) {
        auto current = readLease(db_, it->first);
        why = current && *current ? "taken by " + (*current)->holder : "removed from the store";
      } else {
        trouble = renew->status().message();
      }
      renew->reset();
    }
    // Not renewed before the next round could try: others may take it by then.
    if (why.empty() && now - it->second.renewed + period >= ttl_)
      why = "not renewed for " + std::to_string(ttl_.count()) + "s (" + (trouble.empty() ? "no answer" : trouble) + ")";
    if (why.empty()) {
      ++it;
      continue;
    }
    lost.push_back({it->first, std::move(why), std::move(it->second.on_lost)});
    it = held_.erase(it);
  }
  if (!trouble.empty()) {
    db_broken_ = true;
    if (!warned_) warn("cannot renew the heartbeat and leases of instance " + instance_id_ + " in store " + where_.describe() +
                       " (retrying every " + std::to_string(ttl_.count() / 3) + "s): " + trouble);
    warned_ = true;
  } else {
    warned_ = false;
  }
  if (lost.empty()) return;
  std::unique_lock dispatching(dispatch_mu_);
  lock.unlock();
  for (auto& l : lost) {
    if (l.on_lost) l.on_lost(l.resource, l.why);
    if (hooks_.on_lost) hooks_.on_lost(l.resource, l.why);
  }
}

void LeaseKeeper::warn(const std::string& message) {
  if (hooks_.on_warning) hooks_.on_warning(message);
}

void LeaseKeeper::stop() {
  if (stopped_.exchange(true)) return;
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!registered_) return;
  std::lock_guard lock(mu_);
  held_.clear();
  Status s = reconnect();
  if (s) s = [&]() -> Status {
    auto leases = db_.prepare("DELETE FROM leases WHERE holder = ?1");
    if (!leases) return leases.status();
    leases->bind(1, instance_id_);
    if (auto r = leases->run(); !r) return r;
    auto me = db_.prepare("DELETE FROM instances WHERE instance_id = ?1 AND host = ?2 AND pid = ?3");
    if (!me) return me.status();
    me->bind(1, instance_id_);
    me->bind(2, host_);
    me->bind(3, pid_);
    return me->run();
  }();
  if (!s)
    warn("cannot give back the leases of instance " + instance_id_ + " (they expire within " +
         std::to_string(ttl_.count()) + "s instead): " + s.message());
}

Result<std::optional<std::string>> leaseHolder(Database& db, const std::string& resource) {
  auto q = db.prepare("SELECT holder FROM leases WHERE resource = ?1");
  if (!q) return q.status();
  q->bind(1, resource);
  std::optional<std::string> holder;
  if (q->step() == Step::Row) holder = q->columnText(0);
  if (auto s = q->status(); !s) return Status::error("cannot read the lease " + resource + ": " + s.message());
  return holder;
}

}  // namespace abm::store
