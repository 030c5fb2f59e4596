#include "pipeline/state_reset.hpp"

#include <set>

#include "plugin_host/worker_command.hpp"
#include "store/run_log.hpp"

namespace abm::pipeline {

namespace {

std::set<std::string> knownStreams(store::Database& db, const config::DaemonConfig& daemon, const std::string& name,
                                   const config::ConnectorConfig* connector, const plugin_host::PluginInfo* plugin) {
  std::set<std::string> known;
  if (auto states = store::loadStates(db, name); states && states->is_object())
    for (const auto& [stream, st] : states->items()) known.insert(stream);
  if (connector && plugin)
    for (const auto& st : plugin_host::runWorkerCommand(daemon, *plugin, *connector, "discover", [](std::string_view) {}).streams)
      known.insert(st.name);
  known.erase("");
  return known;
}

}  // namespace

StateResetOutcome resetConnectorState(store::Database& db, store::LeaseKeeper& keeper,
                                      const config::DaemonConfig& daemon, const std::string& name,
                                      const std::string& stream, const config::ConnectorConfig* connector,
                                      const plugin_host::PluginInfo* plugin) {
  using Kind = StateResetOutcome::Kind;
  const std::string resource = "connector:" + name;
  auto taken = keeper.acquire(resource);
  if (!taken) return {Kind::Failed, 0, taken.error()};
  if (!*taken) {
    auto holder = store::leaseHolder(db, resource);
    return {Kind::HeldElsewhere, 0,
            "is being synced by " + (holder && *holder ? **holder : std::string("another instance"))};
  }
  struct Release {
    store::LeaseKeeper& keeper;
    const std::string& resource;
    ~Release() { keeper.release(resource); }
  } release{keeper, resource};

  if (!stream.empty()) {
    const auto known = knownStreams(db, daemon, name, connector, plugin);
    if (!known.count(stream)) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      return {Kind::UnknownStream, 0, names};
    }
  }
  StateResetOutcome out;
  if (auto st = store::resetState(db, name, stream, out.removed); !st) return {Kind::Failed, 0, st.message()};
  return out;
}

}  // namespace abm::pipeline
