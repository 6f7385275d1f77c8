# The console's stores (accounts, audit log, rule-set versions, suppressions, bulk triage), included from
# storage/CMakeLists.txt so the console and collector engineers each edit their own file.
target_sources(canh_storage PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/user_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/audit_log.cc
    ${CMAKE_CURRENT_LIST_DIR}/rule_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/alert_triage.cc)
target_link_libraries(canh_storage PRIVATE PkgConfig::SODIUM Boost::json)
canh_add_unit_tests(canh_storage_console_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/user_store_test.cc ${CMAKE_CURRENT_LIST_DIR}/audit_log_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/rule_store_test.cc ${CMAKE_CURRENT_LIST_DIR}/alert_triage_test.cc
    LIBS canh_storage PkgConfig::ROCKSDB)
