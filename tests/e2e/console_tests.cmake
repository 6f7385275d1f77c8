# Console end-to-end tests (label e2e): real `canh` processes on loopback ports they pick themselves.
add_test(NAME e2e.console_server COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/console_server_test.sh $<TARGET_FILE:canh>)
set_tests_properties(e2e.console_server PROPERTIES LABELS e2e TIMEOUT 120)

# Browser test (label browser): headless Debian Chromium driven by playwright-core from
# tests/browser/node_modules (tests/browser/install.sh). Screenshots go to the build folder.
find_program(CANH_NODE node)
if(CANH_NODE)
  add_test(NAME browser.console
           COMMAND ${CANH_NODE} ${PROJECT_SOURCE_DIR}/tests/browser/console.test.mjs $<TARGET_FILE:canh>
                   ${PROJECT_BINARY_DIR}/screenshots/console)
  set_tests_properties(browser.console PROPERTIES LABELS browser TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
