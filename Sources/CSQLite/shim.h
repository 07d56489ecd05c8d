#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro, which Swift does not import: bound text is copied by SQLite.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
