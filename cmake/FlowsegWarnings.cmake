# Warnings for our own targets only; third-party headers come in as SYSTEM.
function(flowseg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(FLOWSEG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Torch headers are heavy: every engine translation unit that needs them shares
# one precompiled header instead of re-parsing ~200k lines each time.
function(flowseg_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
