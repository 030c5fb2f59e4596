// Writes the Prometheus text exposition format 0.0.4: families with # HELP and # TYPE, samples with
// escaped label values, numbers that Prometheus parses back exactly.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "telemetry/histogram.hpp"

namespace abm::telemetry {

// A label value with \ " and newline escaped as the format requires.
std::string escapeLabelValue(std::string_view value);
// HELP text escapes only \ and newline.
std::string escapeHelp(std::string_view help);
// The shortest text that parses back to the same double; +Inf, -Inf, NaN as Prometheus spells them.
std::string formatValue(double value);

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // Starts a family: its # HELP and # TYPE lines. type: counter | gauge | histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, uint64_t value);
  void sample(std::string_view name, Labels labels, int64_t value);
  // name_bucket{...,le="..."} cumulative through le="+Inf", then name_sum and name_count.
  void histogram(std::string_view name, Labels labels, const Histogram& histogram);

  std::string take() { return std::move(out_); }

 private:
  void series(std::string_view name, Labels labels, std::string_view extra_name = {},
              std::string_view extra_value = {});
  std::string out_;
};

}  // namespace abm::telemetry
