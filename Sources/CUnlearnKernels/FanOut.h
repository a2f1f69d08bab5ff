#ifndef CUNLEARN_FAN_OUT_H
#define CUNLEARN_FAN_OUT_H

#include <stddef.h>

// Private to the kernels (not in include/, so not seen by Swift).

// The most shares `unlearn_fan_out` runs.
enum { unlearn_most_shares = 8 };

// Runs `work` on each of `count` shares (≤ unlearn_most_shares), the array `shares` with elements
// of `share_size` bytes: shares 1… on threads of their own, share 0 on the calling thread, and a
// share whose thread cannot start on the calling thread after it. Returns when all are done, so the
// caller sums the shares' results in share order, the same whatever threads ran them.
void unlearn_fan_out(void *(*work)(void *), void *shares, size_t share_size, long count);

#endif
