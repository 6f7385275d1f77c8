# Fault tests (label fault, issue 9): the collector unreachable past the spool's bound, a full disk
# under the spool, the sensor and the server SIGKILLed mid-work, RocksDB reopened after a crash, an
# enrolment answer lost.
# tests/e2e/fault_e2e.py starts and stops every server and sensor on 127.0.0.1 itself. The ingest
# e2e scenarios kill, down and restart (ingest_tests.cmake) are fault tests too and carry the label.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(scenario spool_bound disk_full sensor_kill server_kill db_crash enrol_lost)
    add_test(NAME fault.${scenario}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/fault_e2e.py $<TARGET_FILE:canh> ${scenario})
    set_tests_properties(fault.${scenario} PROPERTIES LABELS fault TIMEOUT 600 SKIP_RETURN_CODE 77)
  endforeach()
  foreach(scenario kill down restart)
    set_tests_properties(e2e.ingest_${scenario} PROPERTIES LABELS "e2e;fault")
  endforeach()
endif()
