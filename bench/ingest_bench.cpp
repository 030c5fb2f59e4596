// ingest_bench: end-to-end ingest speed of abmd against what SQLite itself takes.
//
//   reference: the same touchpoint rows, already parsed and resolved in memory, upserted straight
//              into the same schema through one reused prepared statement, 50,000 rows per
//              transaction, same pragmas. No parsing, no validation, no identity, no processes.
//   abmd:      `abmctl sync` of the generated CSV files: csv plugin in a worker process, NDJSON over
//              a pipe, validation, identity resolution, upserts and checkpoints.
//
// Usage: ingest_bench [--touchpoints N] [--repeat R]. Prints rows/s for both and their ratio.
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
#include <string>
#include <unordered_map>
#include <vector>

#include "csv_reader.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A benchmark that lost a write would time the wrong thing: any error ends it.
void check(const abm::Status& s) {
  if (s) return;
  std::fprintf(stderr, "bench: %s\n", s.message().c_str());
  std::exit(1);
}

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

struct TouchRow {
  int64_t account_id;
  std::string external_id, channel, activity, occurred_at;
};

std::vector<TouchRow> loadTouchpoints(const fs::path& csv) {
  abm::csv::CsvReader r;
  r.open(csv.string(), ',');
  std::vector<std::string_view> f;
  std::string err;
  r.next(f, err);  // header
  std::vector<TouchRow> rows;
  std::unordered_map<std::string, int64_t> accounts;
  while (r.next(f, err) == abm::csv::CsvReader::Result::Record) {
    auto [it, fresh] = accounts.try_emplace(std::string(f[1]), static_cast<int64_t>(accounts.size() + 1));
    rows.push_back({it->second, std::string(f[0]), std::string(f[4]), std::string(f[5]), std::string(f[6])});
  }
  return rows;
}

double referenceSeconds(const std::vector<TouchRow>& rows, const fs::path& db_path) {
  fs::remove(db_path);
  auto db = abm::store::Database::open(db_path.string());
  check(abm::store::applyMigrations(*db, ABMD_BENCH_SCHEMA_DIR));
  auto st = db->prepare(
      "INSERT INTO touchpoints(account_id, contact_id, campaign_id, source, external_id, channel, activity,"
      " occurred_at, quantity, properties) VALUES(?1, NULL, NULL, 'bench', ?2, ?3, ?4, ?5, 1, '{}')"
      " ON CONFLICT(source, external_id) DO UPDATE SET account_id = excluded.account_id,"
      " channel = excluded.channel, activity = excluded.activity, occurred_at = excluded.occurred_at");
  const auto t0 = Clock::now();
  check(db->exec("BEGIN IMMEDIATE"));
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    st->bind(1, r.account_id);
    st->bindStatic(2, r.external_id);
    st->bindStatic(3, r.channel);
    st->bindStatic(4, r.activity);
    st->bindStatic(5, r.occurred_at);
    check(st->run());
    if (i % 50000 == 49999) {
      check(db->exec("COMMIT"));
      check(db->exec("BEGIN IMMEDIATE"));
    }
  }
  check(db->exec("COMMIT"));
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  long touchpoints = 1000000;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--touchpoints" && i + 1 < argc) touchpoints = std::stol(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: ingest_bench [--touchpoints N] [--repeat R]\n");
      return 2;
    }
  }
  const fs::path bin = ABMD_BENCH_BIN_DIR;
  const fs::path dir = fs::temp_directory_path() / ("abmd-ingest-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir / "connectors.d");
  const long accounts = std::max(100L, touchpoints / 500);
  if (runCommand((bin / "abm-demo-gen").string() + " " + (dir / "data").string() + " --accounts " +
                 std::to_string(accounts) + " --touchpoints " + std::to_string(touchpoints) + " > /dev/null") != 0)
    return 1;
  std::ofstream(dir / "abmd.json") << R"({"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "log_level": "warn"})";
  std::ofstream(dir / "connectors.d/bench.json")
      << R"({"name": "bench", "plugin": "csv", "schedule": "every 1h", "settings": {"path": "../data", "checkpoint_every": 50000}})";

  // Peak memory first, while this process is still small: a spawned child's high-water mark starts
  // from the parent's pages until it execs.
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
