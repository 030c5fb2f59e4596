#include "metrics/markov.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

namespace abm::metrics {

namespace {

// States: 0 = start, 1 = conversion, 2 = null, then one per window of up to `order` channels.
constexpr int kStart = 0, kConversion = 1, kNull = 2;

struct Chain {
  std::vector<std::vector<std::pair<int, double>>> out;  // transition counts per state
  std::vector<std::string> window;                        // channel ids of each state
};

Chain buildChain(const std::vector<ChannelPath>& paths, int order) {
  Chain c;
  c.out.resize(3);
  c.window.resize(3);
  std::map<std::string, int> ids;
  std::vector<std::unordered_map<int, double>> counts(3);
  auto stateOf = [&](const std::string& w) {
    auto [it, fresh] = ids.emplace(w, static_cast<int>(c.window.size()));
    if (fresh) {
      c.window.push_back(w);
      counts.emplace_back();
    }
    return it->second;
  };
  for (const auto& p : paths) {
    if (p.channels.empty()) continue;
    const double converted = p.conversions, not_converted = p.nulls;
    if (converted + not_converted <= 0) continue;
    int prev = kStart;
    for (size_t i = 0; i < p.channels.size(); ++i) {
      const size_t from = i + 1 >= static_cast<size_t>(order) ? i + 1 - static_cast<size_t>(order) : 0;
      const int s = stateOf(p.channels.substr(from, i + 1 - from));
      counts[static_cast<size_t>(prev)][s] += converted + not_converted;
      prev = s;
    }
    if (converted > 0) counts[static_cast<size_t>(prev)][kConversion] += converted;
    if (not_converted > 0) counts[static_cast<size_t>(prev)][kNull] += not_converted;
  }
  c.out.resize(counts.size());
  for (size_t s = 0; s < counts.size(); ++s) {
    for (const auto& [t, n] : counts[s]) c.out[s].emplace_back(t, n);
    std::sort(c.out[s].begin(), c.out[s].end());  // fixed order: the same sums every run
  }
  return c;
}

// Solves x = P x for the absorption probability into conversion, by Gaussian elimination with
// partial pivoting over the transient states.
double solve(const Chain& c, int removed) {
  const size_t n = c.out.size();
  std::vector<bool> dead(n, false);
  if (removed >= 0)
    for (size_t s = 3; s < n; ++s) dead[s] = c.window[s].find(static_cast<char>(removed)) != std::string::npos;
  // Transient states: start and the live channel windows.
  std::vector<int> index(n, -1);
  std::vector<size_t> transient;
  for (size_t s = 0; s < n; ++s)
    if (s == kStart || (s >= 3 && !dead[s])) {
      index[s] = static_cast<int>(transient.size());
      transient.push_back(s);
    }
  const size_t m = transient.size();
  // (I − Q) x = r, where r is the one-step probability of converting.
  std::vector<double> a(m * (m + 1), 0.0);
  for (size_t i = 0; i < m; ++i) {
    const size_t s = transient[i];
    double total = 0;
    for (const auto& [t, cnt] : c.out[s]) total += cnt;
    a[i * (m + 1) + i] = 1.0;
    if (total <= 0) continue;
    for (const auto& [t, cnt] : c.out[s]) {
      const double p = cnt / total;
      if (t == kConversion) a[i * (m + 1) + m] += p;
      else if (t != kNull && !dead[static_cast<size_t>(t)]) a[i * (m + 1) + static_cast<size_t>(index[static_cast<size_t>(t)])] -= p;
    }
  }
  for (size_t col = 0; col < m; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < m; ++r)
      if (std::fabs(a[r * (m + 1) + col]) > std::fabs(a[pivot * (m + 1) + col])) pivot = r;
    if (std::fabs(a[pivot * (m + 1) + col]) < 1e-300) continue;
    if (pivot != col)
      for (size_t k = 0; k <= m; ++k) std::swap(a[col * (m + 1) + k], a[pivot * (m + 1) + k]);
    const double d = a[col * (m + 1) + col];
    for (size_t r = 0; r < m; ++r) {
      if (r == col) continue;
      const double f = a[r * (m + 1) + col] / d;
      if (f == 0) continue;
      for (size_t k = col; k <= m; ++k) a[r * (m + 1) + k] -= f * a[col * (m + 1) + k];
    }
  }
  const size_t s0 = static_cast<size_t>(index[kStart]);
  const double d = a[s0 * (m + 1) + s0];
  return d == 0 ? 0.0 : a[s0 * (m + 1) + m] / d;
}

std::set<ChannelId> channelsOf(const std::vector<ChannelPath>& paths) {
  std::set<ChannelId> all;
  for (const auto& p : paths)
    for (char c : p.channels) all.insert(static_cast<ChannelId>(c));
  return all;
}

}  // namespace

double markovConversionProbability(const std::vector<ChannelPath>& paths, int order, int removed) {
  return solve(buildChain(paths, std::max(1, order)), removed);
}

std::map<ChannelId, ChannelCredit> markovCredits(const std::vector<ChannelPath>& paths, int order) {
  std::map<ChannelId, ChannelCredit> out;
  double conversions = 0, value = 0;
  for (const auto& p : paths)
    if (!p.channels.empty() && p.conversions > 0) {
      conversions += p.conversions;
      value += p.value;
    }
  if (conversions <= 0) return out;
  const Chain chain = buildChain(paths, std::max(1, order));
  const double base = solve(chain, -1);
  if (base <= 0) return out;
  std::map<ChannelId, double> effect;
  double total = 0;
  for (const auto& c : channelsOf(paths)) {
    const double e = std::max(0.0, 1.0 - solve(chain, c) / base);
    effect[c] = e;
    total += e;
  }
  for (const auto& [c, e] : effect) {
    const double share = total > 0 ? e / total : 0.0;
    out[c] = {share * conversions, share * value};
  }
  return out;
}

std::map<ChannelId, ChannelCredit> shapleyCredits(const std::vector<ChannelPath>& paths) {
  // The worth is a sum of unanimity games, one per converting path (worth its conversions when the
  // coalition holds all its channels); a unanimity game on T gives each member 1/|T|. So each
  // channel of a path earns that path's conversions and value divided by its number of channels —
  // exactly the Shapley value, without enumerating 2^n coalitions.
  std::map<ChannelId, ChannelCredit> out;
  for (const auto& p : paths) {
    if (p.conversions <= 0 || p.channels.empty()) continue;
    std::set<ChannelId> players;
    for (char c : p.channels) players.insert(static_cast<ChannelId>(c));
    const double k = static_cast<double>(players.size());
    for (const auto& c : players) {
      out[c].conversions += p.conversions / k;
      out[c].value += p.value / k;
    }
  }
  return out;
}

}  // namespace abm::metrics
