/*
 * cmd_generate.h — the `generate`, `describe` and `check` commands
 * (cmd_generate.c): the query pipeline from the command line.
 */
#ifndef PGQC_CMD_GENERATE_H
#define PGQC_CMD_GENERATE_H

int cmd_generate(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
