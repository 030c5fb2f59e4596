// abm-plugin-test: runs a plugin's check, discover and read in a worker, as abmd does, against a
// cassette of recorded vendor exchanges (or records one), into a throwaway SQLite store through the
// real pipeline, and reports per stream. docs/plugin-testing.md.
#pragma once

#include <ostream>
#include <string>

namespace abm::plugin_test {

struct HarnessOptions {
  std::string plugin;     // the plugin library (.so)
  std::string connector;  // a connector file for it
  std::string cassette;   // replay from (or, with record, write to) this file; "" runs as configured
  bool record = false;
  std::string suite;      // "" or "standard"
  std::string worker;     // abmd-worker; "" is the one beside this executable
  std::string format = "text";  // text or json
};

// Exit codes: 0 every check passed, 1 something failed (the report says what), 2 the command line,
// plugin, connector file or cassette is unusable (one line on `err` says which and why).
int runHarness(const HarnessOptions& o, std::ostream& out, std::ostream& err);

}  // namespace abm::plugin_test
