#ifndef CUNLEARN_ZLIB_SHIM_H
#define CUNLEARN_ZLIB_SHIM_H

// zlib's gzip file interface (Debian: zlib1g-dev), used to read gzipped IDX files.
#include <zlib.h>

#endif
