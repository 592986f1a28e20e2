#ifndef KVTABLE_CSQLITE_SHIM_H
#define KVTABLE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
