#include "plugin_test/bench.hpp"

#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <algorithm>
#include <fstream>

#include "log/logger.hpp"
#include "pipeline/domain.hpp"
#include "pipeline/public_suffix.hpp"
#include "pipeline/sync_runner.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace abm::plugin_test {

namespace fs = std::filesystem;
using nlohmann::json;

TempFolder::TempFolder() {
  std::string pattern = (fs::temp_directory_path() / "abm-plugin-test-XXXXXX").string();
  if (::mkdtemp(pattern.data())) path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

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
  b.daemon.connector_state_dir = b.tmp.path() / "state-1";
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
  json& settings = b.connector.settings;
  // The suite's injected 429 and 500 are retried after a short wait where the plugin lets us say so.
  if (!o.suite.empty() && settings.contains("retry_initial_ms") && settings["retry_initial_ms"].is_number_integer() &&
      settings["retry_initial_ms"].get<int64_t>() > 100)
    settings["retry_initial_ms"] = 100;

  // Secret settings and resolved references stand as "<secret:NAME>" in the cassette.
  for (const auto& spec : b.plugin.options)
    if (spec.secret && settings.contains(spec.name) && settings[spec.name].is_string())
      b.secrets.add(settings[spec.name].get<std::string>(), "<secret:" + spec.name + ">");
  for (const auto& s : b.connector.resolved_secrets)
    b.secrets.add(s.value, "<secret:" + s.path.substr(s.path.rfind('.') + 1) + ">");

  if (o.record && o.cassette.empty()) return "--record needs --cassette FILE to write the exchanges to";
  if (o.record && !o.suite.empty())
    return "--suite runs against a replay: record the cassette first, then run the suite with --cassette alone";
  if (o.cassette.empty()) return "";
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
    if (!cassette->plugin.empty() && cassette->plugin != b.plugin.name)
      return o.cassette + ": plugin: recorded for '" + cassette->plugin + "', the library tested is '" + b.plugin.name +
             "'";
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

ReadReport readAll(Bench& b, const ReadPlan& plan) {
  ReadReport r;
  if (plan.fresh_store || b.stores == 0) {
    const std::string n = std::to_string(++b.stores);
    b.daemon.store = store::Location::sqlite(b.tmp.path() / ("store-" + n + ".db"));
    // The first read shares the check's folder, as in abmd (a rotated OAuth token is kept there);
    // later ones start afresh, like their store.
    b.daemon.connector_state_dir = b.tmp.path() / ("state-" + n);
  }
  r.store = b.daemon.store.sqlite_path;
  auto failed = [&r](std::string why) {
    r.status = "failed";
    r.error = std::move(why);
    return r;
  };
  auto db = store::Database::open(b.daemon.store);
  if (!db) return failed(db.error());
  if (auto s = store::applyMigrations(*db, b.daemon.schema_dir); !s) return failed(s.message());
  if (b.replay && plan.rewind) b.replay->replayer().rewind();

  pipeline::SyncOptions opts;
  opts.owner = "abm-plugin-test";
  opts.full_refresh = plan.full_refresh;
  if (plan.end_after_first_checkpoint) opts.on_checkpoint = [](const std::string&) { return false; };
  opts.progress = [&r](const pipeline::SyncProgress& p) {
    r.streams = p.streams;
    r.checkpoints = p.checkpoints;
  };
  pipeline::SyncRunner runner(b.daemon, *b.identity);
  const auto out = runner.run(b.connector, b.plugin, opts);
  r.status = std::string(pipeline::runStatusName(out.status));
  r.error = out.error;
  r.records = out.records;
  r.rejected = out.rejected;
  if (b.replay) r.misses = b.replay->replayer().misses();
  if (auto st = db->prepare("SELECT stream, coalesce(origin, ''), reason FROM rejected_records ORDER BY rowid LIMIT 10")) {
    while (st->step() == store::Step::Row)
      r.rejections.push_back(st->columnText(0) + (st->columnText(1).empty() ? "" : " at " + st->columnText(1)) + ": " +
                             st->columnText(2));
  }
  return r;
}

StoreKeys storeKeys(const fs::path& file, std::string& error) {
  static const std::pair<const char*, const char*> kKeys[] = {
      {"accounts", "SELECT external_id FROM account_identities"},
      {"contacts", "SELECT external_id FROM contacts"},
      {"opportunities", "SELECT external_id FROM opportunities"},
      {"campaigns", "SELECT external_id FROM campaigns"},
      {"touchpoints", "SELECT external_id FROM touchpoints"},
      {"ad_spend", "SELECT campaign_external_id || '/' || date FROM ad_spend"},
      {"survey_responses", "SELECT external_id FROM survey_responses"},
  };
  StoreKeys keys;
  auto db = store::Database::open(store::Location::sqlite(file));
  if (!db) {
    error = db.error();
    return keys;
  }
  for (const auto& [entity, sql] : kKeys) {
    auto st = db->prepare(std::string(sql) + " ORDER BY 1");
    if (!st) {
      error = st.error();
      return keys;
    }
    auto& list = keys[entity];
    while (st->step() == store::Step::Row) list.push_back(st->columnText(0));
  }
  return keys;
}

std::string compareStores(const StoreKeys& a, const std::string& a_name, const StoreKeys& b, const std::string& b_name) {
  for (const auto& [entity, a_keys] : a) {
    const auto it = b.find(entity);
    const std::vector<std::string> empty;
    const auto& b_keys = it == b.end() ? empty : it->second;
    if (a_keys == b_keys) continue;
    std::vector<std::string> only_a, only_b;
    std::set_difference(a_keys.begin(), a_keys.end(), b_keys.begin(), b_keys.end(), std::back_inserter(only_a));
    std::set_difference(b_keys.begin(), b_keys.end(), a_keys.begin(), a_keys.end(), std::back_inserter(only_b));
    auto some = [](const std::vector<std::string>& keys) {
      std::string out;
      for (size_t i = 0; i < keys.size() && i < 3; ++i) out += (i ? ", " : "") + keys[i];
      return out + (keys.size() > 3 ? ", ..." : "");
    };
    std::string why = entity + ": " + std::to_string(a_keys.size()) + " rows " + a_name + ", " +
                      std::to_string(b_keys.size()) + " " + b_name;
    if (!only_a.empty()) why += "; only " + a_name + ": " + some(only_a);
    if (!only_b.empty()) why += "; only " + b_name + ": " + some(only_b);
    return why;
  }
  return "";
}

}  // namespace abm::plugin_test
