// abm-plugin-test's standard suite: the checks every plugin should pass, each reported by name with
// pass or fail and why (docs/plugin-testing.md, "The standard suite").
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "plugin_host/worker_command.hpp"
#include "plugin_test/bench.hpp"

namespace abm::plugin_test {

using StepFn = std::function<void(const std::string& name, bool passed, const std::string& detail, nlohmann::json lines)>;

// Runs the suite after the harness's own check, discover and `first` read (its store is the
// reference the other reads are compared with).
void runStandardSuite(Bench& b, const plugin_host::WorkerAnswer& discover, const ReadReport& first, const StepFn& step);

// The options table's problems ("option records: default \"many\" is not an integer"), none when well formed.
std::vector<std::string> specProblems(const plugin_host::PluginInfo& plugin);

}  // namespace abm::plugin_test
