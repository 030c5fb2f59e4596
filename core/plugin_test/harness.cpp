#include "plugin_test/harness.hpp"

#include <nlohmann/json.hpp>

#include "plugin_host/worker_command.hpp"
#include "plugin_test/bench.hpp"
#include "plugin_test/suite.hpp"

namespace abm::plugin_test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

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

  // The first read goes on where check and discover left the cassette, as the recording did.
  ReadPlan first;
  first.rewind = false;
  const ReadReport read = readAll(b, first);
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
    for (const auto& m : read.misses) lines.push_back(m);
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
  if (o.suite == "standard") runStandardSuite(b, discover, read, step);
  report["passed"] = passed;
  if (o.format == "json") out << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  else printText(out, report);
  return passed ? 0 : 1;
}

}  // namespace abm::plugin_test
