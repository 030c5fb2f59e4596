// csv: loads the unified entities from CSV (RFC 4180) or NDJSON files in one folder, one file per
// entity: accounts, contacts, opportunities, campaigns, touchpoints, ad_spend, survey_responses (.csv,
// .ndjson or .jsonl). See README.md beside this file.
#include <abm/sdk/entities.hpp>
#include <abm/sdk/plugin.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <map>
#include <set>

#include "csv_reader.hpp"
#include "json_depth.hpp"
#include "line_reader.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

namespace {

constexpr abm::sdk::Option kOptions[] = {
    {"path", abm::sdk::OptionType::String, true, "", "Folder holding accounts.csv, contacts.csv, ... (or .ndjson)"},
    {"column_mapping", abm::sdk::OptionType::StringMap, false, "{}",
     "Source header -> unified column, e.g. {\"Company Domain\": \"domain\"}"},
    {"delimiter", abm::sdk::OptionType::String, false, "\",\"", "Field separator of the CSV files (one character)"},
    {"checkpoint_every", abm::sdk::OptionType::Integer, false, "10000", "Rows between checkpoints"},
};

struct SourceFile {
  fs::path path;
  bool ndjson = false;
};

const char* kindOf(fs::file_type t) {
  switch (t) {
    case fs::file_type::directory: return "a folder";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    default: return "not a regular file";
  }
}

// The `path` setting as a folder that can be listed, or why not.
Status sourceFolder(const json& settings, fs::path& dir) {
  const auto& text = settings["path"].get_ref<const std::string&>();
  if (text.empty()) return Status::error("settings.path is empty: name the folder that holds the data files");
  dir = text;
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found)
    return Status::error("path " + text + " does not exist (a relative path starts at the connector file's folder)");
  if (ec) return Status::error("path " + text + " cannot be read: " + ec.message());
  if (st.type() != fs::file_type::directory) return Status::error("path " + text + " is " + kindOf(st.type()) + ", not a folder");
  if (::access(dir.c_str(), R_OK | X_OK) != 0)
    return Status::error("path " + text + " is a folder this user cannot read: " + std::strerror(errno));
  return Status::ok();
}

// The file holding `entity`, if any. An entity has at most one file, and a name that exists must be
// a regular file (or a link to one): a folder, FIFO or broken link named like a data file is an
// error, never a silent skip, since skipping it would load less than the folder shows.
Status locate(const fs::path& dir, const std::string& entity, std::optional<SourceFile>& out) {
  out.reset();
  for (const char* ext : {".csv", ".ndjson", ".jsonl"}) {
    const fs::path p = dir / (entity + ext);
    const std::string name = p.filename().string();
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (st.type() == fs::file_type::not_found) {
      std::error_code ignored;
      if (fs::is_symlink(fs::symlink_status(p, ignored)))
        return Status::error(name + " in " + dir.string() + " is a link to nothing; fix or remove it");
      continue;
    }
    if (ec) return Status::error(name + " in " + dir.string() + " cannot be read: " + ec.message());
    if (st.type() != fs::file_type::regular)
      return Status::error(name + " in " + dir.string() + " is " + kindOf(st.type()) +
                           ", not a data file; rename or remove it");
    if (out)
      return Status::error(out->path.filename().string() + " and " + name + " both exist in " + dir.string() +
                           ": keep one file per entity");
    out = SourceFile{p, std::string(ext) != ".csv"};
  }
  return Status::ok();
}

// What identifies a version of a file: its size and modification time.
json fingerprint(const fs::path& p) {
  struct stat st{};
  ::stat(p.c_str(), &st);
  return json{{"file", p.filename().string()},
              {"size", static_cast<int64_t>(st.st_size)},
              {"mtime_ns", static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec}};
}

bool sameVersion(const json& state, const json& fp) {
  return state.is_object() && state.value("file", "") == fp["file"] && state.value("size", -1) == fp["size"] &&
         state.value("mtime_ns", int64_t{-1}) == fp["mtime_ns"];
}

// accounts: a column (or NDJSON key) "properties.<key>" is one key of the account's properties.
constexpr std::string_view kPropertyPrefix = "properties.";

// The property key a column names in `entity`, or empty when it names none.
std::string_view propertyKey(std::string_view entity, std::string_view column) {
  if (entity != "accounts" || column.substr(0, kPropertyPrefix.size()) != kPropertyPrefix) return {};
  return column.substr(kPropertyPrefix.size());
}

// A property cell: JSON when it is a JSON number, true, false, null, array or object (["Salesforce",
// "HubSpot"], 42, true), else the text itself ("high", "01234", "Salesforce").
void addPropertyCell(abm::sdk::JsonObjectWriter& props, std::string_view key, std::string_view cell) {
  const json v = json::parse(cell, nullptr, false);
  if (!v.is_discarded() && !v.is_string()) props.addRaw(key, v.dump());
  else props.add(key, cell);
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

class CsvPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host&, const json& settings) override {
    if (settings["delimiter"].get<std::string>().size() != 1)
      return Status::error("delimiter must be exactly one character");
    std::vector<abm::sdk::Stream> streams;
    return listStreams(settings, streams);
  }

  Status listStreams(const json& settings, std::vector<abm::sdk::Stream>& out) override {
    fs::path dir;
    if (Status s = sourceFolder(settings, dir); !s.isOk()) return s;
    out.clear();
    for (auto e : abm::sdk::kEntityNames) {
      std::optional<SourceFile> file;
      if (Status s = locate(dir, std::string(e), file); !s.isOk()) return s;
      if (file) out.push_back({std::string(e), std::string(e), true});
    }
    if (out.empty())
      return Status::error("no data files in " + dir.string() +
                           " (expected accounts.csv, contacts.csv, opportunities.csv, campaigns.csv, touchpoints.csv,"
                           " ad_spend.csv or survey_responses.csv, or the same names with .ndjson)");
    return Status::ok();
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    fs::path dir;
    if (Status s = sourceFolder(settings, dir); !s.isOk()) return s;
    std::optional<SourceFile> file;
    if (Status s = locate(dir, stream, file); !s.isOk()) return s;
    if (!file) return Status::error("file for stream " + stream + " vanished from " + dir.string());
    json fp = fingerprint(file->path);
    if (sameVersion(state, fp) && state.value("complete", false)) {
      host.info(file->path.filename().string() + " unchanged since the last sync; skipped");
      return Status::ok();
    }
    const bool resume = sameVersion(state, fp);
    const uint64_t offset = resume ? state.value("offset", uint64_t{0}) : 0;
    const uint64_t line = resume ? state.value("line", uint64_t{1}) : 1;
    if (resume) host.info(file->path.filename().string() + ": resuming at line " + std::to_string(line));
    const auto& delim = settings["delimiter"].get_ref<const std::string&>();
    if (delim.size() != 1) return Status::error("delimiter must be exactly one character");
    Ctx ctx{host, stream, file->path.filename().string(), fp, settings["checkpoint_every"].get<int64_t>()};
    for (const auto& [from, to] : settings["column_mapping"].items()) ctx.mapping[from] = to.get<std::string>();
    return file->ndjson ? readNdjson(ctx, file->path, offset, line) : readCsv(ctx, file->path, delim[0], offset, line);
  }

 private:
  struct Ctx {
    Host& host;
    const std::string& stream;
    std::string file_name;
    json fp;
    int64_t checkpoint_every;
    std::map<std::string, std::string> mapping;
    std::string origin;

    const std::string& originAt(uint64_t line) {
      origin = file_name;
      origin += ':';
      origin += std::to_string(line);
      return origin;
    }
    // Returns false when the host asked to stop.
    bool checkpoint(uint64_t offset, uint64_t next_line, bool complete) {
      json s = fp;
      s["offset"] = offset;
      s["line"] = next_line;
      s["complete"] = complete;
      return host.checkpoint(stream, s);
    }
    std::string mapped(const std::string& name) const {
      auto it = mapping.find(name);
      return it == mapping.end() ? name : it->second;
    }
  };

  static bool isField(std::string_view entity, std::string_view name) {
    for (const auto& f : abm::sdk::fieldsOfEntity(entity))
      if (f.name == name) return true;
    return false;
  }

  Status readCsv(Ctx& ctx, const fs::path& path, char delim, uint64_t offset, uint64_t line) {
    // The header is always read from the top; a resumed read then jumps to its checkpoint.
    abm::csv::CsvReader header_reader;
    if (!header_reader.open(path.string(), delim)) return Status::error(header_reader.openError());
    std::vector<std::string_view> fields;
    std::string error;
    if (header_reader.next(fields, error) != abm::csv::CsvReader::Result::Record)
      return Status::error(ctx.file_name + ":1: no header row" + (error.empty() ? "" : " (" + error + ")"));

    // Property: a touchpoint's extra column (text); AccountProperty: an account's properties.<key>.
    enum class Use { Field, Property, AccountProperty, Ignore };
    std::vector<std::pair<std::string, Use>> columns;
    std::set<std::string> seen;
    const bool touchpoints = ctx.stream == "touchpoints";
    const bool has_properties = touchpoints || ctx.stream == "accounts";
    for (auto h : fields) {
      std::string name = ctx.mapped(trimmed(h));
      if (!seen.insert(name).second)
        return Status::error(ctx.file_name + ":1: column '" + name + "' appears twice (after column_mapping)");
      Use use = isField(ctx.stream, name) ? Use::Field : (touchpoints ? Use::Property : Use::Ignore);
      if (const auto key = propertyKey(ctx.stream, name); !key.empty()) {
        use = Use::AccountProperty;
        name = std::string(key);
      }
      if (use == Use::Ignore)
        ctx.host.warn(ctx.file_name + ": column '" + name + "' is not a " + ctx.stream + " field; ignored" +
                      (ctx.stream == "accounts" ? " (name it properties." + name + " to keep it in properties)" : ""));
      columns.emplace_back(std::move(name), use);
    }
    for (const auto& f : abm::sdk::fieldsOfEntity(ctx.stream))
      if (f.required && !seen.count(std::string(f.name)))
        return Status::error(ctx.file_name + ":1: header lacks required column '" + std::string(f.name) +
                             "' (map a source header to it with column_mapping)");
    const uint64_t data_offset = header_reader.offset();

    abm::csv::CsvReader reader;
    if (!reader.open(path.string(), delim, offset > 0 ? offset : data_offset, offset > 0 ? line : header_reader.line()))
      return Status::error(reader.openError());
    abm::sdk::JsonObjectWriter record, props;
    int64_t since_checkpoint = 0;
    while (true) {
      const auto r = reader.next(fields, error);
      if (r == abm::csv::CsvReader::Result::End) break;
      if (r == abm::csv::CsvReader::Result::Malformed) {
        ctx.host.reject(ctx.stream, ctx.originAt(reader.recordLine()), error + "; reading resumes at the next line",
                        reader.rawRecord());
        continue;
      }
      if (fields.size() != columns.size()) {
        ctx.host.reject(ctx.stream, ctx.originAt(reader.recordLine()),
                        "expected " + std::to_string(columns.size()) + " fields as in the header, found " +
                            std::to_string(fields.size()),
                        reader.rawRecord());
        continue;
      }
      record.reset();
      props.reset();
      bool has_props = false;
      std::string_view props_column;
      bool too_deep = false;
      for (size_t i = 0; i < fields.size(); ++i) {
        const auto& [name, use] = columns[i];
        if (fields[i].empty() || use == Use::Ignore) continue;
        if (use == Use::Property) {
          props.add(name, fields[i]);
          has_props = true;
        } else if (use == Use::AccountProperty) {
          too_deep |= abm::csv::nestsDeeperThan(fields[i], abm::csv::kMaxJsonDepth);
          addPropertyCell(props, name, fields[i]);
          has_props = true;
        } else if (has_properties && name == "properties") {
          props_column = fields[i];
        } else {
          record.add(name, fields[i]);
        }
      }
      if (too_deep || abm::csv::nestsDeeperThan(props_column, abm::csv::kMaxJsonDepth)) {
        ctx.host.reject(ctx.stream, ctx.originAt(reader.recordLine()),
                        "properties nested deeper than " + std::to_string(abm::csv::kMaxJsonDepth) + " levels",
                        reader.rawRecord());
        continue;
      }
      if (has_props && !props_column.empty()) {
        json merged = json::parse(props_column, nullptr, false);
        if (!merged.is_object()) {
          ctx.host.reject(ctx.stream, ctx.originAt(reader.recordLine()), "properties is not a JSON object",
                          reader.rawRecord());
          continue;
        }
        merged.update(json::parse(props.finish()));
        record.addRaw("properties", merged.dump());
      } else if (has_props) {
        record.addRaw("properties", props.finish());
      } else if (!props_column.empty()) {
        record.add("properties", props_column);
      }
      const bool go_on = ctx.host.emit(ctx.stream, record.finish(), ctx.originAt(reader.recordLine()).c_str());
      if (!go_on || ++since_checkpoint >= ctx.checkpoint_every) {
        since_checkpoint = 0;
        if (!ctx.checkpoint(reader.offset(), reader.line(), false) || !go_on) return Status::ok();
      }
    }
    ctx.checkpoint(reader.offset(), reader.line(), true);
    return Status::ok();
  }

  Status readNdjson(Ctx& ctx, const fs::path& path, uint64_t offset, uint64_t line) {
    abm::csv::LineReader reader;
    if (!reader.open(path.string(), offset)) return Status::error(reader.openError());
    uint64_t line_no = line;
    int64_t since_checkpoint = 0;
    std::string_view text;
    for (auto r = reader.next(text); r != abm::csv::LineReader::Result::End; r = reader.next(text), ++line_no) {
      if (r == abm::csv::LineReader::Result::TooLong) {
        ctx.host.reject(ctx.stream, ctx.originAt(line_no),
                        "a line longer than " + std::to_string(abm::csv::LineReader::kMaxLineBytes) + " bytes", text);
        continue;
      }
      if (line_no == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      if (abm::csv::nestsDeeperThan(text, abm::csv::kMaxJsonDepth)) {
        ctx.host.reject(ctx.stream, ctx.originAt(line_no),
                        "nested deeper than " + std::to_string(abm::csv::kMaxJsonDepth) + " levels", text);
        continue;
      }
      json j = json::parse(text, nullptr, false);
      if (!j.is_object()) {
        ctx.host.reject(ctx.stream, ctx.originAt(line_no), j.is_discarded() ? "not valid JSON" : "not a JSON object",
                        text);
        continue;
      }
      json out = json::object();
      json extra = json::object();
      for (auto& [k, v] : j.items()) {
        const std::string name = ctx.mapped(k);
        if (isField(ctx.stream, name)) out[name] = std::move(v);
        else if (const auto key = propertyKey(ctx.stream, name); !key.empty()) extra[std::string(key)] = std::move(v);
        else if (ctx.stream == "touchpoints") extra[name] = std::move(v);
      }
      if (!extra.empty()) {
        if (out.contains("properties") && out["properties"].is_object()) extra.update(out["properties"]);
        out["properties"] = std::move(extra);
      }
      const bool go_on = ctx.host.emit(ctx.stream, out.dump(), ctx.originAt(line_no).c_str());
      if (!go_on || ++since_checkpoint >= ctx.checkpoint_every) {
        since_checkpoint = 0;
        if (!ctx.checkpoint(std::min<uint64_t>(reader.offset(), ctx.fp["size"].get<uint64_t>()), line_no + 1, false) ||
            !go_on)
          return Status::ok();
      }
    }
    ctx.checkpoint(ctx.fp["size"].get<uint64_t>(), line_no, true);
    return Status::ok();
  }
};

}  // namespace

ABM_PLUGIN(CsvPlugin, "csv", "1.0.0", "file", "CSV and NDJSON files, one per unified entity", kOptions)
