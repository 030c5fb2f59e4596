#include "test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "store/migrations.hpp"

extern char** environ;

namespace abm::test {

fs::path binDir() { return ABMD_TEST_BIN_DIR; }
fs::path pluginDir() { return ABMD_TEST_PLUGIN_DIR; }
fs::path testPluginDir() { return ABMD_TEST_TESTPLUGIN_DIR; }
fs::path sourceDir() { return ABMD_TEST_SOURCE_DIR; }

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "abmd-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("ABMD_KEEP_TEST_DIRS")) fs::remove_all(path_, ec);
}

void writeFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::vector<std::string> mergedEnv(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    if (!extra.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

pid_t spawnWithFiles(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                     const fs::path& out, const fs::path& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto envs = mergedEnv(env);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  TempDir tmp;
  const pid_t pid = spawnWithFiles(argv, env, tmp / "out", tmp / "err");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return {decode(status), readFile(tmp / "out"), readFile(tmp / "err")};
}

Child::Child(const std::vector<std::string>& argv, const fs::path& out_dir, const std::map<std::string, std::string>& env)
    : err_file_(out_dir / ("child-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".err")) {
  pid_ = spawnWithFiles(argv, env, out_dir / "child.out", err_file_);
}

Child::~Child() {
  if (status_ < 0 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
}

void Child::signal(int sig) { ::kill(pid_, sig); }

int Child::wait(std::chrono::milliseconds timeout) {
  if (status_ >= 0) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int st;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) return status_ = decode(st);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string Child::err() const { return readFile(err_file_); }

namespace {
// Set while waitFor polls: a store the daemon has not created yet is no test failure then.
thread_local bool polling = false;
}  // namespace

bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    polling = true;
    const bool done = pred();
    polling = false;
    if (done) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return pred();  // the last look reports its errors
}

bool onPostgresql() {
  const char* backend = std::getenv("ABMD_TEST_BACKEND");
  return backend && std::string(backend) == "postgresql";
}

std::string StoreRef::url() const {
  return where_.backend == store::Backend::Postgresql ? where_.conninfo : "sqlite://" + where_.sqlite_path.string();
}

TestStore::TestStore(const fs::path& sqlite_file)
    : TestStore(sqlite_file, onPostgresql() ? store::Backend::Postgresql : store::Backend::Sqlite) {}

TestStore::TestStore(const fs::path& sqlite_file, store::Backend backend)
    : where_(store::Location::sqlite(sqlite_file)) {
  if (backend == store::Backend::Sqlite) return;
  pg_ = PostgresTestDatabase::create();
  where_.backend = store::Backend::Postgresql;
  where_.sqlite_path.clear();
  where_.conninfo = pg_->url();
}
TestStore::~TestStore() = default;

std::unique_ptr<store::Database> TestStore::open() const {
  auto db = store::Database::open(where_);
  EXPECT_TRUE(db) << db.error();
  if (!db) return nullptr;
  auto out = std::make_unique<store::Database>(std::move(*db));
  if (auto s = store::applyMigrations(*out, sourceDir() / "schema"); !s) {
    ADD_FAILURE() << s.message();
    return nullptr;
  }
  return out;
}
TestStore::TestStore(TestStore&&) noexcept = default;

namespace {
// Runs `sql` and hands each row to `row`. An SQL error fails the calling test (two broken queries
// must never compare equal), except while waitFor polls a store that may not exist yet.
void queryEach(const StoreRef& db, const std::string& sql, const std::function<void(store::Statement&)>& row) {
  auto h = store::Database::open(db.location(), true);
  if (!h) {
    if (!polling) ADD_FAILURE() << "cannot open " << db.string() << ": " << h.error() << " (query: " << sql << ")";
    return;
  }
  auto st = h->prepare(sql);
  if (!st) {
    if (!polling) ADD_FAILURE() << "SQL error in " << db.string() << ": " << st.error() << " (query: " << sql << ")";
    return;
  }
  while (st->step() == store::Step::Row) row(*st);
  if (auto s = st->status(); !s && !polling)
    ADD_FAILURE() << "SQL error in " << db.string() << ": " << s.message() << " (query: " << sql << ")";
}
}  // namespace

int64_t queryInt(const StoreRef& db, const std::string& sql) {
  int64_t v = -1;
  bool first = true;
  queryEach(db, sql, [&](store::Statement& st) {
    if (first) v = st.columnInt(0);
    first = false;
  });
  return v;
}

std::string queryText(const StoreRef& db, const std::string& sql) {
  std::string v;
  bool first = true;
  queryEach(db, sql, [&](store::Statement& st) {
    if (first) v = st.columnText(0);
    first = false;
  });
  return v;
}

std::vector<std::string> queryRows(const StoreRef& db, const std::string& sql) {
  std::vector<std::string> rows;
  queryEach(db, sql, [&](store::Statement& st) {
    std::string line;
    for (int c = 0; c < st.columnCount(); ++c) line += (c ? "|" : "") + st.columnText(c);
    rows.push_back(std::move(line));
  });
  return rows;
}

std::string queryJoined(const StoreRef& db, const std::string& sql, const std::string& separator) {
  std::string out;
  bool first = true;
  queryEach(db, sql, [&](store::Statement& st) {
    out += (first ? "" : separator) + st.columnText(0);
    first = false;
  });
  return out;
}

void execSql(const StoreRef& db, const std::string& sql) {
  auto h = store::Database::open(db.location());
  if (!h) {
    ADD_FAILURE() << "cannot open " << db.string() << ": " << h.error();
    return;
  }
  if (auto s = h->exec(sql); !s) ADD_FAILURE() << "SQL error in " << db.string() << ": " << s.message() << " (" << sql << ")";
}

void Workspace::writeConfig(const std::string& extra, bool test_plugins) const {
  fs::create_directories(connectors());
  std::string plugin_dir = (test_plugins ? testPluginDir() : pluginDir()).string();
  const bool postgresql = store_.location().backend == store::Backend::Postgresql;
  const std::string store = postgresql ? store_.ref().url() : "sqlite://abm.db";
  // The connectors' private folders stay in the workspace: on PostgreSQL the default is
  // /var/lib/abmd/connector_state, which tests running side by side would share (and leave behind).
  writeFile(config(), "{\"store\": \"" + store + "\", \"connectors_dir\": \"connectors.d\","
                      " \"connector_state_dir\": \"connector_state\", \"plugin_dir\": \"" +
                          plugin_dir + "\", \"worker\": \"" + (binDir() / "abmd-worker").string() +
                          "\", \"schema_dir\": \"" + (sourceDir() / "schema").string() + "\"" + extra + "}");
}

CommandResult runAbmctl(const Workspace& ws, std::vector<std::string> args) {
  args.insert(args.begin(), {(binDir() / "abmctl").string(), "-c", ws.config().string()});
  return run(args);
}

void Workspace::addConnector(const std::string& name, const std::string& plugin, const std::string& settings_json,
                             const std::string& extra) const {
  writeFile(connectors() / (name + ".json"), "{\"name\": \"" + name + "\", \"plugin\": \"" + plugin +
                                                 "\", \"schedule\": \"every 1h\", \"settings\": " + settings_json +
                                                 extra + "}");
}

}  // namespace abm::test
