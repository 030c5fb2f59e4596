// Splits a segment filter into tokens, each with the line and column (1-based, in characters) where
// it starts, so that parse errors can point at the mistake.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace abm::segments {

struct Token {
  enum class Kind { Word, String, Number, Operator, LeftParen, RightParen, Comma, End };
  Kind kind = Kind::End;
  std::string text;  // a word or operator as written; a string's value without quotes and escapes
  int line = 1;
  int column = 1;
};

// "filter:LINE:COLUMN: " — how every message about a place in a filter starts.
std::string filterPlace(int line, int column);

// The tokens of `filter`, ending with one End token; or an error naming the place of a bad
// character or an unclosed string.
Result<std::vector<Token>> tokenize(std::string_view filter);

}  // namespace abm::segments
