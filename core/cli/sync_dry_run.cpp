#include "cli/sync_dry_run.hpp"

#include <filesystem>
#include <iostream>

#include "cli/exit_codes.hpp"
#include "common/timestamp.hpp"
#include "pipeline/dry_run.hpp"
#include "store/database.hpp"
#include "store/run_log.hpp"

namespace abm::cli {

namespace {

// The checkpoints a sync would resume from, read without writing: a store that does not exist yet
// (or has no schema yet) has none, and is not created.
Result<nlohmann::json> storedStates(const store::Location& where, const std::string& connector, std::string& note) {
  std::error_code ec;
  if (where.backend == store::Backend::Sqlite && !std::filesystem::exists(where.sqlite_path, ec)) {
    note = "no store yet at " + where.describe() + ": every stream starts from nothing";
    return nlohmann::json::object();
  }
  auto db = store::Database::open(where, true);
  if (!db) return db.status();
  auto has = db->hasTable("sync_state");
  if (!has) return Status::error("cannot read store " + where.describe() + ": " + has.error());
  if (!*has) {
    note = "store " + where.describe() + " has no schema yet: every stream starts from nothing";
    return nlohmann::json::object();
  }
  auto states = store::loadStates(*db, connector);
  if (states) note = std::to_string(states->size()) + " stored checkpoint(s) handed to the plugin as a sync would";
  return states;
}

void printText(const std::string& name, const pipeline::DryRunReport& r) {
  for (const auto& [stream, s] : r.streams) {
    std::cout << "  " << stream << " -> " << (s.entity.empty() ? "(undeclared)" : s.entity) << ": " << s.records
              << " record(s) would be written";
    if (s.deletions > 0) std::cout << " (" << s.deletions << " of them deletions)";
    std::cout << ", " << s.rejected << " rejected\n";
    for (const auto& rej : s.rejections)
      std::cout << "    rejected" << (rej.origin.empty() ? "" : " at " + rej.origin) << ": " << rej.reason << "\n";
    if (s.rejected > s.rejections.size())
      std::cout << "    ... and " << s.rejected - s.rejections.size() << " more rejected\n";
    std::cout << "    checkpoint that would be committed: " << (s.checkpoint ? *s.checkpoint : "none") << "\n";
  }
}

}  // namespace

int cmdSyncDryRun(const bootstrap::Setup& s, const config::ConnectorConfig& c, bool full_refresh,
                  const std::string& format) {
  if (format != "text" && format != "json") return usageError("--format takes text or json, not '" + format + "'");
  std::string note = "full refresh: every stream starts from nothing";
  nlohmann::json states = nlohmann::json::object();
  if (!full_refresh) {
    auto stored = storedStates(s.daemon.store, c.name, note);
    if (!stored) return failed(stored.error());
    states = std::move(*stored);
  }
  const auto report = pipeline::dryRun(s.daemon, c, *s.plugins.find(c.plugin), std::move(states));
  const bool ok = report.status == pipeline::RunStatus::Succeeded;
  if (format == "json") {
    std::cout << pipeline::dryRunJson(c.name, report).dump(2) << "\n";
  } else {
    std::cout << c.name << ": dry run, nothing is written (" << note << ")\n";
    printText(c.name, report);
    if (ok)
      std::cout << c.name << ": would sync " << report.records << " records, " << report.rejected
                << " rejected; the store is unchanged\n";
  }
  if (ok) return 0;
  std::cerr << c.name << ": dry run: the sync would end " << pipeline::runStatusName(report.status) << ": "
            << report.error << "\n";
  return 1;
}

}  // namespace abm::cli
