# Alert pipeline end-to-end tests (label e2e): `canh sensor` replays a capture to `canh server` on a
# free loopback port; the stored alerts must equal the sensor's eve.json (tests/e2e/ingest_e2e.py).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(scenario replay kill down restart ruleset verify)
    add_test(NAME e2e.ingest_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/ingest_e2e.py $<TARGET_FILE:canh> ${scenario})
    set_tests_properties(e2e.ingest_${scenario} PROPERTIES LABELS e2e TIMEOUT 600 SKIP_RETURN_CODE 77
                         ENVIRONMENT "CANH_SHARED_DIR=${PROJECT_SOURCE_DIR}/../shared")
  endforeach()
endif()
