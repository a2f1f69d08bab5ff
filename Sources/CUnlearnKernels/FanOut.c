#include "FanOut.h"

#include <pthread.h>

void unlearn_fan_out(void *(*work)(void *), void *shares, size_t share_size, long count) {
  if (count > unlearn_most_shares) count = unlearn_most_shares;
  char *base = shares;
  pthread_t workers[unlearn_most_shares];
  int started[unlearn_most_shares] = {0};
  for (long t = 1; t < count; t++) started[t] = pthread_create(&workers[t], 0, work, base + t * share_size) == 0;
  work(base);
  for (long t = 1; t < count; t++) {
    if (started[t]) {
      pthread_join(workers[t], 0);
    } else {
      work(base + t * share_size);  // no thread to be had: this one does the share
    }
  }
}
