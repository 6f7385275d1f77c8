# Compliance end-to-end and browser tests (security-level assessment).
add_executable(compliance_audit_tamper ${CMAKE_CURRENT_LIST_DIR}/compliance_audit_tamper.cc)
target_link_libraries(compliance_audit_tamper PRIVATE PkgConfig::ROCKSDB PkgConfig::SODIUM canh_warnings)

add_test(NAME e2e.compliance_audit
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/compliance_audit_test.sh $<TARGET_FILE:canh>
                 $<TARGET_FILE:compliance_audit_tamper>)
set_tests_properties(e2e.compliance_audit PROPERTIES LABELS e2e TIMEOUT 120)
add_test(NAME cli.audit.help COMMAND $<TARGET_FILE:canh> audit --help)
set_tests_properties(cli.audit.help PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION "Usage: canh audit")
add_test(NAME cli.audit.version COMMAND $<TARGET_FILE:canh> audit --version)
set_tests_properties(cli.audit.version PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION "^canh [0-9]+\\.[0-9]+\\.[0-9]+")
