#ifndef SWSL_CLIBCRYPTO_SHIM_H
#define SWSL_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
