# Warnings every drgplan target compiles with.
function(drg_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-deprecated-copy)
endfunction()
