#include "pipeline/message_reader.hpp"

#include "common/timestamp.hpp"
#include "log/logger.hpp"

namespace abm::pipeline {

using nlohmann::json;

namespace {

constexpr size_t kBatchRecords = 4096;

// Text a row holds in the parser's scratch (decoded escapes) is copied into the row itself, since
// the scratch is reused by the next line.
void pinToLine(Row& row, std::string_view line) {
  for (size_t i = 0; i < kMaxFields; ++i) {
    Value& v = row.v[i];
    if (v.kind != Value::Text) continue;
    const bool in_line = v.text.data() >= line.data() && v.text.data() + v.text.size() <= line.data() + line.size();
    const bool in_own = v.text.data() >= row.own[i].data() && v.text.data() <= row.own[i].data() + row.own[i].size();
    if (in_line || in_own) continue;
    row.own[i].assign(v.text);
    v.text = row.own[i];
  }
}

}  // namespace

void MessageReader::run() {
  auto batch = std::make_unique<Batch>();
  std::string_view line;
  using R = worker::WorkerProcess::Read;
  while (true) {
    // Hand over what we have before waiting on a slow plugin, so its records are not held back.
    if (batch->records >= kBatchRecords || (!batch->items.empty() && !proc_.hasBufferedLine())) {
      if (!out_.push(std::move(batch))) {  // the writing side gave up
        proc_.kill();
        end = R::Eof;
        return;
      }
      batch = std::make_unique<Batch>();
    }
    end = proc_.next(line);
    if (end != R::Line) break;
    if (!handle(batch->keep(line), *batch)) {
      proc_.kill();
      break;
    }
  }
  out_.push(std::move(batch));
  out_.close();
}

bool MessageReader::handle(std::string_view line, Batch& batch) {
  ++line_no_;
  if (line.empty()) return true;
  if (!parser_.parse(line)) {
    std::string head(line.substr(0, 120));
    for (char& ch : head)
      if (static_cast<unsigned char>(ch) < 0x20) ch = '?';
    return fail("plugin sent a malformed message (line " + std::to_string(line_no_) + "): " + parser_.error + ": " +
                head);
  }
  switch (parser_.type) {
    case worker::MessageType::Record: {
      const auto& rec = parser_.record;
      auto it = streams_.find(rec.stream);
      if (it == streams_.end())
        return fail("plugin sent a record of stream '" + std::string(rec.stream) + "' that it did not declare");
      Row& row = batch.newRow();
      if (!validateRecord(it->second, rec.fields, row, error_)) {
        batch.dropLastRow();
        batch.items.push_back({BatchItem::Reject, nullptr, std::string(rec.stream), error_, std::string(rec.origin),
                               std::string(rec.data_raw)});
        return true;
      }
      pinToLine(row, line);
      batch.items.push_back({BatchItem::Record, &row, {}, {}, {}, {}});
      ++batch.records;
      return true;
    }
    case worker::MessageType::State: {
      const json& st = parser_.other["state"];
      if (!st.is_object() || !st.contains("stream"))
        return fail("plugin sent a STATE message without a per-stream state");
      const json& s = st["stream"];
      const std::string stream = s.value("stream_descriptor", json::object()).value("name", "");
      if (stream.empty() || !s.contains("stream_state")) return fail("plugin sent a STATE message without a stream name");
      batch.items.push_back({BatchItem::State, nullptr, stream, s["stream_state"].dump(), {}, {}});
      return true;
    }
    case worker::MessageType::Catalog: {
      for (const auto& s : parser_.other["catalog"].value("streams", json::array())) {
        const std::string name = s.value("name", "");
        const std::string entity = s.value("entity", name);
        auto e = entityFromName(entity);
        if (!e)
          return fail("plugin stream '" + name + "' fills unknown entity '" + entity +
                      "' (expected accounts, contacts, opportunities, campaigns, touchpoints or ad_spend)");
        streams_[name] = *e;
      }
      return true;
    }
    case worker::MessageType::Log: {
      const json& l = parser_.other["log"];
      const std::string level = l.value("level", "INFO");
      const log::Level lv = level == "ERROR" || level == "FATAL"     ? log::Level::Error
                            : level == "WARN"                        ? log::Level::Warn
                            : level == "DEBUG" || level == "TRACE"   ? log::Level::Debug
                                                                     : log::Level::Info;
      log::write(lv, l.value("message", ""), connector_, run_id_);
      return true;
    }
    case worker::MessageType::Trace: {
      const json& t = parser_.other["trace"];
      if (t.value("type", "") != "ERROR") return true;
      const json& e = t.value("error", json::object());
      if (e.value("failure_type", "system_error") == "record_error") {
        batch.items.push_back({BatchItem::Reject, nullptr, e.value("stream", ""), e.value("message", "bad source row"),
                               e.value("origin", ""), e.value("raw", "")});
        return true;
      }
      plugin_error = e.value("message", "plugin reported an error");
      if (e.value("failure_type", "") == "rate_limited")
        resume_at = parseTimestamp(e.value("resume_at", "")).value_or(0);
      return true;
    }
    default:
      return true;  // messages this version does not use are ignored, as in the Airbyte protocol
  }
}

}  // namespace abm::pipeline
