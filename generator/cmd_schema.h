/*
 * cmd_schema.h — the `pgqc schema ...` command (cmd_schema.c): today
 * `schema diff`, comparing a live database with the schema migrations/
 * produce. Entered from cli.c's command table; like cli.c it prints and
 * returns the exit status.
 */
#ifndef PGQC_CMD_SCHEMA_H
#define PGQC_CMD_SCHEMA_H

/* `pgqc schema SUBCOMMAND ...`: argv[0] is "schema". */
int cmd_schema(int argc, char **argv);

#endif
