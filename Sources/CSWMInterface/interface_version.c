#include "swm.h"

/* The one C definition of the interface: its version (the rest is implemented in Swift, SWMCInterface). */
int swm_api_version(void) { return SWM_API_VERSION; }
