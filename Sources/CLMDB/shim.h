#ifndef KVTABLE_CLMDB_SHIM_H
#define KVTABLE_CLMDB_SHIM_H
#include <lmdb.h>
#endif
