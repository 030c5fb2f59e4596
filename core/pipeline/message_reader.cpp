#include "pipeline/message_reader.hpp"

#include "common/timestamp.hpp"
#include "log/logger.hpp"

namespace abm::pipeline {

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
    case wire::MessageType::Record: {
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
      batch.items.push_back({BatchItem::Record, &row, {}, {}, {}, {}, &it->first});
      ++batch.records;
      return true;
    }
    case wire::MessageType::State: {
      auto& st = parser_.state;
      batch.items.push_back({BatchItem::State, nullptr, std::move(st.stream), std::move(st.state_json), {}, {}});
      return true;
    }
    case wire::MessageType::Catalog: {
      for (const auto& s : parser_.catalog.streams) {
        auto e = entityFromName(s.entity);
        if (!e)
          return fail("plugin stream '" + s.name + "' fills unknown entity '" + s.entity +
                      "' (expected accounts, contacts, opportunities, campaigns, touchpoints or ad_spend)");
        streams_[s.name] = *e;
      }
      return true;
    }
    case wire::MessageType::Log: {
      const auto& l = parser_.log;
      const log::Level lv = l.level == "ERROR" || l.level == "FATAL"     ? log::Level::Error
                            : l.level == "WARN"                          ? log::Level::Warn
                            : l.level == "DEBUG" || l.level == "TRACE"   ? log::Level::Debug
                                                                         : log::Level::Info;
      log::write(lv, l.message, connector_, run_id_);
      return true;
    }
    case wire::MessageType::Trace: {
      auto& t = parser_.trace;
      if (!t.is_error) return true;
      if (t.failure_type == "record_error") {
        batch.items.push_back({BatchItem::Reject, nullptr, std::move(t.stream),
                               t.message.empty() ? "bad source row" : std::move(t.message), std::move(t.origin),
                               std::move(t.raw)});
        return true;
      }
      plugin_error = t.message.empty() ? "plugin reported an error" : t.message;
      if (t.failure_type == "rate_limited") resume_at = t.resume_at;
      return true;
    }
    default:
      return true;  // messages this version does not use are ignored, as in the Airbyte protocol
  }
}

}  // namespace abm::pipeline
