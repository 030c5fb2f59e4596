#include "bootstrap/setup.hpp"

#include "collector/event_rows.hpp"
#include "store/migrations.hpp"

namespace abm::bootstrap {

const config::ConnectorConfig* Setup::connector(const std::string& name) const {
  for (const auto& c : connectors)
    if (c.name == name) return &c;
  return nullptr;
}

Setup loadSetup(const std::filesystem::path& config_file, config::Secrets secrets) {
  Setup s;
  s.daemon = config::loadDaemonConfig(config_file, secrets);
  log::setLevel(s.daemon.log_level);
  s.metrics = metrics::parseMetricsSettings(s.daemon.metrics, s.daemon.file.string());
  s.identity = std::make_unique<pipeline::IdentityRules>(pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::load(s.daemon.free_mail_file, s.daemon.free_mail_allow),
      pipeline::PublicSuffixList::load(s.daemon.public_suffix_file), s.daemon.never_merge_domains));
  s.plugins = plugin_host::PluginRegistry::scan(s.daemon.plugin_dir, s.daemon.worker_path);
  for (const auto& p : s.plugins.problems()) s.errors.push_back(p);
  for (auto& c : config::loadConnectorDir(s.daemon.connectors_dir, s.errors, &s.refused_files, secrets)) {
    const size_t before = s.errors.size();
    const auto* plugin = s.plugins.find(c.plugin);
    if (!plugin) {
      std::string known;
      for (const auto& [name, info] : s.plugins.all()) known += (known.empty() ? "" : ", ") + name;
      s.errors.push_back(c.file.string() + ": plugin: no plugin named '" + c.plugin + "' in " +
                         s.daemon.plugin_dir.string() + " (available: " + (known.empty() ? "none" : known) + ")");
      s.refused_files[c.file] = s.errors[before];
      continue;
    }
    if (plugin->push() && c.has_schedule)
      s.errors.push_back(c.file.string() + ": schedule: plugin '" + c.plugin +
                         "' is a push source: its events arrive over HTTP as they happen; remove \"schedule\"");
    else if (!plugin->push() && !c.has_schedule)
      s.errors.push_back(c.file.string() + ": schedule: missing; write when to sync, e.g. \"every 15m\" or a cron "
                         "expression \"0 6 * * *\"");
    config::validateConnectorSettings(c, plugin->options, s.errors);
    // What the option table cannot say: each event_activities value must be an activity.
    if (plugin->push() && s.errors.size() == before)
      if (auto push = collector::sourceSettings(c); !push) s.errors.push_back(push.error());
    if (s.errors.size() == before) s.connectors.push_back(std::move(c));
    else s.refused_files[c.file] = s.errors[before];
  }
  return s;
}

Result<store::Database> openStore(const config::DaemonConfig& daemon) {
  std::error_code ec;
  if (daemon.store.backend == store::Backend::Sqlite)
    std::filesystem::create_directories(daemon.store.sqlite_path.parent_path(), ec);
  auto db = store::Database::open(daemon.store);
  if (!db) return db.status();
  if (auto s = store::applyMigrations(*db, daemon.schema_dir); !s) return s;
  return db;
}

}  // namespace abm::bootstrap
