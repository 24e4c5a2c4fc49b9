/*
 * cmd_migrate.h — the `pgqc migrate ...` and `pgqc seed` commands
 * (cmd_migrate.c), entered from cli.c's command table. Like cli.c they
 * print and return the exit status.
 */
#ifndef PGQC_CMD_MIGRATE_H
#define PGQC_CMD_MIGRATE_H

/* `pgqc migrate SUBCOMMAND ...`: argv[0] is "migrate". */
int cmd_migrate(int argc, char **argv);

/* `pgqc seed [--seeds DIR] ...`: argv[0] is "seed". */
int cmd_seed(int argc, char **argv);

#endif
