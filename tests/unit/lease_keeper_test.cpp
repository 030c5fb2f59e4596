// LeaseKeeper against a real store: instances that register and heartbeat, leases taken only when
// free, expired or already ours, renewed while held, lost (with a callback) when taken, and given
// back on stop; two keepers racing for one lease never both win. The SQL here is the dialect both
// backends share, with the store's clock from store/db_clock.hpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <mutex>
#include <thread>

#include "common/timestamp.hpp"
#include "store/db_clock.hpp"
#include "store/instances.hpp"
#include "store/lease_keeper.hpp"
#include "store_under_test.hpp"

using namespace abm;
using namespace std::chrono_literals;
using store::LeaseKeeper;

namespace {

// A pid no process has: above Linux's largest pid_max.
constexpr int64_t kEndedPid = 999'999'999;

class LeaseKeeperTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
  }
  const store::Location& where() const { return store_.where(); }

  std::unique_ptr<LeaseKeeper> keeper(const std::string& id, std::chrono::seconds ttl = 3s,
                                      LeaseKeeper::Hooks hooks = {}) {
    auto k = LeaseKeeper::start(where(), id, ttl, std::move(hooks));
    EXPECT_TRUE(k) << k.error();
    return k ? std::move(*k) : nullptr;
  }
  void exec(const std::string& sql) { ASSERT_TRUE(db_->exec(sql)) << sql; }
  std::string text(const std::string& sql) { return test::scalar(*db_, sql); }
  int64_t count(const std::string& sql) { return std::stoll(text(sql)); }
  std::string holderOf(const std::string& resource) {
    return text("SELECT holder FROM leases WHERE resource = '" + resource + "'");
  }
  // A lease of someone else that expires `from_now` (negative: already expired).
  void foreignLease(const std::string& resource, const std::string& holder, std::chrono::seconds from_now) {
    exec("INSERT INTO leases(resource, holder, acquired_at, renewed_at, expires_at) VALUES('" + resource + "', '" +
         holder + "', " + store::sqlNow(*db_) + ", " + store::sqlNow(*db_) + ", " + store::sqlNowPlus(*db_, from_now) +
         ")");
  }
  std::string now() { return text("SELECT " + store::sqlNow(*db_)); }

  test::StoreUnderTest store_{GetParam()};
  std::unique_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LeaseKeeperTest, test::kStoreBackends, test::backendName);

TEST_P(LeaseKeeperTest, AnInstanceRegistersAndHeartbeats) {
  auto a = keeper("node-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(text("SELECT host || '|' || pid || '|' || version FROM instances WHERE instance_id = 'node-a'"),
            store::hostName() + "|" + std::to_string(::getpid()) + "|" + ABMD_VERSION);
  const std::string first = text("SELECT heartbeat_at FROM instances WHERE instance_id = 'node-a'");
  EXPECT_TRUE(test::waitFor([&] { return text("SELECT heartbeat_at FROM instances WHERE instance_id = 'node-a'") > first; }, 10s));
  auto listed = store::listInstances(*db_, a->ttl());
  ASSERT_TRUE(listed) << listed.error();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].instance_id, "node-a");
  EXPECT_TRUE((*listed)[0].live);
}

TEST_P(LeaseKeeperTest, ALeaseIsTakenWhenFreeAndRefusedWhileAnotherHolds) {
  auto a = keeper("node-a");
  auto b = keeper("node-b");
  ASSERT_TRUE(a && b);
  auto got = a->acquire("connector:crm");
  ASSERT_TRUE(got) << got.error();
  EXPECT_TRUE(*got);
  EXPECT_TRUE(a->holds("connector:crm"));
  EXPECT_EQ(holderOf("connector:crm"), "node-a");
  auto refused = b->acquire("connector:crm");
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_FALSE(*refused);
  EXPECT_FALSE(b->holds("connector:crm"));
  EXPECT_TRUE(*a->acquire("connector:crm")) << "already ours";
  EXPECT_TRUE(*b->acquire("connector:ads")) << "another resource is free";

  a->release("connector:crm");
  EXPECT_FALSE(a->holds("connector:crm"));
  EXPECT_EQ(count("SELECT count(*) FROM leases WHERE resource = 'connector:crm'"), 0);
  EXPECT_TRUE(*b->acquire("connector:crm"));
  EXPECT_EQ(holderOf("connector:crm"), "node-b");
  auto holder = store::leaseHolder(*db_, "connector:crm");
  ASSERT_TRUE(holder) << holder.error();
  EXPECT_EQ(*holder, std::optional<std::string>("node-b"));
  EXPECT_EQ(*store::leaseHolder(*db_, "connector:web"), std::nullopt);
}

// A lease taken after waiting longer than its ttl for the writers' turn (a long sync commit on
// another instance) is dated when it is written, not when its transaction began: it must not be
// written already expired, for another instance to take at once. (acquired_at, which renewals
// leave alone, tells; expires_at is renewed within ttl/3.)
TEST_P(LeaseKeeperTest, ALeaseTakenAfterAWaitForTheWritersIsDatedAfterTheWait) {
  auto a = keeper("node-a", 2s);
  ASSERT_TRUE(a);
  auto writer = store_.open();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->beginWrite());  // SQLite's write lock, PostgreSQL's writers' advisory lock
  std::string writer_done;
  std::thread commit([&] {
    std::this_thread::sleep_for(3s);  // longer than the ttl
    writer_done = now();              // the store's clock, outside any transaction
    (void)writer->exec("COMMIT");
  });
  auto got = a->acquire("connector:crm");
  commit.join();
  ASSERT_TRUE(got) << got.error();
  ASSERT_TRUE(*got);
  EXPECT_GE(text("SELECT acquired_at FROM leases WHERE resource = 'connector:crm'"), writer_done);
}

TEST_P(LeaseKeeperTest, AnExpiredLeaseOfAnotherHolderIsTaken) {
  auto a = keeper("node-a");
  ASSERT_TRUE(a);
  foreignLease("connector:crm", "dead-node:1", -10s);
  EXPECT_TRUE(*a->acquire("connector:crm"));
  EXPECT_EQ(holderOf("connector:crm"), "node-a");
  // One that is still live is refused until its holder stops renewing it long enough.
  foreignLease("connector:ads", "quiet-node:2", 2s);
  EXPECT_FALSE(*a->acquire("connector:ads"));
  EXPECT_EQ(holderOf("connector:ads"), "quiet-node:2");
  EXPECT_TRUE(test::waitFor([&] { return *a->acquire("connector:ads"); }, 10s));
  EXPECT_EQ(holderOf("connector:ads"), "node-a");
}

TEST_P(LeaseKeeperTest, AHeldLeaseIsRenewedPastItsTtl) {
  auto a = keeper("node-a", 3s);
  auto b = keeper("node-b", 3s);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(*a->acquire("connector:crm"));
  const std::string first_expiry = text("SELECT expires_at FROM leases WHERE resource = 'connector:crm'");
  EXPECT_TRUE(test::waitFor([&] { return text("SELECT expires_at FROM leases WHERE resource = 'connector:crm'") > first_expiry; }, 10s));
  // Past the first expiry, the lease is still A's.
  ASSERT_TRUE(test::waitFor([&] { return now() > first_expiry; }, 10s));
  EXPECT_FALSE(*b->acquire("connector:crm"));
  EXPECT_TRUE(a->holds("connector:crm"));
}

TEST_P(LeaseKeeperTest, ALeaseTakenByAnotherHolderIsLostAndTheCallbackSaysWho) {
  std::mutex mu;
  std::vector<std::string> lost, lost_hook;
  LeaseKeeper::Hooks hooks;
  hooks.on_lost = [&](const std::string& r, const std::string& why) {
    std::lock_guard l(mu);
    lost_hook.push_back(r + " " + why);
  };
  auto a = keeper("node-a", 3s, hooks);
  auto b = keeper("node-b", 3s);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(*a->acquire("connector:crm", [&](const std::string& r, const std::string& why) {
    std::lock_guard l(mu);
    lost.push_back(r + " " + why);
  }));
  // A stops renewing in time (as if paused): its lease expires and B takes it.
  ASSERT_TRUE(test::waitFor([&] {
    exec("UPDATE leases SET expires_at = " + store::sqlNowPlus(*db_, -5s) + " WHERE resource = 'connector:crm'");
    return *b->acquire("connector:crm");
  }, 10s));
  EXPECT_TRUE(test::waitFor([&] {
    std::lock_guard l(mu);
    return !lost.empty();
  }, 10s));
  std::lock_guard l(mu);
  EXPECT_EQ(lost, (std::vector<std::string>{"connector:crm taken by node-b"}));
  EXPECT_EQ(lost_hook, lost);
  EXPECT_FALSE(a->holds("connector:crm"));
  EXPECT_EQ(holderOf("connector:crm"), "node-b") << "the loser never writes the lease back";
}

TEST_P(LeaseKeeperTest, ALeaseRemovedFromTheStoreIsLost) {
  std::atomic<bool> lost{false};
  std::string why;
  auto a = keeper("node-a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(*a->acquire("connector:crm", [&](const std::string&, const std::string& w) {
    why = w;
    lost = true;
  }));
  exec("DELETE FROM leases");
  ASSERT_TRUE(test::waitFor([&] { return lost.load(); }, 10s));
  EXPECT_EQ(why, "removed from the store");
  EXPECT_FALSE(a->holds("connector:crm"));
}

TEST_P(LeaseKeeperTest, ReleaseAfterALossWaitsForItsCallback) {
  std::atomic<bool> in_callback{false}, callback_done{false};
  auto a = keeper("node-a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(*a->acquire("connector:crm", [&](const std::string&, const std::string&) {
    in_callback = true;
    std::this_thread::sleep_for(300ms);  // a slow callback: release must not return under it
    callback_done = true;
  }));
  exec("DELETE FROM leases");
  ASSERT_TRUE(test::waitFor([&] { return in_callback.load(); }, 10s));
  a->release("connector:crm");
  EXPECT_TRUE(callback_done.load());
}

TEST_P(LeaseKeeperTest, StopGivesBackEveryLeaseAndLeavesTheInstancesTable) {
  auto a = keeper("node-a");
  auto b = keeper("node-b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(*a->acquire("connector:crm"));
  ASSERT_TRUE(*a->acquire("connector:ads"));
  a->stop();
  EXPECT_EQ(count("SELECT count(*) FROM leases"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM instances WHERE instance_id = 'node-a'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM instances WHERE instance_id = 'node-b'"), 1);
  EXPECT_TRUE(*b->acquire("connector:crm"));
  a->stop();  // twice is harmless
}

TEST_P(LeaseKeeperTest, TwoKeepersRacingForOneLeaseNeverBothWin) {
  auto a = keeper("node-a", 60s);
  auto b = keeper("node-b", 60s);
  ASSERT_TRUE(a && b);
  constexpr int kRounds = 150;
  std::barrier start(2);
  std::vector<int> wins(kRounds, 0);
  std::mutex mu;
  std::vector<std::string> errors;
  auto race = [&](LeaseKeeper& k) {
    for (int round = 0; round < kRounds; ++round) {
      start.arrive_and_wait();
      auto got = k.acquire("race:" + std::to_string(round));
      std::lock_guard l(mu);
      if (!got) errors.push_back(got.error());
      else if (*got) ++wins[round];
    }
  };
  std::thread ta([&] { race(*a); });
  std::thread tb([&] { race(*b); });
  ta.join();
  tb.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  for (int round = 0; round < kRounds; ++round) EXPECT_EQ(wins[round], 1) << "round " << round;
  EXPECT_EQ(count("SELECT count(*) FROM leases WHERE resource LIKE 'race:%'"), kRounds);
  EXPECT_EQ(count("SELECT count(*) FROM leases WHERE holder = 'node-a'") + count("SELECT count(*) FROM leases WHERE holder = 'node-b'"),
            kRounds);
}

TEST_P(LeaseKeeperTest, AnInstanceIdALiveInstanceUsesIsRefused) {
  exec("INSERT INTO instances VALUES('node-a', 'elsewhere', 42, '0.1', " + store::sqlNow(*db_) + ", " +
       store::sqlNow(*db_) + ")");
  auto refused = LeaseKeeper::start(where(), "node-a", 3s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("instance_id 'node-a' is in use by a live instance (host elsewhere, pid 42"),
            std::string::npos)
      << refused.error();
  EXPECT_NE(refused.error().find("give each abmd its own \"instance_id\""), std::string::npos) << refused.error();
  EXPECT_EQ(text("SELECT host FROM instances WHERE instance_id = 'node-a'"), "elsewhere") << "left alone";
}

TEST_P(LeaseKeeperTest, AStartForgetsDeadInstancesAndTakesOverFromItsCrashedPredecessor) {
  // Silent for longer than two ttls: dead, whatever its id.
  exec("INSERT INTO instances VALUES('gone-node', 'elsewhere', 42, '0.1', " + store::sqlNowPlus(*db_, -3600s) + ", " +
       store::sqlNowPlus(*db_, -3600s) + ")");
  // This machine's earlier abmd under the same configured id, killed a moment ago.
  exec("INSERT INTO instances VALUES('node-a', '" + store::hostName() + "', " + std::to_string(kEndedPid) + ", '0.1', " +
       store::sqlNow(*db_) + ", " + store::sqlNow(*db_) + ")");
  foreignLease("connector:crm", "node-a", 60s);
  foreignLease("connector:ads", "gone-node", -60s);
  auto a = keeper("node-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(count("SELECT count(*) FROM instances WHERE instance_id = 'gone-node'"), 0);
  EXPECT_EQ(text("SELECT pid FROM instances WHERE instance_id = 'node-a'"), std::to_string(::getpid()));
  EXPECT_EQ(count("SELECT count(*) FROM leases WHERE resource = 'connector:crm'"), 0) << "its predecessor's lease is given back";
  EXPECT_EQ(holderOf("connector:ads"), "gone-node") << "a dead instance's lease stays until someone takes it";
}

TEST_P(LeaseKeeperTest, EndedLocalInstancesAreReleasedOnSqliteOnly) {
  exec("INSERT INTO instances VALUES('crashed', '" + store::hostName() + "', " + std::to_string(kEndedPid) + ", '0.1', " +
       store::sqlNow(*db_) + ", " + store::sqlNow(*db_) + ")");
  exec("INSERT INTO instances VALUES('remote', 'other-host', " + std::to_string(kEndedPid) + ", '0.1', " +
       store::sqlNow(*db_) + ", " + store::sqlNow(*db_) + ")");
  foreignLease("connector:crm", "crashed", 60s);
  foreignLease("connector:ads", "remote", 60s);
  auto listed = store::listInstances(*db_, 60s);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  // On PostgreSQL another machine may carry the same host name: only the heartbeat counts there.
  for (const auto& i : *listed) EXPECT_EQ(i.live, i.instance_id == "remote" || !store_.sqlite()) << i.instance_id;
  auto ended = store::releaseEndedLocalInstances(*db_);
  ASSERT_TRUE(ended) << ended.error();
  if (store_.sqlite()) {
    EXPECT_EQ(*ended, std::vector<std::string>{"crashed"});
    EXPECT_EQ(count("SELECT count(*) FROM leases WHERE holder = 'crashed'"), 0);
  } else {
    EXPECT_TRUE(ended->empty());
    EXPECT_EQ(holderOf("connector:crm"), "crashed");
  }
  EXPECT_EQ(holderOf("connector:ads"), "remote") << "another machine's process cannot be checked";
}

}  // namespace
