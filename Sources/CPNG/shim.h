#ifndef SWSL_CPNG_SHIM_H
#define SWSL_CPNG_SHIM_H
#include <png.h>
#endif
