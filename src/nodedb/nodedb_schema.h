/* nodedb_schema -- the node database's schema and its migrations.
 *
 * Version N of the schema is reached from version N-1 by migration step N;
 * a new file runs every step from 1, so the steps an old file needs are the
 * same code that builds every new file. Internal to nodedb. */
#ifndef BTCSEED_NODEDB_SCHEMA_H
#define BTCSEED_NODEDB_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

/* Brings the open database from `from` to NODEDB_SCHEMA_VERSION, one
 * transaction per step. Returns 0, or -1 with a message in err. */
int nodedb_schema_migrate(sqlite3 *h, int from, char *err, size_t errlen);

#endif
