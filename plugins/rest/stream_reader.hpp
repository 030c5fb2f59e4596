// Reads one declared stream: page after page as its paginator says, every record through the
// mapping (a record that fails it is rejected with its source text and the run goes on), and a
// checkpoint after each page with the largest cursor value seen so far.
#pragma once

#include <abm/sdk/api_session.hpp>

#include "rest_definition.hpp"

namespace rest {

// `state` is the stream's last checkpoint ({"cursor": value}) or null; a full-refresh stream ignores it.
abm::sdk::Status readStream(abm::sdk::Host& host, abm::sdk::http::ApiSession& api, const std::string& base_url,
                            const RestStream& stream, const json& state);

// The first request of a stream (for check): its path and query, without a cursor.
std::string firstTarget(const RestStream& stream, const std::string& base_url);

}  // namespace rest
