# install_system.cmake -- runs at install time (install(SCRIPT)): installs the
# example configuration and btcseed.service with the paths of the prefix
# actually installed to, which `cmake --install --prefix DIR` may change after
# configuration (with prefix /usr the configuration goes to /etc, as
# GNUInstallDirs would put it).
# BTCSEED_SRC, BTCSEED_BUILD, BINDIR and SYSCONFDIR come from install(CODE).
if(IS_ABSOLUTE "${SYSCONFDIR}")
  set(CMAKE_INSTALL_FULL_SYSCONFDIR "${SYSCONFDIR}")
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(CMAKE_INSTALL_FULL_SYSCONFDIR "/etc")  # as GNUInstallDirs does
else()
  set(CMAKE_INSTALL_FULL_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/${SYSCONFDIR}")
endif()
set(CMAKE_INSTALL_FULL_BINDIR "${CMAKE_INSTALL_PREFIX}/${BINDIR}")
configure_file("${BTCSEED_SRC}/contrib/btcseed.service.in" "${BTCSEED_BUILD}/btcseed.service"
               @ONLY)
file(INSTALL "${BTCSEED_BUILD}/btcseed.service"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
file(INSTALL "${BTCSEED_SRC}/contrib/btcseed.conf"
     DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/btcseed")
