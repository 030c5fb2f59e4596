# Writes a C++ source that defines `std::string_view NAMESPACE::FUNCTION()` returning the bytes of
# INPUT, so a file kept in the repository (core/api/openapi.json) is compiled into the binary.
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DNAMESPACE=abm::api -DFUNCTION=openApiDocument -P EmbedFile.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# About 16 bytes a line keeps the generated file readable in a debugger.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/EmbedFile.cmake: do not edit.
#include <string_view>

namespace ${NAMESPACE} {

namespace {
const unsigned char kBytes[${size} + 1] = {
  ${bytes}0x00};
}  // namespace

std::string_view ${FUNCTION}() { return std::string_view(reinterpret_cast<const char*>(kBytes), ${size}); }

}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
