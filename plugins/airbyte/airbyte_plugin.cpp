// airbyte: runs an Airbyte source (any executable speaking the Airbyte protocol: spec, check,
// discover, read) as a child of the worker and maps its streams to unified entities through the
// connector file's `streams`. See docs/airbyte.md.
#include <abm/sdk/mapping.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/subprocess.hpp>

#include <string>
#include <vector>

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;
namespace mapping = abm::sdk::mapping;
namespace sp = abm::sdk::subprocess;

namespace {

constexpr abm::sdk::Option kOwnOptions[] = {
    {"command", abm::sdk::OptionType::StringList, true, "",
     "The source's program and its arguments, no shell: [\"node\", \"/opt/sources/crm/bin/main\"]"},
    {"config", abm::sdk::OptionType::Object, false, "{}",
     "The source's own configuration (its spec's connectionSpecification); secrets as ${env:NAME}"},
    {"streams", abm::sdk::OptionType::Object, true, "",
     "Source stream -> {\"entity\", \"fields\", optional \"sync_mode\", \"cursor_field\"} (docs/airbyte.md)"},
};
constexpr auto kOptions = sp::withProcessOptions(kOwnOptions);

// Keys a stream object may carry besides entity and fields.
constexpr std::string_view kStreamKeys[] = {"sync_mode", "cursor_field"};

struct Settings {
  sp::CommonSettings common;
};

Status parse(const json& s, Settings& out) {
  if (std::string why = out.common.parse(s, kStreamKeys); !why.empty()) return Status::error("settings." + why);
  for (const auto& m : out.common.streams) {
    const json& d = m.definition;
    const std::string at = "settings.streams." + m.stream;
    if (d.contains("sync_mode") && d["sync_mode"] != "incremental" && d["sync_mode"] != "full_refresh")
      return Status::error(at + ".sync_mode: expected \"incremental\" or \"full_refresh\"");
    if (d.contains("cursor_field")) {
      const json& c = d["cursor_field"];
      const bool ok = c.is_string() || (c.is_array() && !c.empty() &&
                                        std::all_of(c.begin(), c.end(), [](const json& p) { return p.is_string(); }));
      if (!ok) return Status::error(at + ".cursor_field: expected a field name or a path as a list of names");
    }
  }
  return Status::ok();
}

std::string label(const Settings& s) { return "airbyte source '" + sp::commandLine(s.common.options.argv) + "'"; }

// A run of one Airbyte command with the config (and other files) in a private folder.
struct Invocation {
  sp::PrivateDir dir;
  sp::Options options;
  Status prepare(const Settings& s, const std::string& command) {
    if (std::string why = dir.create("abm-airbyte-"); !why.empty()) return Status::error(why);
    options = s.common.options;
    options.argv.push_back(command);
    if (command == "spec") return Status::ok();
    return add("--config", "config.json", s.common.config.dump());
  }
  Status add(const std::string& flag, const std::string& file, const std::string& content) {
    std::string path;
    if (std::string why = dir.write(file, content, path); !why.empty()) return Status::error(why);
    options.argv.push_back(flag);
    options.argv.push_back(path);
    return Status::ok();
  }
};

abm_log_level levelOf(const std::string& airbyte_level) {
  if (airbyte_level == "FATAL" || airbyte_level == "ERROR") return ABM_LOG_ERROR;
  if (airbyte_level == "WARN") return ABM_LOG_WARN;
  if (airbyte_level == "INFO") return ABM_LOG_INFO;
  return ABM_LOG_DEBUG;
}

// What every command does with LOG, TRACE and CONTROL; false for the other types.
bool common(Host* host, const json& msg, sp::Reported& reported) {
  const std::string type = msg["type"].get<std::string>();
  if (type == "LOG") {
    const json& log = msg.value("log", json::object());
    if (host && log.is_object())
      host->log(levelOf(log.value("level", "INFO")), "source: " + log.value("message", std::string()));
    return true;
  }
  if (type == "TRACE") {
    const json& t = msg.value("trace", json::object());
    if (t.is_object() && t.value("type", "") == "ERROR" && t.contains("error") && t["error"].is_object()) {
      const json& e = t["error"];
      reported.message = e.value("message", std::string("(no message)"));
      reported.transient = e.value("failure_type", "") == "transient_error";
    }
    return true;  // ESTIMATE, STREAM_STATUS, ANALYTICS: nothing for abmd to do
  }
  if (type == "CONTROL") {
    // A changed config (a refreshed token) would have to be written back to the connector file,
    // which abmd never rewrites; its content may be secret, so it is not echoed.
    if (host) host->warn("source sent a CONTROL message (new connector config); abmd keeps the connector file as written");
    return true;
  }
  return false;
}

std::string unknownType(const json& msg, const char* command) {
  return "unexpected message type '" + msg["type"].get<std::string>() + "' during " + command +
         " (RECORD, STATE, LOG, TRACE, CONTROL" + (std::string(command) == "read" ? "" : ", SPEC, CATALOG, CONNECTION_STATUS") + ")";
}

class AirbytePlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    // The spec names the config keys the source requires: missing ones are named before it runs.
    json spec;
    if (Status r = runSimple(&host, s, "spec", "SPEC", "spec", spec); !r.isOk()) return r;
    const json conn = spec.is_object() ? spec.value("connectionSpecification", json::object()) : json::object();
    if (conn.is_object() && conn.contains("required") && conn["required"].is_array())
      for (const auto& key : conn["required"])
        if (key.is_string() && !s.common.config.contains(key.get<std::string>()))
          return Status::error("settings.config." + key.get<std::string>() + ": required by the source's spec");
    json status;
    if (Status r = runSimple(&host, s, "check", "CONNECTION_STATUS", "connectionStatus", status); !r.isOk()) return r;
    if (!status.is_object() || status.value("status", "") != "SUCCEEDED")
      return Status::error(label(s) + " answered FAILED: " +
                           (status.is_object() ? status.value("message", std::string("(no message)")) : "(no status)"));
    return discoverCatalog(&host, settings, s);
  }

  Status listStreams(const json& settings, std::vector<abm::sdk::Stream>& out) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    if (Status d = discoverCatalog(nullptr, settings, s); !d.isOk()) return d;
    out = mapping::streamsOf(s.common.streams, true);
    for (auto& stream : out) {
      const json* source = sourceStream(stream.name);
      stream.incremental = source && syncMode(*s.common.find(stream.name), *source) == "incremental";
    }
    return Status::ok();
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    if (Status d = discoverCatalog(&host, settings, s); !d.isOk()) return d;
    const mapping::StreamMapping* m = s.common.find(stream);
    const json* source = sourceStream(stream);
    if (!m || !source) return Status::error("stream '" + stream + "' is not mapped in settings.streams");

    const std::string mode = syncMode(*m, *source);
    if (mode == "incremental" && !supports(*source, "incremental"))
      return Status::error("settings.streams." + stream + ".sync_mode: the source does not read '" + stream +
                           "' incrementally (it offers " + source->value("supported_sync_modes", json::array()).dump() + ")");
    json configured{{"stream", *source}, {"sync_mode", mode}, {"destination_sync_mode", "append"}};
    if (json cursor = cursorField(*m, *source); !cursor.empty()) configured["cursor_field"] = cursor;
    if (source->contains("source_defined_primary_key")) configured["primary_key"] = (*source)["source_defined_primary_key"];

    Invocation run;
    if (Status p = run.prepare(s, "read"); !p.isOk()) return p;
    if (Status c = run.add("--catalog", "catalog.json", json{{"streams", json::array({configured})}}.dump()); !c.isOk())
      return c;
    if (mode == "incremental" && state.is_object()) {
      // Per-stream and global states go back as the list of state messages the protocol reads;
      // a legacy state goes back as the object it was.
      const std::string type = state.value("type", "");
      const json file = type == "LEGACY" ? state.value("data", json::object()) : json::array({state});
      if (Status c = run.add("--state", "state.json", file.dump()); !c.isOk()) return c;
    }

    sp::Reported reported;
    return sp::runConnector(
        &host, run.options, label(s),
        [&](const json& msg, size_t at) -> sp::Reaction {
          const std::string type = msg["type"].get<std::string>();
          if (type == "RECORD") {
            const json& r = msg.contains("record") ? msg["record"] : json();
            if (!r.is_object() || !r.contains("stream") || !r["stream"].is_string() || !r.contains("data") ||
                !r["data"].is_object())
              return {"RECORD message: expected record.stream (a string) and record.data (an object)"};
            if (r["stream"] != stream) return {};  // not asked for: the configured catalog named one stream
            const bool go_on = sp::emitMapped(host, *m, r["data"], "stdout line " + std::to_string(at));
            return {"", !go_on};
          }
          if (type == "STATE") {
            json kept;
            if (std::string why = stateToKeep(msg.value("state", json()), stream, kept); !why.empty()) return {why};
            if (kept.is_null()) return {};  // another stream's
            return {"", !host.checkpoint(stream, kept)};
          }
          if (common(&host, msg, reported)) return {};
          return {unknownType(msg, "read")};
        },
        reported);
  }

 private:
  // Runs a command whose answer is one message of `type`; its `member` lands in `out`.
  Status runSimple(Host* host, const Settings& s, const std::string& command, const std::string& type,
                   const std::string& member, json& out) {
    Invocation run;
    if (Status p = run.prepare(s, command); !p.isOk()) return p;
    sp::Reported reported;
    bool seen = false;
    Status r = sp::runConnector(
        host, run.options, label(s),
        [&](const json& msg, size_t) -> sp::Reaction {
          if (msg["type"] == type) {
            if (!msg.contains(member) || !msg[member].is_object())
              return {type + " message: \"" + member + "\" must be an object"};
            out = msg[member];
            seen = true;
            return {};
          }
          if (common(host, msg, reported) || msg["type"] == "RECORD" || msg["type"] == "STATE") return {};
          return {unknownType(msg, command.c_str())};
        },
        reported);
    if (!r.isOk()) return r;
    if (!seen) return Status::error(label(s) + ": its " + command + " sent no " + type + " message");
    return Status::ok();
  }

  // The source's catalog, asked once per worker run (and settings), and checked against the mapping.
  Status discoverCatalog(Host* host, const json& settings, const Settings& s) {
    const std::string key = settings.dump();
    if (key != catalog_key_) {
      json catalog;
      if (Status r = runSimple(host, s, "discover", "CATALOG", "catalog", catalog); !r.isOk()) return r;
      if (!catalog.contains("streams") || !catalog["streams"].is_array())
        return Status::error(label(s) + ": CATALOG message: catalog.streams must be a list");
      for (const auto& st : catalog["streams"])
        if (!st.is_object() || !st.contains("name") || !st["name"].is_string() || !st.contains("json_schema"))
          return Status::error(label(s) + ": CATALOG message: every stream needs a name and a json_schema");
      catalog_ = catalog["streams"];
      catalog_key_ = key;
    }
    std::vector<std::string> offered;
    for (const auto& st : catalog_) offered.push_back(st["name"].get<std::string>());
    if (std::string why = s.common.checkOffered(offered); !why.empty()) return Status::error("settings." + why);
    return Status::ok();
  }

  const json* sourceStream(const std::string& name) const {
    for (const auto& st : catalog_)
      if (st["name"] == name) return &st;
    return nullptr;
  }

  static bool supports(const json& source, const char* mode) {
    const json modes = source.value("supported_sync_modes", json::array({"full_refresh"}));
    return modes.is_array() && std::find(modes.begin(), modes.end(), mode) != modes.end();
  }

  // Incremental when the mapping asks for it, or does not say and the source can (it defines its
  // cursor, or names a default one, or the mapping names one).
  static std::string syncMode(const mapping::StreamMapping& m, const json& source) {
    if (m.definition.contains("sync_mode")) return m.definition["sync_mode"].get<std::string>();
    const bool has_cursor = source.value("source_defined_cursor", false) ||
                            !source.value("default_cursor_field", json::array()).empty() ||
                            m.definition.contains("cursor_field");
    return supports(source, "incremental") && has_cursor ? "incremental" : "full_refresh";
  }

  static json cursorField(const mapping::StreamMapping& m, const json& source) {
    if (m.definition.contains("cursor_field")) {
      const json& c = m.definition["cursor_field"];
      return c.is_string() ? json::array({c}) : c;
    }
    const json d = source.value("default_cursor_field", json::array());
    return d.is_array() ? d : json::array();
  }

  // The checkpoint kept for `stream` from a STATE message's `state` (null when it is another
  // stream's), or why the message cannot be used.
  static std::string stateToKeep(const json& st, const std::string& stream, json& kept) {
    if (!st.is_object()) return "STATE message: \"state\" must be an object";
    const std::string type = st.value("type", st.contains("data") ? "LEGACY" : "");
    if (type == "STREAM") {
      const json& s = st.value("stream", json());
      if (!s.is_object() || !s.contains("stream_descriptor") || !s["stream_descriptor"].is_object() ||
          !s["stream_descriptor"].contains("name"))
        return "STATE message: a STREAM state needs state.stream.stream_descriptor.name";
      if (s["stream_descriptor"]["name"] != stream) return {};
      kept = json{{"type", "STREAM"}, {"stream", s}};
      return {};
    }
    if (type == "GLOBAL") {
      if (!st.contains("global") || !st["global"].is_object()) return "STATE message: a GLOBAL state needs state.global";
      kept = json{{"type", "GLOBAL"}, {"global", st["global"]}};
      return {};
    }
    if (type == "LEGACY") {
      if (!st.contains("data") || !st["data"].is_object()) return "STATE message: a LEGACY state needs state.data";
      kept = json{{"type", "LEGACY"}, {"data", st["data"]}};
      return {};
    }
    return "STATE message: unknown state type '" + type + "' (STREAM, GLOBAL or LEGACY)";
  }

  std::string catalog_key_;
  json catalog_ = json::array();
};

}  // namespace

ABM_PLUGIN(AirbytePlugin, "airbyte", "1.0.0", "external",
           "Runs an Airbyte source (any executable speaking the Airbyte protocol) and maps its streams", kOptions)
