# ctest script: installs arbor from ARBOR_BUILD_DIR into SCRATCH/prefix, then
# builds and runs the consumer project in CONSUMER_SOURCE against it.
file(REMOVE_RECURSE "${SCRATCH}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} --install "${ARBOR_BUILD_DIR}" --prefix "${SCRATCH}/prefix")
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE}" -B "${SCRATCH}/build"
    "-DCMAKE_PREFIX_PATH=${SCRATCH}/prefix" -DCMAKE_BUILD_TYPE=Debug)
run(${CMAKE_COMMAND} --build "${SCRATCH}/build" -j 2)
run("${SCRATCH}/build/consumer")
