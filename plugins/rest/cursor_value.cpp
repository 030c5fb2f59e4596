#include "cursor_value.hpp"

#include <abm/sdk/time.hpp>

namespace rest {

std::optional<int64_t> cursorMillis(const json& v) {
  if (v.is_number()) {
    const double n = v.get<double>();
    return static_cast<int64_t>(n >= 1e11 ? n : n * 1000);
  }
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (auto ms = abm::sdk::isoToMillis(s)) return ms;
  // A time without a zone: the sources that send it (Pipedrive) document it as UTC.
  if (s.size() == 19) return abm::sdk::isoToMillis(s + "Z");
  return std::nullopt;
}

bool cursorAfter(const json& a, const json& b) {
  if (b.is_null()) return !a.is_null();
  if (a.is_null()) return false;
  if (a.is_number() && b.is_number()) return a.get<double>() > b.get<double>();
  if (a.is_string() && b.is_string()) {
    const auto ma = cursorMillis(a), mb = cursorMillis(b);
    if (ma && mb) return *ma > *mb;
    return a.get_ref<const std::string&>() > b.get_ref<const std::string&>();
  }
  const auto ma = cursorMillis(a), mb = cursorMillis(b);
  return ma && mb && *ma > *mb;
}

std::string formatCursor(const json& v, CursorFormat format, std::string& why) {
  if (format == CursorFormat::Raw) return v.is_string() ? v.get<std::string>() : v.dump();
  const auto ms = cursorMillis(v);
  if (!ms) {
    why = "the cursor value " + v.dump() + " is no timestamp, date or epoch number, so it cannot be sent as " +
          std::string(kCursorFormats[static_cast<size_t>(format)]) + " (use format raw)";
    return {};
  }
  const std::string iso = abm::sdk::millisToIso(*ms);  // 2024-03-01T12:00:00.000Z
  switch (format) {
    case CursorFormat::Iso: return iso.substr(0, 19) + "Z";
    case CursorFormat::DateTime: return iso.substr(0, 10) + " " + iso.substr(11, 8);
    case CursorFormat::Date: return iso.substr(0, 10);
    case CursorFormat::EpochSeconds: return std::to_string(*ms / 1000);
    case CursorFormat::EpochMillis: return std::to_string(*ms);
    case CursorFormat::Raw: break;
  }
  return {};
}

}  // namespace rest
