#include "plugin_host/worker_command.hpp"

#include <nlohmann/json.hpp>

#include "worker/worker_process.hpp"

namespace abm::plugin_host {

WorkerAnswer runWorkerCommand(const config::DaemonConfig& daemon, const PluginInfo& plugin,
                              const config::ConnectorConfig& c, const std::string& command,
                              const std::function<void(std::string_view)>& on_log) {
  WorkerAnswer answer;
  nlohmann::json job = config::workerJob(c, command);
  auto state_dir = config::connectorStateDir(daemon, c.name);
  if (!state_dir) {
    answer.failure = state_dir.error();
    return answer;
  }
  job["state_dir"] = state_dir->string();
  worker::WorkerLimits limits;
  limits.timeout = std::chrono::minutes(2);
  limits.memory_limit_mb = c.memory_limit_mb.value_or(daemon.memory_limit_mb);
  limits.working_dir = c.file.parent_path().string();
  auto proc = worker::WorkerProcess::spawn(daemon.worker_path.string(), {"run", plugin.path.string()}, job.dump(),
                                           limits, [&on_log](std::string_view l) { on_log(l); });
  if (!proc) {
    answer.failure = proc.error();
    return answer;
  }
  std::string_view line;
  wire::MessageParser parser;
  std::string malformed;
  while (proc->next(line) == worker::WorkerProcess::Read::Line) {
    if (line.empty()) continue;
    if (!parser.parse(line)) {
      if (malformed.empty()) malformed = "plugin sent a malformed message: " + parser.error;
      continue;
    }
    if (parser.type == wire::MessageType::Trace && parser.trace.is_error)
      answer.failure = parser.trace.message.empty() ? "plugin error" : parser.trace.message;
    else if (parser.type == wire::MessageType::ConnectionStatus)
      answer.status = parser.connection_status;
    else if (parser.type == wire::MessageType::Log)
      on_log(c.name + ": " + parser.log.message);
    else if (parser.type == wire::MessageType::Catalog)
      answer.streams = parser.catalog.streams;
  }
  const auto exit = proc->wait();
  if (!exit.exited) answer.failure = "plugin crashed: " + exit.describe();
  else if (answer.failure.empty() && !malformed.empty()) answer.failure = malformed;
  else if (answer.failure.empty() && answer.status && !answer.status->succeeded)
    answer.failure = answer.status->message.empty() ? "check failed" : answer.status->message;
  else if (exit.code != 0 && answer.failure.empty()) answer.failure = exit.describe();
  return answer;
}

}  // namespace abm::plugin_host
