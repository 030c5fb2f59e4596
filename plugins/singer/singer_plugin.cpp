// singer: runs a Singer tap (any executable speaking the Singer spec: --config, --discover,
// --catalog/--properties, --state) as a child of the worker and maps its streams to unified
// entities through the connector file's `streams`. See docs/singer.md.
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
     "The tap's program and its arguments, no shell: [\"tap-github\"] or [\"python3\", \"/opt/tap.py\"]"},
    {"config", abm::sdk::OptionType::Object, false, "{}", "The tap's own configuration; secrets as ${env:NAME}"},
    {"streams", abm::sdk::OptionType::Object, true, "",
     "Tap stream -> {\"entity\", \"fields\", optional \"replication_method\", \"replication_key\"} (docs/singer.md)"},
    {"catalog_flag", abm::sdk::OptionType::String, false, "\"--catalog\"",
     "How the tap takes its catalog: --catalog, or --properties for older taps", false,
     R"(["--catalog", "--properties"])"},
};
constexpr auto kOptions = sp::withProcessOptions(kOwnOptions);

constexpr std::string_view kStreamKeys[] = {"replication_method", "replication_key"};

struct Settings {
  sp::CommonSettings common;
  std::string catalog_flag = "--catalog";
};

Status parse(const json& s, Settings& out) {
  if (std::string why = out.common.parse(s, kStreamKeys); !why.empty()) return Status::error("settings." + why);
  out.catalog_flag = s.value("catalog_flag", "--catalog");
  for (const auto& m : out.common.streams) {
    const json& d = m.definition;
    const std::string at = "settings.streams." + m.stream;
    if (d.contains("replication_method") && d["replication_method"] != "INCREMENTAL" &&
        d["replication_method"] != "FULL_TABLE" && d["replication_method"] != "LOG_BASED")
      return Status::error(at + ".replication_method: expected \"INCREMENTAL\", \"FULL_TABLE\" or \"LOG_BASED\"");
    if (d.contains("replication_key") && !d["replication_key"].is_string())
      return Status::error(at + ".replication_key: expected the name of the field the tap keeps its bookmark on");
  }
  return Status::ok();
}

std::string label(const Settings& s) { return "singer tap '" + sp::commandLine(s.common.options.argv) + "'"; }

// A stream's catalog entry is named by tap_stream_id, or by stream in taps that give no id.
std::string nameOf(const json& entry) {
  if (entry.contains("tap_stream_id") && entry["tap_stream_id"].is_string()) return entry["tap_stream_id"];
  return entry.value("stream", "");
}

// The metadata entry for `breadcrumb`, added when the tap gave none.
json& metadataAt(json& entry, const json& breadcrumb) {
  if (!entry.contains("metadata") || !entry["metadata"].is_array()) entry["metadata"] = json::array();
  for (auto& m : entry["metadata"])
    if (m.is_object() && m.value("breadcrumb", json()) == breadcrumb) {
      if (!m.contains("metadata") || !m["metadata"].is_object()) m["metadata"] = json::object();
      return m["metadata"];
    }
  entry["metadata"].push_back(json{{"breadcrumb", breadcrumb}, {"metadata", json::object()}});
  return entry["metadata"].back()["metadata"];
}

// The discovered catalog with only `m`'s stream selected (with all its fields the tap can give),
// and the mapping's replication settings on it.
json selectOnly(const json& catalog, const mapping::StreamMapping& m) {
  json out = catalog;
  for (auto& entry : out["streams"]) {
    const bool chosen = nameOf(entry) == m.stream;
    json& top = metadataAt(entry, json::array());
    top["selected"] = chosen;
    if (!chosen) continue;
    if (m.definition.contains("replication_method")) top["replication-method"] = m.definition["replication_method"];
    if (m.definition.contains("replication_key"))
      top["replication-key"] = m.definition["replication_key"];
    const json props = entry.value("schema", json::object()).value("properties", json::object());
    if (!props.is_object()) continue;
    for (const auto& [field, schema] : props.items()) {
      json& meta = metadataAt(entry, json::array({"properties", field}));
      if (meta.value("inclusion", "") != "unsupported") meta["selected"] = true;
    }
  }
  return out;
}

class SingerPlugin : public abm::sdk::Plugin {
 public:
  // Taps have no check of their own: discovery runs with the config and proves it.
  Status check(Host& host, const json& settings) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    return discoverCatalog(&host, settings, s);
  }

  Status listStreams(const json& settings, std::vector<abm::sdk::Stream>& out) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    if (Status d = discoverCatalog(nullptr, settings, s); !d.isOk()) return d;
    out = mapping::streamsOf(s.common.streams, true);
    for (auto& stream : out) stream.incremental = replicationMethod(*s.common.find(stream.name)) != "FULL_TABLE";
    return Status::ok();
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    Settings s;
    if (Status p = parse(settings, s); !p.isOk()) return p;
    if (Status d = discoverCatalog(&host, settings, s); !d.isOk()) return d;
    const mapping::StreamMapping* m = s.common.find(stream);
    if (!m) return Status::error("stream '" + stream + "' is not mapped in settings.streams");
    // RECORD messages name the stream by its "stream" (often the same as tap_stream_id).
    std::vector<std::string> names = {stream};
    for (const auto& entry : catalog_["streams"])
      if (nameOf(entry) == stream && entry.contains("stream") && entry["stream"].is_string()) names.push_back(entry["stream"]);

    sp::PrivateDir dir;
    if (std::string why = dir.create("abm-singer-"); !why.empty()) return Status::error(why);
    sp::Options o = s.common.options;
    std::string path;
    auto add = [&](const std::string& flag, const std::string& file, const std::string& content) {
      std::string why = dir.write(file, content, path);
      o.argv.insert(o.argv.end(), {flag, path});
      return why;
    };
    std::string why = add("--config", "config.json", s.common.config.dump());
    if (why.empty()) why = add(s.catalog_flag, "catalog.json", selectOnly(catalog_, *m).dump());
    if (why.empty() && state.is_object() && replicationMethod(*m) != "FULL_TABLE")
      why = add("--state", "state.json", state.dump());
    if (!why.empty()) return Status::error(why);

    return sp::runConnector(&host, o, label(s), [&](const json& msg, size_t at) -> sp::Reaction {
      const std::string type = msg["type"].get<std::string>();
      if (type == "RECORD") {
        if (!msg.contains("stream") || !msg["stream"].is_string() || !msg.contains("record") || !msg["record"].is_object())
          return {"RECORD message: expected \"stream\" (a string) and \"record\" (an object)"};
        if (std::find(names.begin(), names.end(), msg["stream"].get<std::string>()) == names.end()) return {};
        return {"", !sp::emitMapped(host, *m, msg["record"], "stdout line " + std::to_string(at))};
      }
      if (type == "STATE") {
        // The tap's whole state (its bookmarks) is this stream's checkpoint: each stream runs alone
        // and gets back its own copy.
        if (!msg.contains("value") || !msg["value"].is_object())
          return {"STATE message: \"value\" must be an object (the tap's bookmarks)"};
        return {"", !host.checkpoint(stream, msg["value"])};
      }
      if (type == "SCHEMA") {
        if (!msg.contains("stream") || !msg["stream"].is_string()) return {"SCHEMA message: \"stream\" must be a string"};
        return {};
      }
      if (type == "ACTIVATE_VERSION") return {};  // a full table's new version: abmd keeps rows by id anyway
      if (type == "BATCH")
        return {"BATCH messages are not read by abmd; turn batch output off in the tap's config"};
      return {"unknown message type '" + type + "' (SCHEMA, RECORD, STATE, ACTIVATE_VERSION)"};
    });
  }

 private:
  // The tap's catalog (one JSON document on stdout, often pretty-printed), asked once per worker
  // run, and checked against the mapping.
  Status discoverCatalog(Host* host, const json& settings, const Settings& s) {
    const std::string key = settings.dump();
    if (key != catalog_key_) {
      sp::PrivateDir dir;
      if (std::string why = dir.create("abm-singer-"); !why.empty()) return Status::error(why);
      sp::Options o = s.common.options;
      std::string path;
      if (std::string why = dir.write("config.json", s.common.config.dump(), path); !why.empty())
        return Status::error(why);
      o.argv.insert(o.argv.end(), {"--config", path, "--discover"});
      std::string text;
      Status r = sp::runLines(host, o, label(s) + " --discover", [&](std::string_view line, size_t) -> sp::Reaction {
        text.append(line).push_back('\n');
        if (text.size() > o.max_line_bytes)
          return {"its catalog is larger than " + std::to_string(o.max_line_bytes) +
                  " bytes (raise \"max_line_bytes\" in the settings)"};
        return {};
      });
      if (!r.isOk()) return r;
      json catalog;
      if (!abm::sdk::nestsDeeperThan(text, sp::kMaxJsonDepth)) catalog = json::parse(text, nullptr, false);
      if (!catalog.is_object() || !catalog.contains("streams") || !catalog["streams"].is_array())
        return Status::error(label(s) + " --discover: its output is not a catalog (a JSON object with a \"streams\" list): '" +
                             sp::excerpt(text) + "'");
      for (const auto& entry : catalog["streams"])
        if (!entry.is_object() || nameOf(entry).empty())
          return Status::error(label(s) + " --discover: every catalog stream needs a tap_stream_id or a stream name");
      catalog_ = std::move(catalog);
      catalog_key_ = key;
    }
    std::vector<std::string> offered;
    for (const auto& entry : catalog_["streams"]) offered.push_back(nameOf(entry));
    if (std::string why = s.common.checkOffered(offered); !why.empty()) return Status::error("settings." + why);
    return Status::ok();
  }

  // The mapping's replication method for the stream, else the one the tap's catalog sets or forces
  // ("" when neither says: the tap decides, and gets its state back).
  std::string replicationMethod(const mapping::StreamMapping& m) const {
    if (m.definition.contains("replication_method")) return m.definition["replication_method"];
    for (const auto& entry : catalog_["streams"]) {
      if (nameOf(entry) != m.stream || !entry.contains("metadata") || !entry["metadata"].is_array()) continue;
      for (const auto& md : entry["metadata"]) {
        if (!md.is_object() || md.value("breadcrumb", json()) != json::array() || !md.contains("metadata") ||
            !md["metadata"].is_object())
          continue;
        for (const char* key : {"replication-method", "forced-replication-method"})
          if (md["metadata"].contains(key) && md["metadata"][key].is_string()) return md["metadata"][key];
      }
    }
    return {};
  }

  std::string catalog_key_;
  json catalog_;
};

}  // namespace

ABM_PLUGIN(SingerPlugin, "singer", "1.0.0", "external",
           "Runs a Singer tap (any executable speaking the Singer spec) and maps its streams", kOptions)
