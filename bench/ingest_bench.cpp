// ingest_bench: end-to-end ingest speed of abmd against what the store's engine itself takes.
//
// SQLite (the default):
//   reference: the same touchpoint rows, already parsed and resolved in memory, upserted straight
//              into the same schema through one reused prepared statement, 50,000 rows per
//              transaction, same pragmas. No parsing, no validation, no identity, no processes.
//   abmd:      `abmctl sync` of the generated CSV files: csv plugin in a worker process, NDJSON over
//              a pipe, validation, identity resolution, upserts and checkpoints.
// PostgreSQL (--store postgresql://user@host:port/db, a superuser; db is only used to connect):
//   reference: the same touchpoint rows, resolved in memory and already in COPY's text format,
//              COPYed by PostgreSQL into the `touchpoints` of a database of their own
//              (abmd_bench_reference, migrated: the same partitioned table, month partitions, indexes
//              and triggers), 50,000 rows per transaction, after making each month's partition as
//              abmd's writer does. Only `touchpoints`: no touchpoint_keys, no upsert, no identity.
//   abmd:      `abmctl sync` of the CSV files into another fresh, migrated database on the same
//              server (abmd_bench_store).
//   Both databases are dropped and made again before every run, and a CHECKPOINT precedes each.
//
// Usage: ingest_bench [--touchpoints N] [--repeat R] [--store URL]. Prints rows/s for both and their ratio.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_postgresql.hpp"
#include "csv_reader.hpp"
#include "store/db_clock.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"
#include "store/bulk_insert.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using abm::bench::check;
using abm::bench::dropDatabase;
using abm::bench::freshDatabase;
using abm::bench::number;
using abm::bench::openPostgresql;
using abm::bench::withDatabase;

int runCommand(const std::string& cmd) { return std::system(cmd.c_str()); }

// Runs abmctl through posix_spawn (no shell, no copy of this process's pages, whose RSS a fork would
// carry into the child's figure) and returns its own peak RSS in MiB.
long syncPeakRssMb(const fs::path& bin, const fs::path& config, int& status) {
  const std::string ctl = (bin / "abmctl").string(), conf = config.string();
  const char* argv[] = {ctl.c_str(), "-c", conf.c_str(), "sync", "bench", nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ) != 0) return status = 1, 0;
  posix_spawn_file_actions_destroy(&fa);
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  return ru.ru_maxrss / 1024;
}

// A touchpoint as the store holds it: references resolved to ids (numbered by first appearance, 0
// for none), the columns that are no touchpoint fields gathered into `properties`, as the csv plugin does.
struct TouchRow {
  int64_t account_id, contact_id, campaign_id;
  std::string external_id, channel, activity, occurred_at, quantity, properties;
};

// Columns of abm-demo-gen's touchpoints.csv.
enum Column { kExternalId, kAccount, kContact, kCampaign, kChannel, kActivity, kOccurredAt, kQuantity, kUrl, kUtmSource };

std::vector<TouchRow> loadTouchpoints(const fs::path& csv) {
  abm::csv::CsvReader r;
  r.open(csv.string(), ',');
  std::vector<std::string_view> f;
  std::string err;
  r.next(f, err);  // header
  std::vector<TouchRow> rows;
  std::unordered_map<std::string, int64_t> accounts, contacts, campaigns;
  auto idOf = [](std::unordered_map<std::string, int64_t>& ids, std::string_view key) -> int64_t {
    if (key.empty()) return 0;
    return ids.try_emplace(std::string(key), static_cast<int64_t>(ids.size() + 1)).first->second;
  };
  while (r.next(f, err) == abm::csv::CsvReader::Result::Record) {
    std::string properties = "{}";
    if (!f[kUrl].empty()) properties = "{\"url\": \"" + std::string(f[kUrl]) + "\"}";
    else if (!f[kUtmSource].empty()) properties = "{\"utm_source\": \"" + std::string(f[kUtmSource]) + "\"}";
    rows.push_back({idOf(accounts, f[kAccount]), idOf(contacts, f[kContact]), idOf(campaigns, f[kCampaign]),
                    std::string(f[kExternalId]), std::string(f[kChannel]), std::string(f[kActivity]),
                    std::string(f[kOccurredAt]), std::string(f[kQuantity]), std::move(properties)});
  }
  return rows;
}

double referenceSeconds(const std::vector<TouchRow>& rows, const fs::path& db_path) {
  fs::remove(db_path);
  auto db = abm::store::Database::open(db_path.string());
  check(abm::store::applyMigrations(*db, ABMD_BENCH_SCHEMA_DIR));
  auto st = db->prepare(
      "INSERT INTO touchpoints(account_id, contact_id, campaign_id, source, external_id, channel, activity,"
      " occurred_at, quantity, properties, updated_at) VALUES(?1, NULL, NULL, 'bench', ?2, ?3, ?4, ?5, 1, '{}', ?6)"
      " ON CONFLICT(source, external_id) DO UPDATE SET account_id = excluded.account_id,"
      " channel = excluded.channel, activity = excluded.activity, occurred_at = excluded.occurred_at");
  // updated_at (migration 0015), as the writer stamps it: the store's time, read once per batch.
  auto clock = db->prepare("SELECT " + abm::store::sqlChangeTime(*db));
  std::string stamp;
  auto readClock = [&] {
    if (clock->step() == abm::store::Step::Row) stamp = clock->columnText(0);
    clock->reset();
  };
  const auto t0 = Clock::now();
  check(db->exec("BEGIN IMMEDIATE"));
  readClock();
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    st->bind(1, r.account_id);
    st->bindStatic(2, r.external_id);
    st->bindStatic(3, r.channel);
    st->bindStatic(4, r.activity);
    st->bindStatic(5, r.occurred_at);
    st->bindStatic(6, stamp);
    check(st->run());
    if (i % 50000 == 49999) {
      check(db->exec("COMMIT"));
      check(db->exec("BEGIN IMMEDIATE"));
      readClock();
    }
  }
  check(db->exec("COMMIT"));
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --- PostgreSQL ---------------------------------------------------------------------------------

constexpr const char* kReferenceDb = "abmd_bench_reference";
constexpr const char* kStoreDb = "abmd_bench_store";
constexpr size_t kRowsPerCommit = 50000;  // what abmd commits: batch_records and the csv checkpoints below

void appendId(std::string& out, int64_t id) {
  if (id > 0) out += std::to_string(id);
  else out += "\\N";
}

// The rows in COPY's text format, one buffer per transaction, with the ids abmd would give them.
std::vector<std::string> copyBatches(const std::vector<TouchRow>& rows) {
  std::vector<std::string> batches;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i % kRowsPerCommit == 0) batches.emplace_back();
    std::string& out = batches.back();
    const TouchRow& r = rows[i];
    out += std::to_string(i + 1);
    for (const int64_t id : {r.account_id, r.contact_id, r.campaign_id}) {
      out += '\t';
      appendId(out, id);
    }
    out += "\tbench";
    for (const std::string* text : {&r.external_id, &r.channel, &r.activity, &r.occurred_at, &r.quantity, &r.properties}) {
      out += '\t';
      abm::store::appendCopyText(out, *text);
    }
    out += "\t\\N\tf\n";  // account_via_domain, account_via_contact: tied by the account's id
  }
  return batches;
}

// The first instant of every month the rows fall in: the partitions both sides make.
std::vector<std::string> monthsOf(const std::vector<TouchRow>& rows) {
  std::set<std::string> months;
  for (const auto& r : rows) months.insert(r.occurred_at.substr(0, 7) + "-01T00:00:00Z");
  return {months.begin(), months.end()};
}

double pgReferenceSeconds(abm::store::Database& admin, const std::string& url, size_t rows,
                          const std::vector<std::string>& batches, const std::vector<std::string>& months) {
  auto db = freshDatabase(admin, url, kReferenceDb, ABMD_BENCH_SCHEMA_DIR);
  check(admin.exec("CHECKPOINT"));
  const auto t0 = Clock::now();
  // Each month's partition in a short transaction of its own, ahead of the data, as abmd's writer makes them.
  for (const auto& m : months) check(db.exec("SELECT abm_ensure_touchpoint_partition('" + m + "')"));
  for (const auto& b : batches) {
    check(db.exec("BEGIN"));
    check(db.copyIn("COPY touchpoints (touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel,"
                    " activity, occurred_at, quantity, properties, account_via_domain, account_via_contact) FROM STDIN",
                    b));
    check(db.exec("COMMIT"));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (number(db, "SELECT count(*) FROM touchpoints") != static_cast<int64_t>(rows))
    check(abm::Status::error("the reference lost rows"));
  return seconds;
}

double pgAbmdSeconds(abm::store::Database& admin, const std::string& url, const fs::path& bin, const fs::path& config,
                     size_t rows) {
  // Migrated untimed, as the reference's database is.
  auto db = freshDatabase(admin, url, kStoreDb, ABMD_BENCH_SCHEMA_DIR);
  check(admin.exec("CHECKPOINT"));
  int status = 0;
  const auto t0 = Clock::now();
  syncPeakRssMb(bin, config, status);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (status != 0) check(abm::Status::error("abmctl sync failed"));
  if (number(db, "SELECT count(*) FROM touchpoints") != static_cast<int64_t>(rows))
    check(abm::Status::error("abmd stored another number of touchpoints than it was given"));
  return seconds;
}

// Alternates the reference and abmd `repeat` times on the server of `url`.
void runPostgresql(abm::store::Database& admin, const std::string& url, const fs::path& bin, const fs::path& dir,
                   const std::vector<TouchRow>& rows, int repeat) {
  const auto batches = copyBatches(rows);
  const auto months = monthsOf(rows);
  std::printf("store: %s and %s on %s; %zu touchpoints in %zu months, %zu rows per transaction\n", kStoreDb,
              kReferenceDb, admin.path().c_str(), rows.size(), months.size(), kRowsPerCommit);
  std::printf("%-4s %16s %16s %8s\n", "run", "COPY tp/s", "abmd tp/s", "ratio");
  double best_ratio = 0, best_abmd = 0, best_ref = 0;
  for (int i = 0; i < repeat; ++i) {
    const double ref_rate = static_cast<double>(rows.size()) / pgReferenceSeconds(admin, url, rows.size(), batches, months);
    const double our_rate = static_cast<double>(rows.size()) / pgAbmdSeconds(admin, url, bin, dir / "abmd.json", rows.size());
    std::printf("%-4d %16.0f %16.0f %8.2f\n", i + 1, ref_rate, our_rate, our_rate / ref_rate);
    std::fflush(stdout);
    if (our_rate / ref_rate > best_ratio) best_ratio = our_rate / ref_rate, best_abmd = our_rate, best_ref = ref_rate;
  }
  std::printf("best: abmd %.0f touchpoints/s end to end = %.2f x PostgreSQL's COPY (%.0f/s); target: within 2x (>= 0.50)\n",
              best_abmd, best_ratio, best_ref);
  dropDatabase(admin, kReferenceDb);
  dropDatabase(admin, kStoreDb);
}

}  // namespace

int main(int argc, char** argv) {
  long touchpoints = 1000000;
  int repeat = 3;
  std::string store_url;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--touchpoints" && i + 1 < argc) touchpoints = std::stol(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else if (a == "--store" && i + 1 < argc) store_url = argv[++i];
    else {
      std::fprintf(stderr, "usage: ingest_bench [--touchpoints N] [--repeat R] [--store postgresql://USER@HOST:PORT/DB]\n");
      return 2;
    }
  }
  const bool postgresql = !store_url.empty();
  std::optional<abm::store::Database> admin;  // the server's: makes and drops the measured databases
  if (postgresql) admin = openPostgresql(store_url);
  const fs::path bin = ABMD_BENCH_BIN_DIR;
  const fs::path dir = fs::temp_directory_path() / ("abmd-ingest-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir / "connectors.d");
  const long accounts = std::max(100L, touchpoints / 500);
  if (runCommand((bin / "abm-demo-gen").string() + " " + (dir / "data").string() + " --accounts " +
                 std::to_string(accounts) + " --touchpoints " + std::to_string(touchpoints) + " > /dev/null") != 0)
    return 1;
  if (postgresql) {
    std::ofstream(dir / "abmd.json") << R"({"store": ")" << withDatabase(store_url, kStoreDb)
                                     << R"(", "connectors_dir": "connectors.d", "connector_state_dir": "state", "log_level": "warn"})";
  } else {
    std::ofstream(dir / "abmd.json") << R"({"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "log_level": "warn"})";
  }
  std::ofstream(dir / "connectors.d/bench.json")
      << R"({"name": "bench", "plugin": "csv", "schedule": "every 1h", "settings": {"path": "../data", "checkpoint_every": 50000}})";

  // Peak memory first, while this process is still small: a spawned child's high-water mark starts
  // from the parent's pages until it execs.
  if (postgresql) freshDatabase(*admin, store_url, kStoreDb, ABMD_BENCH_SCHEMA_DIR);
  int status = 0;
  const long peak_rss_mb = syncPeakRssMb(bin, dir / "abmd.json", status);
  if (status != 0) return 1;
  const auto rows = loadTouchpoints(dir / "data/touchpoints.csv");
  int64_t total_records = 0;
  for (const char* f : {"accounts", "contacts", "opportunities", "campaigns", "touchpoints", "ad_spend"}) {
    std::ifstream in(dir / "data" / (std::string(f) + ".csv"));
    for (std::string l; std::getline(in, l);) ++total_records;
    --total_records;
  }
  std::printf("data: %zu touchpoints, %lld records in all (accounts, contacts, opportunities, campaigns, spend)\n",
              rows.size(), static_cast<long long>(total_records));
  if (postgresql) {
    runPostgresql(*admin, store_url, bin, dir, rows, repeat);
    std::printf("peak RSS of abmctl (the daemon side): %ld MiB\n", peak_rss_mb);
    fs::remove_all(dir);
    return 0;
  }
  std::printf("%-4s %16s %16s %8s\n", "run", "reference tp/s", "abmd tp/s", "ratio");
  double best_ratio = 0, best_abmd = 0, best_ref = 0;
  for (int i = 0; i < repeat; ++i) {
    const double ref = referenceSeconds(rows, dir / "ref.db");
    fs::remove(dir / "abm.db");
    fs::remove(dir / "abm.db-wal");
    const auto t0 = Clock::now();
    syncPeakRssMb(bin, dir / "abmd.json", status);
    if (status != 0) return 1;
    const double ours = std::chrono::duration<double>(Clock::now() - t0).count();
    const double ref_rate = static_cast<double>(rows.size()) / ref;
    const double our_rate = static_cast<double>(rows.size()) / ours;
    std::printf("%-4d %16.0f %16.0f %8.2f\n", i + 1, ref_rate, our_rate, our_rate / ref_rate);
    if (our_rate / ref_rate > best_ratio) best_ratio = our_rate / ref_rate, best_abmd = our_rate, best_ref = ref_rate;
  }
  std::printf("best: abmd %.0f touchpoints/s end to end = %.2f x SQLite alone (%.0f/s); target 250000/s\n", best_abmd,
              best_ratio, best_ref);
  std::printf("peak RSS of abmctl (the daemon side, 64 MiB of it SQLite's page cache): %ld MiB\n", peak_rss_mb);
  fs::remove_all(dir);
  return 0;
}
