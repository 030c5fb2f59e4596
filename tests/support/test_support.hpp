// Helpers for tests that run the real binaries: temporary folders, child processes with captured
// output, and queries against the SQLite store they write.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "postgres_test_db.hpp"
#include "store/database.hpp"
#include "store/location.hpp"

namespace abm::test {

namespace fs = std::filesystem;

fs::path binDir();         // build/bin: abmd, abmctl, abmd-worker, abm-demo-gen
fs::path pluginDir();      // build/lib/abmd/plugins (csv, ...)
fs::path testPluginDir();  // the plugins built only for tests
fs::path sourceDir();      // the repository

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& p) const { return path_ / p; }

 private:
  fs::path path_;
};

void writeFile(const fs::path& p, const std::string& content);
std::string readFile(const fs::path& p);

struct CommandResult {
  int exit_code = -1;   // exit code, or 128 + signal
  std::string out, err;
};

// Runs a program to completion with extra environment variables.
CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});

// A process left running in the background (abmd), with its output going to files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& out_dir,
        const std::map<std::string, std::string>& env = {});
  ~Child();
  void signal(int sig);
  // Waits up to `timeout` for the exit; returns the exit code (128 + signal), or -1 if still running.
  int wait(std::chrono::milliseconds timeout);
  std::string err() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  fs::path err_file_;
  int status_ = -1;
};

// Polls `pred` until it is true or `timeout` passes (for waiting on a daemon, never for timing).
// While it polls, queries on a store that does not exist yet are not failures; the last look's are.
bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

// Which backend the store tests run on: ABMD_TEST_BACKEND=postgresql (set by CTest for the
// "<test>/postgresql" copies of the store, pipeline, metrics and API tests) puts every test store on
// a fresh database of the test run's private PostgreSQL server; unset or "sqlite" keeps SQLite files.
bool onPostgresql();

// A test's store as queries take it: an SQLite file (a path converts) or any store location. On
// PostgreSQL the database lives as long as the Workspace or TestStore that made it.
class StoreRef {
 public:
  StoreRef(const fs::path& sqlite_file) : where_(store::Location::sqlite(sqlite_file)) {}  // NOLINT: implicit
  StoreRef(store::Location where) : where_(std::move(where)) {}                            // NOLINT: implicit
  const store::Location& location() const { return where_; }
  // The SQLite file; empty on PostgreSQL (checks of files only make sense on SQLite).
  const fs::path& file() const { return where_.sqlite_path; }
  operator const fs::path&() const { return where_.sqlite_path; }  // NOLINT: tests written for files
  std::string string() const { return where_.describe(); }
  // What a daemon config's "store" says for it.
  std::string url() const;

 private:
  store::Location where_;
};

// A store for one test, on the backend the run tests (onPostgresql()): `sqlite_file` on SQLite, a
// fresh database on PostgreSQL (dropped when this dies).
class TestStore {
 public:
  explicit TestStore(const fs::path& sqlite_file);
  // On the backend given, whatever the run tests: for tests that compare the two backends.
  TestStore(const fs::path& sqlite_file, store::Backend backend);
  ~TestStore();
  TestStore(TestStore&&) noexcept;
  StoreRef ref() const { return StoreRef(location()); }
  const store::Location& location() const { return where_; }
  // A new connection to the store, migrated; a failure fails the calling test (and gives null).
  std::unique_ptr<store::Database> open() const;

 private:
  store::Location where_;
  std::unique_ptr<PostgresTestDatabase> pg_;
};

// The first column of the first row (-1 / "" when there is none); an SQL error fails the test.
int64_t queryInt(const StoreRef& db, const std::string& sql);
std::string queryText(const StoreRef& db, const std::string& sql);
// Every row, its columns joined by '|' (NULL as ""); an SQL error fails the test.
std::vector<std::string> queryRows(const StoreRef& db, const std::string& sql);
// The first column of every row joined by `separator`, in the query's order (what SQLite's
// group_concat gives, on both backends).
std::string queryJoined(const StoreRef& db, const std::string& sql, const std::string& separator = ",");
// Runs SQL that changes the store (to set up a case); an error fails the test.
void execSql(const StoreRef& db, const std::string& sql);

// A daemon config + connectors folder in a temp dir, with the store inside it.
struct Workspace {
  Workspace() = default;
  // Its store on the backend given (tests comparing the two backends); the default follows onPostgresql().
  explicit Workspace(store::Backend backend) : store_(dir / "abm.db", backend) {}
  TempDir dir;
  TestStore store_{dir / "abm.db"};  // on the backend under test
  fs::path config() const { return dir / "abmd.json"; }
  StoreRef store() const { return store_.ref(); }
  fs::path connectors() const { return dir / "connectors.d"; }
  // Writes abmd.json; `extra` is JSON members appended to the object (", \"key\": ...").
  void writeConfig(const std::string& extra = "", bool test_plugins = false) const;
  void addConnector(const std::string& name, const std::string& plugin, const std::string& settings_json,
                    const std::string& extra = "") const;
};

// Runs `abmctl -c <ws's config> args...` to completion.
CommandResult runAbmctl(const Workspace& ws, std::vector<std::string> args);

}  // namespace abm::test
