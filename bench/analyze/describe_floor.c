/*
 * describe_floor: the bare cost pgqc's analysis is compared against.
 *
 * Reads a file of SQL statements (separated by lines that are exactly
 * "-- next"), connects with libpq and, in pipeline mode, PREPAREs and
 * describes every statement (PQsendPrepare + PQsendDescribePrepared, a
 * PQpipelineSync every BATCH statements), reading results as they arrive
 * (non-blocking, so a large pipeline cannot deadlock on full socket
 * buffers). Nothing else: no catalog queries, no parsing, no inference.
 *
 * Usage: describe_floor CONNINFO FILE [BATCH]
 * Prints one line: statements, errors, seconds spent in the pipeline
 * (after connecting), seconds in total (read + connect + pipeline).
 * Exit status 0 when every statement prepared and described.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads FILE into memory and splits it in place into statements; returns
 * their count, *out gets an array the caller frees (with *buf). */
static size_t read_statements(const char *path, char **buf, char ***out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "describe_floor: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc((size_t)size + 1);
    if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "describe_floor: cannot read %s\n", path);
        exit(2);
    }
    (*buf)[size] = '\0';
    fclose(f);

    size_t cap = 1024, n = 0;
    char **stmts = malloc(cap * sizeof *stmts);
    const char *sep = "\n-- next\n";
    char *p = *buf;
    while (p && *p) {
        char *end = strstr(p, sep);
        if (end)
            *end = '\0';
        if (n == cap) {
            cap *= 2;
            stmts = realloc(stmts, cap * sizeof *stmts);
        }
        if (*p)
            stmts[n++] = p;
        p = end ? end + strlen(sep) : NULL;
    }
    *out = stmts;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: describe_floor CONNINFO FILE [BATCH]\n");
        return 2;
    }
    size_t batch = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 256;
    if (batch == 0)
        batch = 256;
    double t0 = now_seconds();
    char *buf, **stmts;
    size_t n = read_statements(argv[2], &buf, &stmts);

    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "describe_floor: %s", PQerrorMessage(conn));
        return 3;
    }
    double t1 = now_seconds();
    if (PQsetnonblocking(conn, 1) != 0 || !PQenterPipelineMode(conn)) {
        fprintf(stderr, "describe_floor: pipeline mode: %s", PQerrorMessage(conn));
        return 3;
    }

    /* Every statement yields two results (prepare, describe), every sync one. */
    size_t syncs = (n + batch - 1) / batch;
    size_t expected = 2 * n + syncs, received = 0, sent = 0, errors = 0;
    int sock = PQsocket(conn);
    char name[32];
    while (received < expected) {
        /* Queue statements while libpq's output buffer drains. */
        while (sent < n) {
            snprintf(name, sizeof name, "s%zu", sent);
            if (!PQsendPrepare(conn, name, stmts[sent], 0, NULL) ||
                !PQsendDescribePrepared(conn, name)) {
                fprintf(stderr, "describe_floor: send: %s", PQerrorMessage(conn));
                return 1;
            }
            sent++;
            if ((sent % batch == 0 || sent == n) && !PQpipelineSync(conn)) {
                fprintf(stderr, "describe_floor: sync: %s", PQerrorMessage(conn));
                return 1;
            }
            if (PQflush(conn) != 0)
                break;
        }
        int pending = PQflush(conn);
        if (pending < 0) {
            fprintf(stderr, "describe_floor: flush: %s", PQerrorMessage(conn));
            return 1;
        }
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_SET(sock, &rd);
        if (pending)
            FD_SET(sock, &wr);
        if (select(sock + 1, &rd, &wr, NULL, NULL) < 0 && errno != EINTR) {
            perror("describe_floor: select");
            return 1;
        }
        if (!FD_ISSET(sock, &rd))
            continue;
        if (!PQconsumeInput(conn)) {
            fprintf(stderr, "describe_floor: %s", PQerrorMessage(conn));
            return 1;
        }
        while (received < expected && !PQisBusy(conn)) {
            PGresult *res = PQgetResult(conn);
            if (!res)
                continue; /* end of one command's results */
            ExecStatusType st = PQresultStatus(res);
            if (st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_SYNC) {
                if (errors++ < 3)
                    fprintf(stderr, "describe_floor: %s", PQresultErrorMessage(res));
            }
            PQclear(res);
            received++;
        }
    }
    double t2 = now_seconds();
    PQexitPipelineMode(conn);
    PQfinish(conn);
    printf("statements=%zu errors=%zu pipeline_s=%.6f total_s=%.6f\n", n, errors, t2 - t1, t2 - t0);
    free(stmts);
    free(buf);
    return errors ? 1 : 0;
}
