# Warnings for every edgepart target (STYLE §4.9); -Werror only when asked (CI may set it).
function(edgepart_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  # g++ 12 reports false -Wrestrict positives inside std::string concatenation (GCC bug 105329).
  # clang has no such warning and would warn about the unknown option instead.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(EDGEPART_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
