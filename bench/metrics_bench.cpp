// metrics_bench: the whole metrics stage over a large store (default 10,000,000 touchpoints,
// 100,000 accounts, 50,000 opportunities), with the time of each part, beside a reference measured
// in the same run: one plain scan of the touchpoints in the order the stage reads them.
//
// Usage: metrics_bench [--store URL] [--touchpoints N] [--accounts N] [--opportunities N] [--keep DIR]
//                      [--shards N] [--instances N]
//
// --instances N runs every cycle with N instances at once (threads of this process, each with an
// instance id and lease keeper of its own, as N daemons sharing the store would): one opens the
// cycle, the others join it, and the time is until the last of them is done.
//
// The store is an SQLite file in a temporary folder (or in --keep DIR, kept for the next run) unless
// --store names one, or ABMD_BENCH_PG_URL holds a PostgreSQL URL ("postgresql://user@host/db"; an
// empty database, the schema is applied). A store that already holds touchpoints is measured as it
// is, without generating; a PostgreSQL database is never dropped, so a second run reuses its data.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>
#include <sys/resource.h>

#include "common/rng.hpp"
#include "common/timestamp.hpp"
#include "metrics/metrics_stage.hpp"
#include "store/lease_keeper.hpp"
#include "store/location.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"
#include "store/touchpoint_batch.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A benchmark that lost a write would time the wrong thing: any error ends it.
void check(const abm::Status& s) {
  if (s) return;
  std::fprintf(stderr, "bench: %s\n", s.message().c_str());
  std::exit(1);
}

using abm::Rng;

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

// Writes a store with the given sizes straight through the store interface (the ingest path has its
// own bench).
void generate(abm::store::Database& db, long touchpoints, long accounts, long opportunities) {
  Rng rng{42};
  const int64_t end = *abm::parseTimestamp("2026-10-31T00:00:00Z");
  const int64_t span = 2 * 365 * 86400;
  check(db.beginWrite());
  auto acc = db.prepare("INSERT INTO accounts(account_id, name, domain, is_target, created_at, updated_at)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?5)");
  check(acc.status());
  const std::string created = abm::formatTimestamp(end - span - 86400);
  for (long a = 1; a <= accounts; ++a) {
    acc->bind(1, static_cast<int64_t>(a));
    acc->bind(2, "Account " + std::to_string(a));
    acc->bind(3, "a" + std::to_string(a) + ".example");
    acc->bind(4, rng.unit() < 0.3 ? 1 : 0);
    acc->bind(5, created);
    check(acc->run());
  }
  auto con = db.prepare("INSERT INTO contacts(contact_id, account_id, source, external_id, email, buying_role,"
                        " created_at, updated_at) VALUES(?1, ?2, 'bench', ?3, ?4, 'champion', ?5, ?5)");
  check(con.status());
  const long contacts = accounts * 4;
  for (long c = 1; c <= contacts; ++c) {
    const long account = (c - 1) / 4 + 1;
    con->bind(1, static_cast<int64_t>(c));
    con->bind(2, static_cast<int64_t>(account));
    con->bind(3, std::to_string(c));
    con->bind(4, "c" + std::to_string(c) + "@a" + std::to_string(account) + ".example");
    con->bind(5, abm::formatTimestamp(end - span + static_cast<int64_t>(rng.unit() * span)));
    check(con->run());
  }
  auto opp = db.prepare("INSERT INTO opportunities(account_id, source, external_id, amount, is_closed, is_won,"
                        " created_at, closed_at, updated_at) VALUES(?1, 'bench', ?2, ?3, ?4, ?5, ?6, ?7, ?6)");
  check(opp.status());
  for (long o = 1; o <= opportunities; ++o) {
    const int64_t created_t = end - span / 2 + static_cast<int64_t>(rng.unit() * span / 2);
    const int64_t closed_t = created_t + 30 * 86400 + static_cast<int64_t>(rng.unit() * 90 * 86400);
    const bool closed = closed_t < end, won = closed && rng.unit() < 0.35;
    opp->bind(1, static_cast<int64_t>(1 + rng.next() % static_cast<uint64_t>(accounts)));
    opp->bind(2, "o" + std::to_string(o));
    opp->bind(3, 5000.0 + std::floor(rng.unit() * 100000));
    opp->bind(4, closed ? 1 : 0);
    opp->bind(5, won ? 1 : 0);
    opp->bind(6, abm::formatTimestamp(created_t));
    if (closed) opp->bind(7, abm::formatTimestamp(closed_t));
    else opp->bindNull(7);
    check(opp->run());
  }
  static const char* kActs[][2] = {{"email", "email_send"}, {"email", "email_open"},     {"email", "email_click"},
                                   {"ads", "ad_impression"}, {"ads", "ad_click"},        {"web", "page_view"},
                                   {"web", "form_submit"},   {"event", "webinar_attend"}, {"sales", "meeting"},
                                   {"sales", "call"},        {"social", "social_engagement"}};
  // Through the store's touchpoint batches: COPY and merge on PostgreSQL (whose partitions need the
  // merge), one prepared upsert per row on SQLite. Made before the first write transaction.
  check(db.exec("COMMIT"));
  abm::store::TouchpointBatch batch(db, "bench");
  check(batch.prepare());
  check(db.beginWrite());
  std::vector<std::pair<std::string, int64_t>> no_ids;
  // Touches arrive in time order, mixed across accounts, as syncs deliver them.
  for (long i = 0; i < touchpoints; ++i) {
    const int64_t t = end - span + static_cast<int64_t>(static_cast<double>(i) / static_cast<double>(touchpoints) * span);
    // A skewed spread: some accounts are far busier than others.
    const double u = rng.unit();
    const int64_t account = std::min<int64_t>(1 + static_cast<int64_t>(u * u * static_cast<double>(accounts)), accounts);
    const auto* act = kActs[rng.next() % 11];
    abm::store::TouchpointRow r;
    r.account_id = account;
    if (rng.unit() < 0.6) r.contact_id = (account - 1) * 4 + 1 + static_cast<int64_t>(rng.next() % 4);
    r.external_id = "t" + std::to_string(i);
    r.channel = act[0];
    r.activity = act[1];
    r.occurred_at = abm::formatTimestamp(t);
    batch.add(std::move(r));
    if (batch.size() == 50'000) check(batch.flush(no_ids));
    if (i % 1000000 == 999999) {
      check(batch.flush(no_ids));
      check(db.exec("COMMIT"));
      check(db.beginWrite());
    }
  }
  check(batch.flush(no_ids));
  check(db.exec("COMMIT"));
}

}  // namespace

int main(int argc, char** argv) {
  long touchpoints = 10'000'000, accounts = 100'000, opportunities = 50'000;
  std::string keep, url;
  int shards = 0;  // the store's default
  int instances = 1;
  if (const char* env = std::getenv("ABMD_BENCH_PG_URL"); env && *env) url = env;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--touchpoints") touchpoints = std::stol(argv[i + 1]);
    else if (a == "--accounts") accounts = std::stol(argv[i + 1]);
    else if (a == "--opportunities") opportunities = std::stol(argv[i + 1]);
    else if (a == "--keep") keep = argv[i + 1];
    else if (a == "--store") url = argv[i + 1];
    else if (a == "--shards") shards = std::stoi(argv[i + 1]);
    else if (a == "--instances") instances = std::max(1, std::stoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "bench: unknown option %s (see the usage at the top of bench/metrics_bench.cpp)\n", a.c_str());
      return 2;
    }
  }
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / "abmd-metrics-bench" : fs::path(keep);
  if (url.empty()) {
    fs::create_directories(dir);
    url = "sqlite://" + (dir / "abm.db").string();
  }
  auto where = abm::store::parseLocation(url, fs::current_path());
  check(where.status());
  const bool sqlite = where->backend == abm::store::Backend::Sqlite;
  std::printf("store: %s\n", where->describe().c_str());
  {
    auto db = abm::store::Database::open(*where);
    check(db.status());
    check(abm::store::applyMigrations(*db, ABMD_BENCH_SCHEMA_DIR));
    auto n = db->prepare("SELECT count(*) FROM touchpoints");
    check(n.status());
    const bool empty = n->step() == abm::store::Statement::Step::Row && n->columnInt(0) == 0;
    check(n->status());
    n->reset();
    if (empty) {
      const auto t0 = Clock::now();
      generate(*db, touchpoints, accounts, opportunities);
      std::printf("generated %ld touchpoints, %ld accounts, %ld opportunities in %.1fs\n", touchpoints, accounts,
                  opportunities, seconds(t0));
    }
    auto a = db->prepare("SELECT count(*) FROM accounts");
    check(a.status());
    if (a->step() == abm::store::Statement::Step::Row) accounts = static_cast<long>(a->columnInt(0));
    check(a->status());
  }
  // Reference: one scan of the touchpoints in the stage's order, doing nothing with them.
  {
    auto r = abm::store::Database::open(*where, true);
    check(r.status());
    auto q = r->prepare("SELECT account_id, touchpoint_id, occurred_at, channel, activity, quantity,"
                        " coalesce(contact_id, 0), coalesce(campaign_id, 0) FROM touchpoints WHERE account_id IS NOT NULL"
                        " ORDER BY account_id, occurred_at, touchpoint_id");
    check(q.status());
    const auto t0 = Clock::now();
    long n = 0;
    while (q->step() == abm::store::Statement::Step::Row) ++n;
    check(q->status());
    std::printf("reference: scanning %ld touchpoints in account order: %.2fs\n", n, seconds(t0));
  }
  abm::metrics::MetricsSettings settings;
  settings.shards = shards;  // one instance computes them one after another: less held in memory at a time
  const int64_t as_of = *abm::parseTimestamp("2026-10-31T00:00:00Z");
  // One cycle computed by `instances` instances at once; prints what each did and the wall time.
  std::vector<std::unique_ptr<abm::store::LeaseKeeper>> keepers;
  for (int i = 0; i < instances; ++i) {
    auto k = abm::store::LeaseKeeper::start(*where, "bench-" + std::to_string(i + 1), std::chrono::seconds(60));
    check(k.status());
    keepers.push_back(std::move(*k));
  }
  auto cycle = [&](const char* what, int64_t at, bool full) {
    std::vector<abm::Result<abm::metrics::MetricsSummary>> out(static_cast<size_t>(instances),
                                                                abm::Status::error("not run"));
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < instances; ++i)
      threads.emplace_back([&, i] {
        out[static_cast<size_t>(i)] = abm::metrics::runMetrics(*where, settings, at, full, keepers[static_cast<size_t>(i)].get());
      });
    for (auto& t : threads) t.join();
    const double wall = seconds(t0);
    for (int i = 0; i < instances; ++i) {
      auto& o = out[static_cast<size_t>(i)];
      if (!o) {
        std::fprintf(stderr, "instance %d: %s\n", i + 1, o.error().c_str());
        std::exit(1);
      }
      std::printf("%s, instance %d of %d: %s\n", what, i + 1, instances, (*o).describe().c_str());
    }
    std::printf("%s: %.2fs with %d instance(s)\n", what, wall, instances);
  };
  cycle("full run 1", as_of, true);
  cycle("full run 2", as_of, true);
  // A small sync: 1,000 new touchpoints on 100 accounts, marked dirty as the store writer marks them,
  // then the stage a day later.
  {
    auto w = abm::store::Database::open(*where);
    check(w.status());
    check(w->beginWrite());
    auto tp = w->prepare(w->touchpointUpsertSql());
    check(tp.status());
    auto dirty = w->prepare("INSERT INTO metrics_dirty_accounts(account_id) VALUES(?1) ON CONFLICT DO NOTHING");
    check(dirty.status());
    Rng rng{7};
    for (int i = 0; i < 1000; ++i) {
      const int64_t account = 1 + static_cast<int64_t>(rng.next() % 100) * std::max<long>(1, accounts / 100);
      tp->bind(1, account);
      tp->bindNull(2);
      tp->bindNull(3);
      tp->bindStatic(4, "small-sync");
      tp->bind(5, "s" + std::to_string(i));
      tp->bindStatic(6, "web");
      tp->bindStatic(7, "form_submit");
      tp->bind(8, abm::formatTimestamp(as_of + 3600 + i));
      tp->bindNull(9);
      tp->bindNull(10);
      tp->bindNull(11);
      tp->bind(12, 0);
      check(tp->run());
      dirty->bind(1, account);
      check(dirty->run());
    }
    check(w->exec("COMMIT"));
  }
  cycle("after a small sync", as_of + 86400, false);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS: %ld MiB; target: under 30 s for 10M touchpoints\n", ru.ru_maxrss / 1024);
  if (sqlite && keep.empty() && url.rfind("sqlite://" + dir.string(), 0) == 0) fs::remove_all(dir);
  return 0;
}
