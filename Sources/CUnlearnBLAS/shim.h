#ifndef CUNLEARN_BLAS_SHIM_H
#define CUNLEARN_BLAS_SHIM_H

// OpenBLAS's CBLAS and the reference LAPACKE C interface (Debian: libopenblas-dev, liblapacke-dev).
// LAPACKE is told to use a plain struct for complex numbers: Swift does not import C99 _Complex,
// and Unlearn only calls the real (double precision) routines.
#define LAPACK_COMPLEX_STRUCTURE
#include <cblas.h>
#include <lapacke.h>

#endif
