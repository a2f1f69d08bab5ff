#ifndef CUNLEARN_PQ_SHIM_H
#define CUNLEARN_PQ_SHIM_H

// PostgreSQL's client library (Debian: libpq-dev), used by the PostgreSQL store backend.
#include <libpq-fe.h>

#endif
