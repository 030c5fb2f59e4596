// Data-driven channel attribution with an absorbing Markov chain and removal effects
// (docs/metrics.md#markov). Order k uses the last k channels as the state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace abm::metrics {

// Channels are small ids (the caller keeps their names); a path is a string of ids, one char a step.
using ChannelId = uint8_t;

struct ChannelPath {
  std::string channels;               // channel ids, consecutive repeats already collapsed
  double conversions = 0;             // how many conversions followed this path
  double value = 0;                   // their total value
  double nulls = 0;                   // how many times it ended without converting
};

struct ChannelCredit {
  double conversions = 0;
  double value = 0;
};

// Removal effect of channel c = 1 − P(conversion | c removed) / P(conversion), P computed exactly by
// solving the absorbing chain. Credits share the attributed conversions and value in proportion.
// Returns nothing when no path converts.
std::map<ChannelId, ChannelCredit> markovCredits(const std::vector<ChannelPath>& paths, int order);

// P(conversion) of the chain built from `paths` with `removed` channel (empty: none) sending every
// transition into it to null. Exposed for tests.
// `removed` < 0: none.
double markovConversionProbability(const std::vector<ChannelPath>& paths, int order, int removed);

// Exact Shapley values of channels where a coalition is worth the conversions (or value) of the
// converting paths whose channel set lies within it.
std::map<ChannelId, ChannelCredit> shapleyCredits(const std::vector<ChannelPath>& paths);

}  // namespace abm::metrics
