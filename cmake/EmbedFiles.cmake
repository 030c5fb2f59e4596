# Writes a C++ source defining `std::string_view NAMESPACE::FUNCTION(std::string_view name)` that
# returns the bytes of the file of that name in DIR matching PATTERNS (default: its *.html, *.js and
# *.css), or an empty view when there is none: files kept in the repository (the dashboards' pages,
# the API's OpenAPI document) are compiled into the daemon this way, exactly as they are.
# Usage: cmake -DDIR=folder [-DPATTERNS=openapi.json] -DOUTPUT=file.cpp -DNAMESPACE=abm::dashboards
#              -DFUNCTION=pageFile -P EmbedFiles.cmake
if(NOT DEFINED PATTERNS)
  set(PATTERNS "*.html;*.js;*.css")
endif()
set(globs "")
foreach(pattern IN LISTS PATTERNS)
  list(APPEND globs "${DIR}/${pattern}")
endforeach()
file(GLOB files RELATIVE "${DIR}" ${globs})
list(SORT files)
set(arrays "")
set(table "")
set(index 0)
foreach(name IN LISTS files)
  file(READ "${DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n  " bytes "${bytes}")
  string(APPEND arrays "const unsigned char kFile${index}[${size} + 1] = {\n  ${bytes}0x00};\n")
  string(APPEND table "    {\"${name}\", std::string_view(reinterpret_cast<const char*>(kFile${index}), ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${DIR} by cmake/EmbedFiles.cmake: do not edit.
#include <string_view>
#include <utility>

namespace ${NAMESPACE} {

namespace {
${arrays}
const std::pair<std::string_view, std::string_view> kFiles[] = {
${table}};
}  // namespace

std::string_view ${FUNCTION}(std::string_view name) {
  for (const auto& [n, bytes] : kFiles)
    if (n == name) return bytes;
  return {};
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
