# Console end-to-end tests (label e2e): real `canh` processes on loopback ports they pick themselves.
add_test(NAME e2e.console_server COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/console_server_test.sh $<TARGET_FILE:canh>)
set_tests_properties(e2e.console_server PROPERTIES LABELS e2e TIMEOUT 120)
