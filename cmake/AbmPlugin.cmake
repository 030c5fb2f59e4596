# abm_add_plugin(NAME [HTTP] SOURCES...): builds one abmd connector plugin as a shared library named
# NAME (no "lib" prefix) against the SDK, and installs it into the plugin folder. HTTP links the SDK's
# HTTP kit (abmd::sdk_http: libcurl, found by find_package(abmd)) for plugins that call an API.
set(ABMD_SHIPPED_PLUGIN_MARKER ${CMAKE_CURRENT_LIST_DIR}/shipped_plugin_marker.cpp)

function(abm_add_plugin name)
  cmake_parse_arguments(ARG "HTTP" "" "" ${ARGN})
  add_library(${name} MODULE ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  set(sdk abmd::sdk)
  if(ARG_HTTP)
    set(sdk abmd::sdk_http)
  endif()
  if(TARGET abmd_sdk)
    string(REPLACE "abmd::" "abmd_" sdk ${sdk})
    # Built in the abmd tree: ships with abmd, and says so (cmake/shipped_plugin_marker.cpp).
    target_sources(${name} PRIVATE ${ABMD_SHIPPED_PLUGIN_MARKER})
    target_compile_definitions(${name} PRIVATE ABMD_SHIPPED_VERSION="${PROJECT_VERSION}")
  endif()
  target_link_libraries(${name} PRIVATE ${sdk})
  if(DEFINED ABMD_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ABMD_PLUGIN_OUTPUT_DIR})
  endif()
  if(DEFINED ABMD_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION ${ABMD_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
