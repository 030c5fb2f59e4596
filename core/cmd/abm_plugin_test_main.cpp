// abm-plugin-test: test a connector plugin offline against a recorded cassette (docs/plugin-testing.md).
#include <iostream>
#include <string>

#include "plugin_test/harness.hpp"

namespace {

constexpr const char* kUsage = R"(usage: abm-plugin-test --plugin PATH.so --connector FILE.json [--cassette FILE.json] [--record]
                       [--suite standard] [--worker PATH] [--format text|json]

Runs the plugin's check, discover and read of every stream in an abmd worker (the daemon's fault
wall), into a temporary SQLite store through abmd's own pipeline (record validation, identity,
checkpoints), and reports per stream what was written and what the host rejected.

  --plugin PATH.so      the plugin library to test
  --connector FILE      a connector file for it ({"name", "plugin", "settings"}; no schedule needed)
  --cassette FILE       replay the vendor from this cassette: a loopback server answers, and the
                        connector's base_url (and token_url) point at it. A request the cassette does
                        not hold is answered 400 and named in the report with the nearest recorded one.
  --record              with --cassette: forward every request to the real base_url instead (TLS
                        verified) and write the exchanges to the cassette, secrets scrubbed
  --suite standard      also run the standard checks every plugin should pass
  --worker PATH         the abmd-worker to run the plugin in (default: the one beside this program)
  --format text|json    the report's format (default text)

Without --cassette the connector runs as written (a csv plugin reading files, or a live API).
Exit status: 0 everything passed, 1 something failed (the report says what), 2 bad usage or an
unusable plugin, connector file or cassette (one line on stderr says which).
See docs/plugin-testing.md.
)";

}  // namespace

int main(int argc, char** argv) {
  abm::plugin_test::HarnessOptions o;
  auto usage = [](const std::string& why) {
    std::cerr << "abm-plugin-test: " << why << "\n" << kUsage;
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    bool ok = true;
    if (a == "--plugin") ok = value(o.plugin);
    else if (a == "--connector") ok = value(o.connector);
    else if (a == "--cassette") ok = value(o.cassette);
    else if (a == "--suite") ok = value(o.suite);
    else if (a == "--worker") ok = value(o.worker);
    else if (a == "--format") ok = value(o.format);
    else if (a == "--record") o.record = true;
    else return usage("unknown argument '" + a + "'");
    if (!ok) return usage(a + " needs a value");
  }
  if (o.plugin.empty() || o.connector.empty()) return usage("--plugin and --connector are required");
  if (o.format != "text" && o.format != "json") return usage("--format: expected text or json, not '" + o.format + "'");
  if (!o.suite.empty() && o.suite != "standard") return usage("--suite: the only suite is 'standard', not '" + o.suite + "'");
  try {
    return abm::plugin_test::runHarness(o, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "abm-plugin-test: " << e.what() << "\n";
    return 2;
  }
}
