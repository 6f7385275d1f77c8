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

# Browser test (label browser): one system walked from draft to approved in headless Chromium, in
# Vietnamese and in English, with screenshots under the build folder. Reuses tests/browser/.
find_program(CANH_NODE node)
if(CANH_NODE)
  add_test(NAME browser.compliance
           COMMAND ${CANH_NODE} ${PROJECT_SOURCE_DIR}/tests/browser/compliance.test.mjs $<TARGET_FILE:canh>
                   ${PROJECT_BINARY_DIR}/screenshots/compliance)
  set_tests_properties(browser.compliance PROPERTIES LABELS browser TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
