#include "telemetry/exposition.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace abm::telemetry {

namespace {

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

template <typename T>
std::string digits(T value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  // 64 characters hold any integer and any double's shortest form; ec cannot be set here.
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

}  // namespace

std::string escapeLabelValue(std::string_view value) { return escape(value, true); }
std::string escapeHelp(std::string_view help) { return escape(help, false); }

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Plain decimals where they stay short ("0.0005", not "5e-04": bucket bounds are read by people),
  // the shortest exponent form beyond.
  const double magnitude = std::fabs(value);
  if (magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15)) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (ec == std::errc()) return std::string(buffer, end);
  }
  return digits(value);
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escapeHelp(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::series(std::string_view name, Labels labels, std::string_view extra_name,
                        std::string_view extra_value) {
  out_ += name;
  if (labels.size() == 0 && extra_name.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  auto add = [&](std::string_view label, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += label;
    out_ += "=\"";
    out_ += escapeLabelValue(value);
    out_ += '"';
  };
  for (const auto& [label, value] : labels) add(label, value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out_ += "} ";
}

void Exposition::sample(std::string_view name, Labels labels, double value) {
  series(name, labels);
  out_ += formatValue(value);
  out_ += '\n';
}

void Exposition::sample(std::string_view name, Labels labels, uint64_t value) {
  series(name, labels);
  out_ += digits(value);
  out_ += '\n';
}

void Exposition::sample(std::string_view name, Labels labels, int64_t value) {
  series(name, labels);
  out_ += digits(value);
  out_ += '\n';
}

void Exposition::histogram(std::string_view name, Labels labels, const Histogram& histogram) {
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  uint64_t cumulative = 0;
  auto bounds = histogram.bounds();
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += histogram.bucketCount(i);
    series(bucket, labels, "le", formatValue(bounds[i]));
    out_ += digits(cumulative);
    out_ += '\n';
  }
  series(bucket, labels, "le", "+Inf");
  out_ += digits(histogram.count());
  out_ += '\n';
  sample(base + "_sum", labels, histogram.sum());
  sample(base + "_count", labels, histogram.count());
}

}  // namespace abm::telemetry
