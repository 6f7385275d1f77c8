# Debian package with CPack: `cmake --build --preset release --target package` (or `cpack -G DEB` in
# the build folder) writes canh_VERSION-1_ARCH.deb. One package: /usr/bin/canh, the systemd units,
# the commented default configuration in /etc/canh and /etc/default/canh-sensor. The maintainer
# scripts (deploy/debian/) create the canh user and its directories and enable the units; the server
# starts only once /etc/canh/server.yaml exists. Runtime Depends are computed by dpkg-shlibdeps from
# the binary (the exact libraries it links: libhyperscan5, librocksdb7.8, libboost-json1.81.0, ...),
# plus what the maintainer scripts use. tests/deploy/package_test.sh installs it into a Debian 12
# root file system and checks it.
set(_deploy ${CMAKE_CURRENT_LIST_DIR})
install(FILES ${_deploy}/systemd/canh-server.service ${_deploy}/systemd/canh-sensor@.service
        DESTINATION lib/systemd/system)
install(FILES ${_deploy}/canh.yaml ${_deploy}/server.yaml.example DESTINATION /etc/canh)
install(FILES ${_deploy}/canh-sensor.default DESTINATION /etc/default RENAME canh-sensor)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/canh)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME canh)
set(CPACK_PACKAGE_VENDOR "Canh")
set(CPACK_PACKAGE_CONTACT "Canh maintainers <canh@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "network security monitoring with security-level compliance")
set(CPACK_PACKAGE_DESCRIPTION
    "Canh: Suricata-compatible sensors matching packets with Hyperscan, a RocksDB-backed collector and a web\n console for alert triage, sensor and rule management and security-level compliance (Decree 331/2026).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# passwd: groupadd/useradd in postinst; ca-certificates: sensors verify the server's certificate.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_deploy}/debian/postinst ${_deploy}/debian/prerm ${_deploy}/debian/postrm
                                       ${_deploy}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
