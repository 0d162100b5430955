#ifndef SWSL_CLIBZIP_SHIM_H
#define SWSL_CLIBZIP_SHIM_H
#include <zip.h>
#endif
