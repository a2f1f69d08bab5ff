#ifndef CUNLEARN_CPU_FEATURES_H
#define CUNLEARN_CPU_FEATURES_H

// Private to the kernels (not in include/, so not seen by Swift).

// Whether the kernels' AVX2 + FMA variants can run here: 1 on an x86-64 CPU with both, else 0.
int unlearn_cpu_has_avx2_fma(void);

// Whether the AVX-512 variants can run here: 1 on an x86-64 CPU with AVX-512 F, CD, BW, DQ and VL
// (the set OpenBLAS's SkylakeX kernels need), else 0.
int unlearn_cpu_has_avx512(void);

#endif
