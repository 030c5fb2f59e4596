// The bench an abm-plugin-test run works on: the plugin as a worker describes it, a daemon config of
// its own in a temporary folder, the connector pointed at the loopback server that replays the
// cassette (or records the vendor), and reads of every stream into throwaway SQLite stores.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "pipeline/identity_rules.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "plugin_test/cassette.hpp"
#include "plugin_test/harness.hpp"
#include "plugin_test/loopback_server.hpp"
#include "plugin_test/vendor_stand_in.hpp"

namespace abm::plugin_test {

class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
  int stores = 0;
};

// Sets up `b`; "" or one line saying what is unusable.
std::string setUp(const HarnessOptions& o, Bench& b);

struct ReadPlan {
  bool fresh_store = true;  // else the last read's store (and connector state) again
  bool full_refresh = false;
  bool end_after_first_checkpoint = false;  // as if the worker died right after it
  bool rewind = true;  // replay the cassette from its start
};

// One read of every stream through the real pipeline (validation, identity, checkpoints).
struct ReadReport {
  std::string status, error;  // the run's status name (succeeded, interrupted, failed, ...)
  uint64_t records = 0, rejected = 0, checkpoints = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>, std::less<>> streams;  // written, rejected
  std::vector<std::string> rejections;  // "stream at origin: reason", the first few
  std::vector<std::string> misses;      // requests the cassette did not hold
  std::filesystem::path store;
};
ReadReport readAll(Bench& b, const ReadPlan& plan);

// The unified rows of a store by their source keys, per entity, sorted: what two reads compare.
using StoreKeys = std::map<std::string, std::vector<std::string>>;
StoreKeys storeKeys(const std::filesystem::path& store, std::string& error);
// "" when equal, else the first entity that differs and how, `a_name`/`b_name` saying which is which.
std::string compareStores(const StoreKeys& a, const std::string& a_name, const StoreKeys& b, const std::string& b_name);

}  // namespace abm::plugin_test
