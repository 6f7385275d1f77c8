# Operations inside the server: the Prometheus endpoint (metrics.*) and signed rule-bundle import
# (rule_bundles.*). Included from console/CMakeLists.txt so each engineer edits their own file.
target_sources(canh_console PRIVATE ${CMAKE_CURRENT_LIST_DIR}/metrics.cc ${CMAKE_CURRENT_LIST_DIR}/rule_bundles.cc)
canh_add_unit_tests(canh_console_ops_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cc ${CMAKE_CURRENT_LIST_DIR}/rule_bundles_test.cc
    LIBS canh_console PkgConfig::SODIUM)
