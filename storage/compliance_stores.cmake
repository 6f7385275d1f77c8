# The compliance stores (information systems and their address ranges, dossiers, control statuses,
# evidence files), included from storage/CMakeLists.txt so each engineer edits their own file.
target_sources(canh_storage PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/system_ranges.cc
    ${CMAKE_CURRENT_LIST_DIR}/system_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/assessment_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/evidence_store.cc)
canh_add_unit_tests(canh_storage_compliance_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/system_ranges_test.cc ${CMAKE_CURRENT_LIST_DIR}/system_store_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/assessment_store_test.cc
    LIBS canh_storage PkgConfig::ROCKSDB)
