# edgepart_add_module(NAME SOURCES a.cpp ... DEPENDS other_module ... LIBS external::target ...)
# One static library per concern (docs/design.md §2). A module links only what it declares, so a call across
# a forbidden layer fails at link time instead of silently working.
function(edgepart_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPENDS;LIBS" ${ARGN})
  add_library(edgepart_${name} STATIC ${M_SOURCES})
  # Installed as edgepart::NAME (cmake/edgepartConfig.cmake.in); headers from the prefix then.
  add_library(edgepart::${name} ALIAS edgepart_${name})
  set_target_properties(edgepart_${name} PROPERTIES EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY EDGEPART_MODULES edgepart_${name})
  target_include_directories(edgepart_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                                     $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
                                              PRIVATE ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS M_DEPENDS)
    target_link_libraries(edgepart_${name} PUBLIC edgepart_${dep})
  endforeach()
  if(M_LIBS)
    target_link_libraries(edgepart_${name} PUBLIC ${M_LIBS})
  endif()
  edgepart_set_warnings(edgepart_${name})
endfunction()
