#ifndef SWSL_CZLIB_SHIM_H
#define SWSL_CZLIB_SHIM_H
#include <zlib.h>
#endif
