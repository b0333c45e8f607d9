# `mosaic fleet validate FILE` must behave exactly like `mosaic-fleet validate FILE`.
execute_process(COMMAND ${BIN}/mosaic fleet validate ${FIXTURES}/profiles/minimal.yaml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "valid \\(1 agent\\)")
  message(FATAL_ERROR "mosaic fleet validate: rc=${rc} out=${out} err=${err}")
endif()
execute_process(COMMAND ${BIN}/mosaic fleet validate ${FIXTURES}/rosters/invalid/name-colon.yaml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "may not contain ':'")
  message(FATAL_ERROR "mosaic fleet validate (invalid): rc=${rc} err=${err}")
endif()
execute_process(COMMAND ${BIN}/mosaic validate RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "usage: mosaic fleet")
  message(FATAL_ERROR "mosaic without 'fleet' must explain itself: rc=${rc} err=${err}")
endif()
execute_process(COMMAND ${BIN}/mosaic fleet --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^mosaic-fleet [0-9]")
  message(FATAL_ERROR "mosaic fleet --version: rc=${rc} out=${out}")
endif()
