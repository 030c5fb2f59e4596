// scale_out_bench: aggregate ingest rate of several abmd instances sharing one PostgreSQL store,
// against one instance doing the same work, in the same run: three instances syncing different
// connectors into one PostgreSQL, their aggregate rate beside one instance's.
//
//   data:      C csv connectors (default 6), each its own abm-demo-gen folder (seed c + 1) of N / C
//              touchpoints; a touchpoint is keyed by (connector, external_id), so no two connectors
//              write the same touchpoint rows (accounts of equal domains do merge, as in real life).
//   one:       one abmd daemon syncs all C connectors.
//   several:   I abmd daemons (default 3) on the same store share the C connectors through leases.
//   Each phase starts from an empty, migrated database (abmd_bench_scale_out), its daemons start
//   together, and it ends when every connector has one succeeded run; the rate is the touchpoints of
//   all connectors over that wall-clock time. Same daemon config in both phases: the default
//   max_concurrent_syncs (2), batch_records (50000) and lease_ttl (60s; an instance that found a
//   connector taken looks again after half of it, by when it has been synced), no metrics after the syncs.
//
// Usage: scale_out_bench --store postgresql://USER@HOST:PORT/DB [--touchpoints N] [--connectors C]
//                        [--instances I] [--repeat R] [--lease-ttl 60s]
// The URL's user must be able to create databases; DB is only used to connect.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_postgresql.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using abm::bench::check;

namespace {

constexpr const char* kDatabase = "abmd_bench_scale_out";

struct Setup {
  fs::path bin, dir;
  std::string admin_url, store_url;
  int connectors = 6;
  std::string lease_ttl = "60s";
};

pid_t spawnDaemon(const Setup& s, int instance) {
  const std::string abmd = (s.bin / "abmd").string(),
                    config = (s.dir / ("abmd-" + std::to_string(instance) + ".json")).string(),
                    log = (s.dir / ("abmd-" + std::to_string(instance) + ".log")).string();
  const char* argv[] = {abmd.c_str(), "-c", config.c_str(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) check(abm::Status::error("cannot start " + abmd));
  return pid;
}

// Seconds from starting `instances` daemons on an empty store until every connector has succeeded once.
double phaseSeconds(const Setup& s, abm::store::Database& admin, int instances, int64_t touchpoints) {
  auto db = abm::bench::freshDatabase(admin, s.admin_url, kDatabase, ABMD_BENCH_SCHEMA_DIR);
  check(admin.exec("CHECKPOINT"));
  std::vector<pid_t> daemons;
  const auto t0 = Clock::now();
  for (int i = 1; i <= instances; ++i) daemons.push_back(spawnDaemon(s, i));
  const auto deadline = t0 + std::chrono::minutes(30);
  std::string failure;
  while (true) {
    if (abm::bench::number(db, "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'") == s.connectors) break;
    if (abm::bench::number(db, "SELECT count(*) FROM sync_runs WHERE status NOT IN ('running', 'succeeded')") > 0)
      failure = "a run did not succeed (see sync_runs and " + s.dir.string() + "/abmd-*.log)";
    for (pid_t pid : daemons)
      if (::waitpid(pid, nullptr, WNOHANG) == pid) failure = "an abmd exited early (see " + s.dir.string() + "/abmd-*.log)";
    if (Clock::now() > deadline) failure = "the connectors did not all succeed within 30 minutes";
    if (!failure.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (pid_t pid : daemons) ::kill(pid, SIGTERM);
  for (pid_t pid : daemons) ::waitpid(pid, nullptr, 0);
  check(failure.empty() ? abm::Status::ok() : abm::Status::error(failure));
  if (abm::bench::number(db, "SELECT count(*) FROM touchpoints") != touchpoints)
    check(abm::Status::error("the store holds another number of touchpoints than the connectors gave"));
  // How the connectors were shared out: runs per instance.
  auto who = db.prepare("SELECT instance_id, count(*) FROM sync_runs WHERE status = 'succeeded' GROUP BY 1 ORDER BY 1");
  check(who.status());
  std::string shares;
  while (who->step() == abm::store::Step::Row)
    shares += (shares.empty() ? "" : ", ") + who->columnText(0) + ": " + std::to_string(who->columnInt(1));
  check(who->status());
  std::printf("  %d instance(s): %.2f s, connectors per instance: %s\n", instances, seconds, shares.c_str());
  return seconds;
}

void writeConfigs(const Setup& s, int instances) {
  fs::create_directories(s.dir / "connectors.d");
  for (int c = 0; c < s.connectors; ++c)
    std::ofstream(s.dir / ("connectors.d/c" + std::to_string(c) + ".json"))
        << R"({"name": "c)" << c << R"(", "plugin": "csv", "schedule": "every 1h", "settings": {"path": "../data/c)" << c
        << R"(", "checkpoint_every": 50000}})";
  for (int i = 1; i <= instances; ++i)
    std::ofstream(s.dir / ("abmd-" + std::to_string(i) + ".json"))
        << R"({"store": ")" << s.store_url << R"(", "connectors_dir": "connectors.d", "connector_state_dir": "state-)" << i
        << R"(", "instance_id": "bench-)" << i << R"(", "lease_ttl": ")" << s.lease_ttl << R"(", "log_level": "warn",)"
        << R"( "metrics": {"run_after_sync": false}})";
}

}  // namespace

int main(int argc, char** argv) {
  long touchpoints = 600000;
  int instances = 3, repeat = 2;
  Setup s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--store") s.admin_url = argv[i + 1];
    else if (a == "--touchpoints") touchpoints = std::stol(argv[i + 1]);
    else if (a == "--connectors") s.connectors = std::stoi(argv[i + 1]);
    else if (a == "--instances") instances = std::stoi(argv[i + 1]);
    else if (a == "--repeat") repeat = std::stoi(argv[i + 1]);
    else if (a == "--lease-ttl") s.lease_ttl = argv[i + 1];
    else s.admin_url.clear(), i = argc;
  }
  if (s.admin_url.empty() || (argc - 1) % 2 != 0 || s.connectors < 1 || instances < 2) {
    std::fprintf(stderr, "usage: scale_out_bench --store postgresql://USER@HOST:PORT/DB [--touchpoints N] [--connectors C]"
                         " [--instances I (2 or more)] [--repeat R] [--lease-ttl 60s]\n");
    return 2;
  }
  auto admin = abm::bench::openPostgresql(s.admin_url);
  s.store_url = abm::bench::withDatabase(s.admin_url, kDatabase);
  s.bin = ABMD_BENCH_BIN_DIR;
  s.dir = fs::temp_directory_path() / ("abmd-scale-out-bench-" + std::to_string(::getpid()));
  const long each = touchpoints / s.connectors;
  for (int c = 0; c < s.connectors; ++c) {
    const std::string cmd = (s.bin / "abm-demo-gen").string() + " " + (s.dir / ("data/c" + std::to_string(c))).string() +
                            " --accounts " + std::to_string(std::max(100L, each / 500)) + " --touchpoints " +
                            std::to_string(each) + " --seed " + std::to_string(c + 1) + " > /dev/null";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  int64_t total = 0;  // abm-demo-gen spreads its target over accounts and rounds: count what it wrote
  for (int c = 0; c < s.connectors; ++c) {
    std::ifstream in(s.dir / ("data/c" + std::to_string(c)) / "touchpoints.csv");
    for (std::string l; std::getline(in, l);) ++total;
    --total;
  }
  writeConfigs(s, instances);
  std::printf("%lld touchpoints in %d csv connectors; store %s\n", static_cast<long long>(total), s.connectors,
              admin.path().c_str());
  std::printf("%-4s %14s %14s %8s\n", "run", "1 inst. tp/s", (std::to_string(instances) + " inst. tp/s").c_str(), "ratio");
  for (int r = 1; r <= repeat; ++r) {
    const double one = static_cast<double>(total) / phaseSeconds(s, admin, 1, total);
    const double several = static_cast<double>(total) / phaseSeconds(s, admin, instances, total);
    std::printf("%-4d %14.0f %14.0f %8.2f\n", r, one, several, several / one);
    std::fflush(stdout);
  }
  abm::bench::dropDatabase(admin, kDatabase);
  fs::remove_all(s.dir);
  return 0;
}
