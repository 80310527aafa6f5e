# `cmake --install build --prefix P` (README "Install"): the CLI, the static libraries, the public
# headers, a CMake package (find_package(edgepart) -> imported targets edgepart::<module> and
# edgepart::all), a pkg-config file (edgepart.pc), the model zoo and the example scenarios.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(edgepart_modules GLOBAL PROPERTY EDGEPART_MODULES)

# edgepart::all: every library, for a program that wants the whole engine.
add_library(edgepart_all INTERFACE)
set_target_properties(edgepart_all PROPERTIES EXPORT_NAME all)
target_link_libraries(edgepart_all INTERFACE ${edgepart_modules})

install(TARGETS ${edgepart_modules} edgepart_all EXPORT edgepartTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS edgepart edgepart-netemu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/edgepart DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models ${PROJECT_SOURCE_DIR}/scenarios ${PROJECT_SOURCE_DIR}/profiles
        DESTINATION ${CMAKE_INSTALL_DATADIR}/edgepart)

set(EDGEPART_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/edgepart)
install(EXPORT edgepartTargets NAMESPACE edgepart:: DESTINATION ${EDGEPART_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/edgepartConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/edgepartConfig.cmake INSTALL_DESTINATION ${EDGEPART_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/edgepartConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/edgepartConfig.cmake ${PROJECT_BINARY_DIR}/edgepartConfigVersion.cmake
        DESTINATION ${EDGEPART_CMAKE_DIR})

# pkg-config: the libraries in one link group (their order then does not matter), the compile
# definitions the headers need (read from the targets that declare them, not written twice).
set(EDGEPART_PC_LIBS "")
foreach(lib IN LISTS edgepart_modules)
  string(APPEND EDGEPART_PC_LIBS " -l${lib}")
endforeach()
set(EDGEPART_PC_CFLAGS "")
foreach(lib IN ITEMS edgepart_util edgepart_model)
  get_target_property(defs ${lib} INTERFACE_COMPILE_DEFINITIONS)
  foreach(def IN LISTS defs)
    if(def)
      string(APPEND EDGEPART_PC_CFLAGS " -D${def}")
    endif()
  endforeach()
endforeach()
set(EDGEPART_PC_REQUIRES "nlohmann_json eigen3 spdlog")
set(EDGEPART_PC_EXTRA_LIBS "-lboost_graph -pthread")
if(EDGEPART_WITH_ONNX)
  string(APPEND EDGEPART_PC_REQUIRES " protobuf")
  string(PREPEND EDGEPART_PC_EXTRA_LIBS "-lonnx_proto ")
endif()
file(RELATIVE_PATH EDGEPART_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/edgepart.pc.in ${PROJECT_BINARY_DIR}/edgepart.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/edgepart.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Bash completion, written by the CLI from its own option table (`edgepart completion bash`, so it
# follows every new option), and a man page made by Debian's help2man from `edgepart --help` and
# `--version` (left out, with a message, when help2man is not installed; tools/install_deps.sh
# installs it). Built with the rest (ALL) and installed where bash-completion and man look.
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/share)
set(EDGEPART_COMPLETION ${PROJECT_BINARY_DIR}/share/edgepart.bash)
add_custom_command(OUTPUT ${EDGEPART_COMPLETION}
                   COMMAND sh -c "\"$<TARGET_FILE:edgepart>\" completion bash > \"${EDGEPART_COMPLETION}\""
                   DEPENDS edgepart VERBATIM
                   COMMENT "bash completion from the CLI's options")
set(edgepart_shell_files ${EDGEPART_COMPLETION})
install(FILES ${EDGEPART_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME edgepart)

find_program(EDGEPART_HELP2MAN help2man)
if(EDGEPART_HELP2MAN)
  set(EDGEPART_MAN_PAGE ${PROJECT_BINARY_DIR}/share/edgepart.1)
  add_custom_command(OUTPUT ${EDGEPART_MAN_PAGE}
                     COMMAND ${EDGEPART_HELP2MAN} --no-info --section=1
                             "--name=plan and simulate distributed CNN inference at the network edge"
                             --include=${PROJECT_SOURCE_DIR}/cmake/edgepart.h2m --output=${EDGEPART_MAN_PAGE}
                             $<TARGET_FILE:edgepart>
                     DEPENDS edgepart ${PROJECT_SOURCE_DIR}/cmake/edgepart.h2m VERBATIM
                     COMMENT "man page from edgepart --help (help2man)")
  list(APPEND edgepart_shell_files ${EDGEPART_MAN_PAGE})
  install(FILES ${EDGEPART_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (apt-get install help2man)")
endif()
add_custom_target(edgepart_shell_files ALL DEPENDS ${edgepart_shell_files})
