#ifndef CUNLEARN_CRYPTO_SHIM_H
#define CUNLEARN_CRYPTO_SHIM_H

// OpenSSL's libcrypto (Debian: libssl-dev): SHA-256, HMAC-SHA256, AES-GCM and the CSPRNG, from the
// system's maintained copy rather than a vendored one compiled with every build.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#endif
