#ifndef KVTABLE_CZLIB_SHIM_H
#define KVTABLE_CZLIB_SHIM_H
#include <zlib.h>
#endif
