# Warnings for our own targets only; third-party headers come in as SYSTEM.
function(flowseg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports impossible memcpy sizes inside std::string concatenation
    # (GCC bug 105329 and friends); they are false positives at -O3.
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  if(FLOWSEG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Torch headers are heavy: every engine translation unit that needs them shares
# one precompiled header instead of re-parsing ~200k lines each time.
function(flowseg_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
