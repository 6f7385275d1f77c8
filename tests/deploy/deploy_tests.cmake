# Deployment and operations tests (the ops engineer's), included from tests/CMakeLists.txt:
#   demo capture and rules, `canh demo` end to end, metrics of the server and the sensor, signed rule
#   bundles, `canh config check`, and the Debian package installed into a Debian 12 root.
# Scripts exit 77 to say "skipped, and why" (no root for live capture or chroot, no network for apt).
set(_canh $<TARGET_FILE:canh>)
set(_here ${CMAKE_CURRENT_LIST_DIR})
set(_e2e ${CMAKE_CURRENT_LIST_DIR}/../e2e)

add_test(NAME e2e.demo_capture COMMAND bash ${_e2e}/demo_capture_test.sh ${_canh})
add_test(NAME e2e.demo COMMAND bash ${_e2e}/demo_test.sh ${_canh})
add_test(NAME e2e.metrics_server COMMAND bash ${_e2e}/metrics_server_test.sh ${_canh})
add_test(NAME e2e.metrics_sensor COMMAND bash ${_e2e}/metrics_sensor_test.sh ${_canh})
add_test(NAME e2e.metrics_sensor_ship COMMAND bash ${_e2e}/metrics_sensor_ship_test.sh ${_canh})
add_test(NAME e2e.rule_bundles COMMAND bash ${_here}/bundle_test.sh ${_canh})
add_test(NAME deploy.config_check COMMAND bash ${_here}/config_check_test.sh ${_canh} ${PROJECT_SOURCE_DIR})
set_tests_properties(e2e.demo_capture e2e.demo e2e.metrics_server e2e.metrics_sensor e2e.metrics_sensor_ship e2e.rule_bundles
                     PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
set_tests_properties(deploy.config_check PROPERTIES LABELS unit TIMEOUT 60)
# Builds the package (cpack) and installs it with apt into a copy of a Debian 12 root: minutes, and
# network for the runtime libraries. Label e2e (CI runs it) and deploy (to run it alone).
add_test(NAME deploy.package COMMAND bash ${_here}/package_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties(deploy.package PROPERTIES LABELS "e2e;deploy" TIMEOUT 1800 SKIP_RETURN_CODE 77)
foreach(sub config)
  add_test(NAME cli.${sub}.help COMMAND ${_canh} ${sub} --help)
  set_tests_properties(cli.${sub}.help PROPERTIES PASS_REGULAR_EXPRESSION "Usage: canh ${sub}" LABELS unit)
  add_test(NAME cli.${sub}.version COMMAND ${_canh} ${sub} --version)
  set_tests_properties(cli.${sub}.version PROPERTIES PASS_REGULAR_EXPRESSION "^canh [0-9]+\\.[0-9]+\\.[0-9]+" LABELS unit)
endforeach()
foreach(sub "rules keygen" "rules bundle create" "rules bundle verify" "rules import")
  string(REPLACE " " ";" _args "${sub}")
  string(REPLACE " " "_" _name "${sub}")
  add_test(NAME cli.${_name}.help COMMAND ${_canh} ${_args} --help)
  set_tests_properties(cli.${_name}.help PROPERTIES PASS_REGULAR_EXPRESSION "Usage: canh ${sub}" LABELS unit)
endforeach()
