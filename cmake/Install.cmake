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
