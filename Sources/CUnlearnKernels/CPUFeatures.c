#include "CUnlearnKernels.h"
#include "CPUFeatures.h"

int unlearn_cpu_has_avx2_fma(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

int unlearn_cpu_has_avx512(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
         && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
  return 0;
#endif
}

const char *unlearn_openblas_core_for_cpu(void) {
  if (unlearn_cpu_has_avx512()) return "SkylakeX";
  return unlearn_cpu_has_avx2_fma() ? "Haswell" : 0;
}
