#include "plugin_test/harness.hpp"

#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "log/logger.hpp"
#include "pipeline/domain.hpp"
#include "pipeline/identity_rules.hpp"
#include "pipeline/public_suffix.hpp"
#include "pipeline/sync_runner.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "plugin_host/worker_command.hpp"
#include "plugin_test/loopback_server.hpp"
#include "plugin_test/vendor_stand_in.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace abm::plugin_test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "abm-plugin-test-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct StreamReport {
  std::string name, entity;
  uint64_t records = 0, rejected = 0;
  std::vector<std::string> rejections;  // the first few: origin and reason
};

// One read of every stream into a fresh store.
struct ReadReport {
  std::string status, error;
  uint64_t records = 0, rejected = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>, std::less<>> streams;
  std::vector<std::string> rejections;  // "stream at origin: reason", the first few
  fs::path store;
};

// Everything a harness run works with: the plugin as a worker describes it, a daemon config of its
// own in a temporary folder, the connector pointed at the loopback server.
struct Bench {
  TempFolder tmp;
  plugin_host::PluginInfo plugin;
  config::DaemonConfig daemon;
  std::unique_ptr<pipeline::IdentityRules> identity;
  config::ConnectorConfig connector;
  Secrets secrets;
  std::string base_url, token_url;  // the vendor's, as the connector had them
  std::optional<Cassette> cassette;
  std::unique_ptr<ReplayVendor> replay;
  std::unique_ptr<RecordingVendor> recording;
  std::unique_ptr<LoopbackServer> server;
  int reads = 0;
};

// Sets up `b`; "" or one line saying what is unusable.
std::string setUp(const HarnessOptions& o, Bench& b) {
  if (b.tmp.path().empty()) return "cannot make a temporary folder in " + fs::temp_directory_path().string();
  const fs::path worker = o.worker.empty() ? config::executableDir() / "abmd-worker" : fs::path(o.worker);
  auto info = plugin_host::describePlugin(o.plugin, worker);
  if (!info) return info.error();
  b.plugin = std::move(*info);
  if (b.plugin.push()) return o.plugin + ": a push plugin has no worker to test";

  // A daemon config of the run's own: the store and the connector's state in the temporary folder.
  const fs::path config_file = b.tmp.path() / "abmd.json";
  std::ofstream(config_file) << json{{"store", (b.tmp.path() / "store.db").string()},
                                     {"plugin_dir", b.tmp.path().string()},
                                     {"connectors_dir", b.tmp.path().string()},
                                     {"worker", worker.string()},
                                     {"log_level", "warn"}}
                                    .dump();
  try {
    b.daemon = config::loadDaemonConfig(config_file);
  } catch (const std::exception& e) {
    return e.what();
  }
  log::setLevel(b.daemon.log_level);
  b.daemon.connector_state_dir = b.tmp.path() / "state";
  b.identity = std::make_unique<pipeline::IdentityRules>(pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::load(b.daemon.free_mail_file, b.daemon.free_mail_allow),
      pipeline::PublicSuffixList::load(b.daemon.public_suffix_file), b.daemon.never_merge_domains));

  std::vector<std::string> errors;
  auto c = config::loadConnectorFile(o.connector, errors);
  if (c && c->plugin != b.plugin.name)
    return o.connector + ": plugin: the connector is for '" + c->plugin + "', the library tested is '" +
           b.plugin.name + "'";
  if (c) config::validateConnectorSettings(*c, b.plugin.options, errors);
  if (!errors.empty()) return errors.front();
  b.connector = std::move(*c);

  // Secret settings and resolved references stand as "<secret:NAME>" in the cassette.
  for (const auto& spec : b.plugin.options)
    if (spec.secret && b.connector.settings.contains(spec.name) && b.connector.settings[spec.name].is_string())
      b.secrets.add(b.connector.settings[spec.name].get<std::string>(), "<secret:" + spec.name + ">");
  for (const auto& s : b.connector.resolved_secrets)
    b.secrets.add(s.value, "<secret:" + s.path.substr(s.path.rfind('.') + 1) + ">");

  if (o.record && o.cassette.empty()) return "--record needs --cassette FILE to write the exchanges to";
  if (o.cassette.empty()) return "";
  json& settings = b.connector.settings;
  if (!settings.contains("base_url") || !settings["base_url"].is_string())
    return o.plugin + ": plugin " + b.plugin.name +
           " has no base_url setting, so no cassette can stand in for its vendor; run without --cassette";
  b.base_url = settings["base_url"];
  if (settings.contains("token_url") && settings["token_url"].is_string()) b.token_url = settings["token_url"];
  if (o.record) {
    if (sdk::http::originOf(b.base_url).empty()) return o.connector + ": settings.base_url: not a URL: " + b.base_url;
    b.recording = std::make_unique<RecordingVendor>(b.base_url, b.token_url, settings.value("ca_file", ""));
    b.server = std::make_unique<LoopbackServer>(
        [&b](const HttpRequest& r) { return b.recording->answer(r, b.server->url()); });
  } else {
    auto cassette = Cassette::load(o.cassette);
    if (!cassette) return cassette.error();
    b.cassette = std::move(*cassette);
    b.replay = std::make_unique<ReplayVendor>(*b.cassette, b.secrets);
    b.server = std::make_unique<LoopbackServer>(
        [&b](const HttpRequest& r) { return b.replay->answer(r, b.server->url()); });
  }
  if (auto s = b.server->start(); !s) return s.message();
  settings["base_url"] = b.server->url() + pathOf(b.base_url);
  if (!b.token_url.empty()) settings["token_url"] = b.server->url() + pathOf(b.token_url);
  return "";
}

// Reads every stream into a fresh store through the real pipeline (validation, identity, checkpoints).
ReadReport readAll(Bench& b, const pipeline::SyncOptions& options) {
  ReadReport r;
  const std::string n = std::to_string(++b.reads);
  r.store = b.tmp.path() / ("store-" + n + ".db");
  b.daemon.store = store::Location::sqlite(r.store);
  // The first read shares the check's folder, as in abmd (a rotated OAuth token is kept there);
  // later ones start afresh, like their store.
  if (b.reads > 1) b.daemon.connector_state_dir = b.tmp.path() / ("state-" + n);
  auto db = store::Database::open(b.daemon.store);
  if (!db) {
    r.status = "failed";
    r.error = db.error();
    return r;
  }
  if (auto s = store::applyMigrations(*db, b.daemon.schema_dir); !s) {
    r.status = "failed";
    r.error = s.message();
    return r;
  }
  pipeline::SyncOptions opts = options;
  opts.owner = "abm-plugin-test";
  auto user_progress = options.progress;
  opts.progress = [&r, user_progress](const pipeline::SyncProgress& p) {
    r.streams = p.streams;
    if (user_progress) user_progress(p);
  };
  pipeline::SyncRunner runner(b.daemon, *b.identity);
  const auto out = runner.run(b.connector, b.plugin, opts);
  r.status = std::string(pipeline::runStatusName(out.status));
  r.error = out.error;
  r.records = out.records;
  r.rejected = out.rejected;
  if (auto st = db->prepare("SELECT stream, coalesce(origin, ''), reason FROM rejected_records ORDER BY rowid LIMIT 10")) {
    while (st->step() == store::Step::Row)
      r.rejections.push_back(st->columnText(0) + (st->columnText(1).empty() ? "" : " at " + st->columnText(1)) + ": " +
                             st->columnText(2));
  }
  return r;
}

void printText(std::ostream& out, const json& report) {
  out << "plugin " << report["plugin"].get<std::string>() << ", connector " << report["connector"].get<std::string>()
      << "\n";
  if (report.contains("vendor")) out << report["vendor"].get<std::string>() << "\n";
  for (const auto& step : report["steps"]) {
    out << (step["passed"].get<bool>() ? "PASS  " : "FAIL  ") << step["name"].get<std::string>();
    if (step.contains("detail") && !step["detail"].get<std::string>().empty())
      out << ": " << step["detail"].get<std::string>();
    out << "\n";
    for (const auto& line : step.value("lines", json::array())) out << "      " << line.get<std::string>() << "\n";
  }
  out << (report["passed"].get<bool>() ? "passed" : "FAILED") << "\n";
}

}  // namespace

int runHarness(const HarnessOptions& o, std::ostream& out, std::ostream& err) {
  Bench b;
  if (const std::string why = setUp(o, b); !why.empty()) {
    err << "abm-plugin-test: " << why << "\n";
    return 2;
  }
  json report{{"plugin", b.plugin.name + " " + b.plugin.version}, {"connector", b.connector.name}};
  report["steps"] = json::array();
  if (b.replay)
    report["vendor"] = "replaying " + o.cassette + " (" + std::to_string(b.cassette->exchanges.size()) +
                       " exchanges) on " + b.server->url();
  else if (b.recording)
    report["vendor"] = "recording " + b.base_url + " through " + b.server->url() + " into " + o.cassette;
  bool passed = true;
  auto step = [&](const std::string& name, bool ok, const std::string& detail, json lines = json::array()) {
    report["steps"].push_back({{"name", name}, {"passed", ok}, {"detail", detail}, {"lines", std::move(lines)}});
    passed = passed && ok;
  };
  auto on_log = [&err](std::string_view line) { err << line << "\n"; };

  const auto check = plugin_host::runWorkerCommand(b.daemon, b.plugin, b.connector, "check", on_log);
  step("check", check.failure.empty(), check.failure);
  const auto discover = plugin_host::runWorkerCommand(b.daemon, b.plugin, b.connector, "discover", on_log);
  std::string declared;
  for (const auto& s : discover.streams) declared += (declared.empty() ? "" : ", ") + s.name + " (" + s.entity + ")";
  step("discover", discover.failure.empty() && !discover.streams.empty(),
       !discover.failure.empty() ? discover.failure
       : discover.streams.empty() ? "no streams declared"
                                  : declared);

  const ReadReport read = readAll(b, {});
  step("read", read.status == "succeeded", read.status + (read.error.empty() ? "" : ": " + read.error));
  for (const auto& s : discover.streams) {
    const auto it = read.streams.find(s.name);
    const uint64_t records = it == read.streams.end() ? 0 : it->second.first;
    const uint64_t rejected = it == read.streams.end() ? 0 : it->second.second;
    json lines = json::array();
    for (const auto& line : read.rejections)
      if (line.rfind(s.name + " ", 0) == 0 || line.rfind(s.name + ":", 0) == 0) lines.push_back(line);
    step("stream " + s.name,
         rejected == 0,
         std::to_string(records) + " written, " + std::to_string(rejected) + " rejected by the host's validation",
         lines);
  }
  if (b.replay) {
    json lines = json::array();
    for (const auto& m : b.replay->replayer().misses()) lines.push_back(m);
    step("cassette", lines.empty(),
         lines.empty() ? std::to_string(b.replay->replayer().served()) + " requests answered"
                       : std::to_string(lines.size()) + " request(s) not in the cassette",
         lines);
  }
  if (b.recording) {
    json lines = json::array();
    for (const auto& f : b.recording->failures()) lines.push_back(f);
    const Cassette c = b.recording->cassette(b.plugin.name, b.secrets);
    const Status saved = c.save(o.cassette);
    if (!saved) lines.push_back(saved.message());
    step("record", lines.empty(), std::to_string(c.exchanges.size()) + " exchanges written to " + o.cassette, lines);
  }
  report["passed"] = passed;
  if (o.format == "json") out << report.dump(2) << "\n";
  else printText(out, report);
  return passed ? 0 : 1;
}

}  // namespace abm::plugin_test
