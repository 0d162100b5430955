#ifndef SWSL_CPROTOBUFC_SHIM_H
#define SWSL_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
