#include "plugin_host/plugin_registry.hpp"

#include <algorithm>

#include "wire/protocol.hpp"
#include "worker/worker_process.hpp"

namespace abm::plugin_host {

namespace fs = std::filesystem;

Result<PluginInfo> describePlugin(const fs::path& f, const fs::path& worker) {
  worker::WorkerLimits limits;
  limits.timeout = std::chrono::seconds(20);
  limits.memory_limit_mb = 512;
  auto proc = worker::WorkerProcess::spawn(worker.string(), {"describe", f.string()}, "", limits, nullptr);
  if (!proc) return proc.status();
  std::string_view line;
  std::string problem = "describe produced no output";
  std::optional<PluginInfo> info;
  wire::MessageParser parser;
  while (proc->next(line) == worker::WorkerProcess::Read::Line) {
    if (!parser.parse(line)) {
      problem = "plugin " + f.string() + ": sent a malformed message while describing itself: " + parser.error;
      continue;
    }
    if (parser.type == wire::MessageType::Trace && parser.trace.is_error) {
      problem = parser.trace.message.empty() ? "plugin " + f.string() + ": unknown error" : parser.trace.message;
    } else if (parser.type == wire::MessageType::Spec) {
      const auto& s = parser.spec;
      PluginInfo p;
      p.name = s.name;
      p.version = s.version;
      p.kind = s.kind;
      p.description = s.description;
      p.abi = s.abi;
      p.shipped = s.shipped;
      p.path = f;
      p.options_json = s.options_json;
      auto opts = config::parseOptionSpecs(s.options_json);
      if (!opts) {
        problem = "plugin " + f.string() + ": " + opts.error();
        continue;
      }
      p.options = std::move(*opts);
      info = std::move(p);
    }
  }
  const auto exit = proc->wait();
  if (!info) {
    if (!exit.exited) problem = "plugin " + f.string() + ": crashed while loading (" + exit.describe() + ")";
    return Status::error(problem);
  }
  return std::move(*info);
}

PluginRegistry PluginRegistry::scan(const fs::path& dir, const fs::path& worker) {
  PluginRegistry reg;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    reg.problems_.push_back(dir.string() + ": plugin folder not found (set \"plugin_dir\" in the daemon config)");
    reg.plugins_.emplace("events", eventsPluginInfo());
    return reg;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".so") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto info = describePlugin(f, worker);
    if (!info) {
      reg.problems_.push_back(info.error());
      continue;
    }
    if (auto [it, fresh] = reg.plugins_.emplace(info->name, *info); !fresh)
      reg.problems_.push_back("plugin " + f.string() + ": name '" + info->name + "' is already taken by " +
                              it->second.path.string());
  }
  const auto events = eventsPluginInfo();
  if (auto [it, fresh] = reg.plugins_.emplace(events.name, events); !fresh)
    reg.problems_.push_back("plugin " + it->second.path.string() + ": name 'events' is the daemon's built-in event "
                            "collector; the built-in one is used");
  reg.plugins_[events.name] = events;
  return reg;
}

const PluginInfo* PluginRegistry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second;
}

}  // namespace abm::plugin_host
