# The alert list and dashboard aggregates (console/alerts_api.h), the collector engineer's part of
# the console, included from console/CMakeLists.txt so each engineer edits their own file.
target_sources(canh_console PRIVATE ${CMAKE_CURRENT_LIST_DIR}/alerts_api.cc)
canh_add_unit_tests(canh_console_alerts_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/alerts_api_test.cc
                    LIBS canh_console PkgConfig::ROCKSDB)
