# What `cmake --install` and `cpack` ship beyond the binaries: the systemd unit, the system user,
# /etc/abmd, man pages, bash completion and docs, and the two Debian packages:
#   abmd      the daemon, abmctl, the worker, plugins, schema, docs, examples, man pages
#   abmd-dev  the SDK headers and the CMake package (find_package(abmd)) for plugin authors
# docs/operations.md, "The Debian package", says what the package does when installed.

# Man pages, made from the --help text and docs/configuration.md (scripts/make_man.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(ABMD_MAN_DIR ${PROJECT_BINARY_DIR}/share/man)
set(abmd_make_man ${PROJECT_SOURCE_DIR}/scripts/make_man.py)
add_custom_command(OUTPUT ${ABMD_MAN_DIR}/man8/abmd.8
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ABMD_MAN_DIR}/man8
  COMMAND sh -c "'$<TARGET_FILE:abmd>' --help | '${Python3_EXECUTABLE}' '${abmd_make_man}' help abmd 8 'account-based marketing measurement daemon' ${PROJECT_VERSION} > '${ABMD_MAN_DIR}/man8/abmd.8'"
  DEPENDS abmd ${abmd_make_man} VERBATIM)
add_custom_command(OUTPUT ${ABMD_MAN_DIR}/man1/abmctl.1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ABMD_MAN_DIR}/man1
  COMMAND sh -c "'$<TARGET_FILE:abmctl>' --help | '${Python3_EXECUTABLE}' '${abmd_make_man}' help abmctl 1 'manage abmd connectors and read the unified ABM store' ${PROJECT_VERSION} > '${ABMD_MAN_DIR}/man1/abmctl.1'"
  DEPENDS abmctl ${abmd_make_man} VERBATIM)
add_custom_command(OUTPUT ${ABMD_MAN_DIR}/man1/abm-plugin-test.1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ABMD_MAN_DIR}/man1
  COMMAND sh -c "'$<TARGET_FILE:abm-plugin-test>' --help | '${Python3_EXECUTABLE}' '${abmd_make_man}' help abm-plugin-test 1 'test an abmd connector plugin against recorded HTTP exchanges and a standard suite' ${PROJECT_VERSION} > '${ABMD_MAN_DIR}/man1/abm-plugin-test.1'"
  DEPENDS abm-plugin-test ${abmd_make_man} VERBATIM)
add_custom_command(OUTPUT ${ABMD_MAN_DIR}/man5/abmd.json.5
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ABMD_MAN_DIR}/man5
  COMMAND ${Python3_EXECUTABLE} ${abmd_make_man} markdown abmd.json 5 "abmd's daemon config and connector files"
          ${PROJECT_VERSION} ${PROJECT_SOURCE_DIR}/docs/configuration.md "The daemon config" "Connector files" "Secrets"
          > ${ABMD_MAN_DIR}/man5/abmd.json.5
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/configuration.md ${abmd_make_man} VERBATIM)
add_custom_target(abmd_man_pages ALL DEPENDS ${ABMD_MAN_DIR}/man8/abmd.8 ${ABMD_MAN_DIR}/man1/abmctl.1
                                             ${ABMD_MAN_DIR}/man1/abm-plugin-test.1 ${ABMD_MAN_DIR}/man5/abmd.json.5)
install(FILES ${ABMD_MAN_DIR}/man8/abmd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${ABMD_MAN_DIR}/man1/abmctl.1 ${ABMD_MAN_DIR}/man1/abm-plugin-test.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${ABMD_MAN_DIR}/man5/abmd.json.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

install(FILES packaging/abmctl.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME abmctl)
install(FILES packaging/abmd.sysusers DESTINATION lib/sysusers.d RENAME abmd.conf)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY connectors_config/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The unit and /etc/abmd are placed when installing, not when configuring: the prefix is only known
# then (cpack installs to /usr, a test to a temporary folder). /etc goes beside the prefix for
# /usr, as GNUInstallDirs would put it, and under it otherwise. (file(INSTALL) adds $DESTDIR itself.)
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(abmd_etc "/etc")
  else()
    set(abmd_etc "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
  set(ABMD_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(ABMD_BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
  set(ABMD_SYSCONFDIR "${abmd_etc}")
  configure_file("${abmd_source}/packaging/abmd.service.in" "${abmd_binary}/abmd.service" @ONLY)
  file(INSTALL "${abmd_binary}/abmd.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  file(INSTALL "${abmd_source}/packaging/abmd.json" DESTINATION "${abmd_etc}/abmd")
  file(INSTALL "${abmd_source}/packaging/connectors.d/README" DESTINATION "${abmd_etc}/abmd/connectors.d")
  file(INSTALL "${abmd_source}/connectors_config/examples/csv.json" DESTINATION "${abmd_etc}/abmd/connectors.d"
       RENAME csv.json.example)
]])

set(CPACK_PACKAGE_NAME abmd)
set(CPACK_PACKAGE_VENDOR "abmd")
set(CPACK_PACKAGE_CONTACT "abmd maintainers <abmd@localhost>")
set(CPACK_GENERATOR "TGZ;DEB")
# Installed with DESTDIR and the real prefix, so that install(CODE) above sees /usr and places /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL abmd dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # abmd_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ABMD_PACKAGE_NAME abmd)
# The first line of each is its summary (left unprefixed while CPACK_PACKAGE_DESCRIPTION_SUMMARY is unset).
set(CPACK_DEBIAN_ABMD_DESCRIPTION "Account-based marketing measurement daemon
abmd pulls CRM, email, ad and web analytics data through connector plugins on schedules into one
unified account/touchpoint store (SQLite or PostgreSQL) and computes ABM measurements: engagement,
buying stages, attribution and the KPIs of target against other accounts.")
# The public suffix list for matching domains to accounts; the dashboards' chart library. The
# libraries come from dpkg-shlibdeps. systemd-sysusers (or adduser) creates the abmd user.
set(CPACK_DEBIAN_ABMD_PACKAGE_DEPENDS "publicsuffix, libjs-chart.js, systemd | adduser")
set(CPACK_DEBIAN_ABMD_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_ABMD_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME abmd-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "abmd plugin SDK
Headers and the CMake package (find_package(abmd), abm_add_plugin) for writing abmd connector
plugins as shared libraries.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "abmd (= ${PROJECT_VERSION}), nlohmann-json3-dev, libcurl4-openssl-dev | libcurl-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
include(CPack)
