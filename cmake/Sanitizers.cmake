# EDGEPART_SANITIZE="address;undefined" instruments every target (a second build dir in `make test`).
if(EDGEPART_SANITIZE)
  foreach(san IN LISTS EDGEPART_SANITIZE)
    add_compile_options(-fsanitize=${san})
    add_link_options(-fsanitize=${san})
  endforeach()
  add_compile_options(-fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
