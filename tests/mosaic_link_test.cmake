# The `mosaic` link: `mosaic fleet …` and `mosaic agent …` are mosaic-fleet's; every other
# call goes to the next `mosaic` on PATH that is not mosaic-fleet (the real Mosaic CLI).
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
execute_process(COMMAND ${BIN}/mosaic fleet --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^mosaic-fleet [0-9]")
  message(FATAL_ERROR "mosaic fleet --version: rc=${rc} out=${out}")
endif()
execute_process(COMMAND ${BIN}/mosaic agent send --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Usage: mosaic agent send")
  message(FATAL_ERROR "mosaic agent send --help: rc=${rc} out=${out}")
endif()

# A stand-in for the real Mosaic CLI, later on PATH than the link.
set(dir ${WORK}/mosaic-link-test)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir}/real ${dir}/copy)
file(WRITE ${dir}/real/mosaic "#!/bin/sh\n[ \"$1\" = nested ] && { mosaic inner; exit $?; }\necho \"real mosaic: $*|$MOSAIC_FLEET_HANDED_OFF\"\nexit 7\n")
file(CHMOD ${dir}/real/mosaic PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
execute_process(COMMAND env PATH=${BIN}:${dir}/real ${BIN}/mosaic yolo claude --model "Claude Opus"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 7 OR NOT out MATCHES "^real mosaic: yolo claude --model Claude Opus\\|[0-9]+:/")
  message(FATAL_ERROR "mosaic yolo must reach the real mosaic: rc=${rc} out=${out} err=${err}")
endif()

# Nothing else named mosaic on PATH: said plainly, nothing run, and a shell's "not found" (127).
execute_process(COMMAND env PATH=${BIN} ${BIN}/mosaic yolo claude
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 127 OR NOT err MATCHES "no other 'mosaic' on PATH")
  message(FATAL_ERROR "mosaic without a real mosaic must explain itself: rc=${rc} err=${err}")
endif()

# A copy of mosaic-fleet named mosaic later on PATH (not a link): it must not hand the call
# back, which would loop forever.
file(COPY ${BIN}/mosaic-fleet DESTINATION ${dir}/copy)
file(RENAME ${dir}/copy/mosaic-fleet ${dir}/copy/mosaic)
execute_process(COMMAND env PATH=${BIN}:${dir}/copy ${BIN}/mosaic yolo claude
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 127 OR NOT err MATCHES "no other 'mosaic' on PATH")
  message(FATAL_ERROR "two copies of mosaic-fleet must not loop: rc=${rc} err=${err}")
endif()
# A wrapper that runs `mosaic` again by name (a version manager's shim) between the link and
# the real CLI: the call reaches the real one, it is not handed back and forth.
file(MAKE_DIRECTORY ${dir}/shim)
file(WRITE ${dir}/shim/mosaic "#!/bin/sh\nexec mosaic \"$@\"\n")
file(CHMOD ${dir}/shim/mosaic PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
execute_process(COMMAND env PATH=${BIN}:${dir}/shim:${dir}/real ${BIN}/mosaic yolo pi
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 7 OR NOT out MATCHES "^real mosaic: yolo pi\\|")
  message(FATAL_ERROR "a shim between the link and the real mosaic: rc=${rc} out=${out} err=${err}")
endif()

# The real CLI's own children run `mosaic` again (an agent's shell, say): a new call, which
# must reach the real CLI again, not be refused as a loop.
execute_process(COMMAND env PATH=${BIN}:${dir}/real ${BIN}/mosaic nested
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 7 OR NOT out MATCHES "^real mosaic: inner\\|")
  message(FATAL_ERROR "a nested mosaic call: rc=${rc} out=${out} err=${err}")
endif()

# A wrapper that runs `mosaic` in a new process each time (no exec), and no real CLI: the
# chain stops with an error after a bounded number of hand-offs.
file(MAKE_DIRECTORY ${dir}/forks)
file(WRITE ${dir}/forks/mosaic "#!/bin/sh\nmosaic \"$@\"\n")
file(CHMOD ${dir}/forks/mosaic PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
execute_process(COMMAND env PATH=${BIN}:${dir}/forks ${BIN}/mosaic yolo pi
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 1 OR NOT err MATCHES "was handed on 16 times in a row")
  message(FATAL_ERROR "a forking wrapper must not recurse forever: rc=${rc} err=${err}")
endif()
file(REMOVE_RECURSE ${dir})
