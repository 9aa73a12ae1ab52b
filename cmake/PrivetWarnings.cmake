# Warnings for Privet's own code: everything on, and fatal. Generated ANTLR code does not use this.
add_library(privet_warnings INTERFACE)
target_compile_options(privet_warnings INTERFACE -Wall -Wextra -Werror -Wno-unused-parameter)
