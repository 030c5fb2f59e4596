// How deep a JSON text nests, found without parsing it: nlohmann's parser and serialiser recurse
// once per level, so a line nested 100,000 deep would overflow the stack before any check ran.
#pragma once

#include <cstddef>
#include <string_view>

namespace abm::sdk {

// True when `text` opens more than `max_depth` arrays/objects inside one another. Brackets inside
// strings do not count; the text need not be valid JSON (the parser judges that afterwards).
inline bool nestsDeeperThan(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace abm::sdk
