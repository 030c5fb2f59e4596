// Connectors whose file broke while a daemon ran and that it keeps running with their previous
// configuration (migration 0014's connector_config_problems), written by the daemon at every reload
// and read by `abmctl status`, which does not share the daemon's memory.
#pragma once

#include <string>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

struct ConfigProblem {
  std::string instance_id;  // the daemon running the previous configuration
  std::string connector;
  std::string file;
  std::string problem;  // the first error found in the file, naming its key
  std::string since;    // when a reload first found it (the store's clock); set by the store
};

// Replaces this instance's rows with `problems`, keeping `since` of a connector already recorded.
Status replaceConfigProblems(Database& db, const std::string& instance_id, const std::vector<ConfigProblem>& problems);
// Every recorded problem, by connector; none for a store older than migration 0014.
Result<std::vector<ConfigProblem>> listConfigProblems(Database& db);

}  // namespace abm::store
