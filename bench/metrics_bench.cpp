// metrics_bench: the whole metrics stage over a large store (default 10,000,000 touchpoints,
// 100,000 accounts, 50,000 opportunities), with the time of each part, beside a reference measured
// in the same run: one plain scan of the touchpoints in the order the stage reads them.
//
// Usage: metrics_bench [--touchpoints N] [--accounts N] [--opportunities N] [--keep DIR]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>

#include "common/rng.hpp"
#include "common/timestamp.hpp"
#include "metrics/metrics_stage.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"

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

// Writes a store with the given sizes straight through SQLite (the ingest path has its own bench).
void generate(const fs::path& db_path, long touchpoints, long accounts, long opportunities) {
  auto db = abm::store::Database::open(db_path.string());
  check(abm::store::applyMigrations(*db, ABMD_BENCH_SCHEMA_DIR));
  check(db->exec("PRAGMA synchronous=OFF"));
  Rng rng{42};
  const int64_t end = *abm::parseTimestamp("2026-10-31T00:00:00Z");
  const int64_t span = 2 * 365 * 86400;
  check(db->exec("BEGIN"));
  auto acc = db->prepare("INSERT INTO accounts(account_id, name, domain, is_target, created_at, updated_at)"
                         " VALUES(?1, 'Account ' || ?1, 'a' || ?1 || '.example', ?2, ?3, ?3)");
  const std::string created = abm::formatTimestamp(end - span - 86400);
  for (long a = 1; a <= accounts; ++a) {
    acc->bind(1, static_cast<int64_t>(a));
    acc->bind(2, rng.unit() < 0.3 ? 1 : 0);
    acc->bind(3, created);
    check(acc->run());
  }
  auto con = db->prepare("INSERT INTO contacts(contact_id, account_id, source, external_id, email, buying_role,"
                         " created_at, updated_at) VALUES(?1, ?2, 'bench', ?1, 'c' || ?1 || '@a' || ?2 || '.example',"
                         " 'champion', ?3, ?3)");
  const long contacts = accounts * 4;
  for (long c = 1; c <= contacts; ++c) {
    con->bind(1, static_cast<int64_t>(c));
    con->bind(2, static_cast<int64_t>((c - 1) / 4 + 1));
    con->bind(3, abm::formatTimestamp(end - span + static_cast<int64_t>(rng.unit() * span)));
    check(con->run());
  }
  auto opp = db->prepare("INSERT INTO opportunities(account_id, source, external_id, amount, is_closed, is_won,"
                         " created_at, closed_at, updated_at) VALUES(?1, 'bench', ?2, ?3, ?4, ?5, ?6, ?7, ?6)");
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
  auto tp = db->prepare("INSERT INTO touchpoints(account_id, contact_id, campaign_id, source, external_id, channel,"
                        " activity, occurred_at, quantity) VALUES(?1, ?2, NULL, 'bench', ?3, ?4, ?5, ?6, 1)");
  // Touches arrive in time order, mixed across accounts, as syncs deliver them.
  for (long i = 0; i < touchpoints; ++i) {
    const int64_t t = end - span + static_cast<int64_t>(static_cast<double>(i) / static_cast<double>(touchpoints) * span);
    // A skewed spread: some accounts are far busier than others.
    const double u = rng.unit();
    const int64_t account = 1 + static_cast<int64_t>(u * u * static_cast<double>(accounts));
    const auto* act = kActs[rng.next() % 11];
    tp->bind(1, std::min<int64_t>(account, accounts));
    if (rng.unit() < 0.6) tp->bind(2, (std::min<int64_t>(account, accounts) - 1) * 4 + 1 + static_cast<int64_t>(rng.next() % 4));
    else tp->bindNull(2);
    tp->bind(3, "t" + std::to_string(i));
    tp->bindStatic(4, act[0]);
    tp->bindStatic(5, act[1]);
    tp->bind(6, abm::formatTimestamp(t));
    check(tp->run());
    if (i % 1000000 == 999999) {
      check(db->exec("COMMIT"));
      check(db->exec("BEGIN"));
    }
  }
  check(db->exec("COMMIT"));
}

}  // namespace

int main(int argc, char** argv) {
  long touchpoints = 10'000'000, accounts = 100'000, opportunities = 50'000;
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--touchpoints") touchpoints = std::stol(argv[i + 1]);
    else if (a == "--accounts") accounts = std::stol(argv[i + 1]);
    else if (a == "--opportunities") opportunities = std::stol(argv[i + 1]);
    else if (a == "--keep") keep = argv[i + 1];
  }
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / "abmd-metrics-bench" : fs::path(keep);
  fs::create_directories(dir);
  const fs::path db = dir / "abm.db";
  if (!fs::exists(db)) {
    const auto t0 = Clock::now();
    generate(db, touchpoints, accounts, opportunities);
    std::printf("generated %ld touchpoints, %ld accounts, %ld opportunities in %.1fs\n", touchpoints, accounts,
                opportunities, seconds(t0));
  }
  // Reference: one scan of the touchpoints in the stage's order, doing nothing with them.
  {
    auto r = abm::store::Database::open(db.string(), true);
    auto q = r->prepare("SELECT account_id, touchpoint_id, occurred_at, channel, activity, quantity, contact_id,"
                        " campaign_id FROM touchpoints WHERE account_id IS NOT NULL AND occurred_at <= '9'"
                        " ORDER BY account_id, occurred_at, touchpoint_id");
    const auto t0 = Clock::now();
    long n = 0;
    while (q->step() == abm::store::Statement::Step::Row) ++n;
    if (!q->status()) std::fprintf(stderr, "%s\n", q->status().message().c_str());
    std::printf("reference: scanning %ld touchpoints in account order: %.2fs\n", n, seconds(t0));
  }
  abm::metrics::MetricsSettings settings;
  const int64_t as_of = *abm::parseTimestamp("2026-10-31T00:00:00Z");
  for (int run = 1; run <= 2; ++run) {
    auto out = abm::metrics::runMetrics(abm::store::Location::sqlite(db), settings, as_of, /*force_full=*/true);
    if (!out) {
      std::fprintf(stderr, "%s\n", out.error().c_str());
      return 1;
    }
    std::printf("full run %d: %s\n", run, out->describe().c_str());
  }
  // A small sync: 1,000 new touchpoints on 100 accounts, marked dirty as the store writer marks them,
  // then the stage a day later.
  {
    auto w = abm::store::Database::open(db.string());
    check(w->exec("BEGIN"));
    auto tp = w->prepare("INSERT INTO touchpoints(account_id, source, external_id, channel, activity, occurred_at)"
                         " VALUES(?1, 'small-sync', ?2, 'web', 'form_submit', ?3)");
    auto dirty = w->prepare("INSERT OR IGNORE INTO metrics_dirty_accounts VALUES(?1)");
    Rng rng{7};
    for (int i = 0; i < 1000; ++i) {
      const int64_t account = 1 + static_cast<int64_t>(rng.next() % 100) * (accounts / 100);
      tp->bind(1, account);
      tp->bind(2, "s" + std::to_string(i));
      tp->bind(3, abm::formatTimestamp(as_of + 3600 + i));
      check(tp->run());
      dirty->bind(1, account);
      check(dirty->run());
    }
    check(w->exec("COMMIT"));
  }
  auto inc = abm::metrics::runMetrics(abm::store::Location::sqlite(db), settings, as_of + 86400);
  if (!inc) {
    std::fprintf(stderr, "%s\n", inc.error().c_str());
    return 1;
  }
  std::printf("after a small sync: %s\n", inc->describe().c_str());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS: %ld MiB; target: under 30 s for 10M touchpoints\n", ru.ru_maxrss / 1024);
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
