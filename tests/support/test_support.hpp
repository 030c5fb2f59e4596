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

// The first column of the first row (-1 / "" when there is none); an SQL error fails the test.
int64_t queryInt(const fs::path& db, const std::string& sql);
std::string queryText(const fs::path& db, const std::string& sql);
// Runs SQL that changes the store (to set up a case); an error fails the test.
void execSql(const fs::path& db, const std::string& sql);

// A daemon config + connectors folder in a temp dir, with the store inside it.
struct Workspace {
  TempDir dir;
  fs::path config() const { return dir / "abmd.json"; }
  fs::path store() const { return dir / "abm.db"; }
  fs::path connectors() const { return dir / "connectors.d"; }
  // Writes abmd.json; `extra` is JSON members appended to the object (", \"key\": ...").
  void writeConfig(const std::string& extra = "", bool test_plugins = false) const;
  void addConnector(const std::string& name, const std::string& plugin, const std::string& settings_json,
                    const std::string& extra = "") const;
};

}  // namespace abm::test
