// Replacing resolved secret values by their references (${env:NAME}, ${file:PATH}) in text that
// may reach a log, an error or the store. Config builds the list; the worker applies it to what a
// plugin says, since a plugin may quote its settings back.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace abm {

// `text` with every value of `scrub_list` ([[value, reference], ...], longest first) replaced by
// its reference.
std::string scrubSecrets(std::string text, const nlohmann::json& scrub_list);

}  // namespace abm
