/*
 * fetch_bench.c — the bench/fetch driver: fills the benchmark table, then
 * measures every fetch variant (variants.h) on the database named by
 * $DATABASE_URL, and prints Markdown tables for README.md.
 *
 *   1. Setup: fetch_rows gets --rows rows from generate_series (kept when
 *      it already has them), VACUUM ANALYZE, synchronized seq scans off so
 *      every scan returns rows in the same order.
 *   2. Peak memory: each variant runs once in a child process of its own
 *      (this program re-executed with --child), at --rows and at
 *      --small-rows rows; wait4() reports the child's ru_maxrss, so one
 *      variant's peak cannot hide another's. This happens before the timing
 *      rounds, while this process is still small (a child's maxrss starts
 *      at its parent's size at fork); "connect only" shows that floor.
 *   3. Warm-up: each variant once, and all must agree on the checksum.
 *   4. Timing: --rounds rounds; each round runs every variant once, in an
 *      order shuffled afresh every round (a fixed rotation would give each
 *      variant the same predecessor every time, and the predecessor matters:
 *      one that just freed 200 MB leaves a heap that needs no page faults).
 *      Before each run malloc_trim() hands free heap memory back to the
 *      kernel, so every variant starts from the same, trimmed heap. Reported per variant: rows/s as
 *      median and min–max, and the time ratio against (b) and (b') as the
 *      median (min–max) of per-round ratios, so slow phases of the shared
 *      machine hit both sides of a ratio alike; the same again for this
 *      process's CPU time (the client's share of the work, which other load
 *      on the machine disturbs less than wall-clock time).
 *
 * Usage: fetch_bench [--rows N (1000000)] [--small-rows N (100000)] [--rounds R (11)]
 *        fetch_bench --child KEY --rows N   (internal: one run for memory)
 */
#include "variants.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const Oid fetch_col_types[FETCH_NCOLS] = {20, 25, 1184, 23, 701};

typedef struct variant {
    const char *key;   /* for --child */
    const char *label; /* for the tables */
    fetch_fn fn;
} variant;

enum { V_MANY, V_ITER, V_TEXT, V_BIN, V_SINGLE, V_ECPG, NVARIANTS };

static const variant variants[NVARIANTS] = {
    [V_MANY] = {"many", "(1) generated `:many`", fetch_generated_many},
    [V_ITER] = {"iter", "(2) generated `:iter`", fetch_generated_iter},
    [V_TEXT] = {"text", "(a) libpq text, typical", fetch_text},
    [V_BIN] = {"binary", "(b) libpq binary, row array", fetch_binary_array},
    [V_SINGLE] = {"single", "(b') libpq binary, single-row", fetch_binary_single_row},
    [V_ECPG] = {"ecpg", "(c) ecpg cursor, FETCH 1000", fetch_ecpg},
};

#define MAX_ROUNDS 50

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "fetch_bench: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock seconds. */
static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU seconds this process (the client) has used, user and system. */
static double cpu_now(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        die("%s", PQerrorMessage(pg));
    PQclear(r);
}

static int64_t query_int(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("%s", PQerrorMessage(pg));
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

static void fill_table(PGconn *pg, int64_t rows)
{
    char sql[1024];
    /* Rows not being written any more, so every scan returns them in one order. */
    exec_ok(pg, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronize_seqscans = off', "
                "current_database()); END $$");
    exec_ok(pg, "SET synchronize_seqscans = off");
    if (query_int(pg, "SELECT count(*) FROM fetch_rows") == rows)
        return;
    double t0 = now();
    exec_ok(pg, "TRUNCATE fetch_rows");
    snprintf(
        sql, sizeof sql,
        "INSERT INTO fetch_rows (id, name, created_at, score, ratio) "
        "SELECT g, 'user-' || g || '@example.com', "
        "timestamptz '2020-01-01 00:00:00+00' + g * interval '1.234567 seconds', "
        "CASE WHEN g %% 10 = 3 THEN NULL ELSE ((g::int8 * 7919) %% 200001 - 100000)::int4 END, "
        "g / 7.0::float8 "
        "FROM generate_series(1, %" PRId64 ") AS g",
        rows);
    exec_ok(pg, sql);
    exec_ok(pg, "VACUUM (FREEZE, ANALYZE) fetch_rows");
    fprintf(stderr, "filled fetch_rows with %" PRId64 " rows in %.1f s\n", rows, now() - t0);
}

static void connect_env(fetch_env *env, const char *db, bool with_ecpg)
{
    env->db = db;
    env->pg = PQconnectdb(db);
    if (PQstatus(env->pg) != CONNECTION_OK)
        die("%s", PQerrorMessage(env->pg));
    env->pc = pgqc_conn_wrap(env->pg);
    if (!env->pc)
        die("%s", "out of memory");
    if (with_ecpg && !fetch_ecpg_connect(db))
        exit(1);
}

static void disconnect_env(fetch_env *env, bool with_ecpg)
{
    if (with_ecpg)
        fetch_ecpg_disconnect();
    pgqc_conn_free(env->pc);
    PQfinish(env->pg);
}

static bool same_sum(const fetch_sum *a, const fetch_sum *b)
{
    return a->rows == b->rows && a->ids == b->ids && a->name_bytes == b->name_bytes &&
           a->usecs == b->usecs && a->nulls == b->nulls && a->scores == b->scores &&
           memcmp(&a->ratios, &b->ratios, sizeof a->ratios) == 0;
}

static void print_sum(const char *label, const fetch_sum *s)
{
    fprintf(stderr,
            "  %-32s rows=%" PRIu64 " ids=%" PRIu64 " name_bytes=%" PRIu64 " usecs=%" PRIu64
            " nulls=%" PRIu64 " scores=%" PRId64 " ratios=%.17g\n",
            label, s->rows, s->ids, s->name_bytes, s->usecs, s->nulls, s->scores, s->ratios);
}

/* ---- peak memory: one child process per variant ------------------------ */

static int child_main(const char *key, int64_t rows)
{
    const char *db = getenv("DATABASE_URL");
    int v = -1;
    for (int i = 0; i < NVARIANTS; i++)
        if (strcmp(variants[i].key, key) == 0)
            v = i;
    if (strcmp(key, "none") != 0 && v < 0)
        die("unknown variant %s", key);
    fetch_env env;
    connect_env(&env, db, v == V_ECPG);
    fetch_sum sum = {0};
    if (v >= 0 && (!variants[v].fn(&env, rows, &sum) || sum.rows != (uint64_t)rows))
        return 1;
    disconnect_env(&env, v == V_ECPG);
    return 0;
}

/* Peak RSS in KiB of this program re-run as `--child key --rows rows`. */
static long child_maxrss(const char *self, const char *key, int64_t rows)
{
    char nrows[32];
    snprintf(nrows, sizeof nrows, "%" PRId64, rows);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        execl(self, self, "--child", key, "--rows", nrows, (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        die("wait4: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child run of %s failed", key);
    return ru.ru_maxrss;
}

/* ---- statistics ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double median, min, max;
} stats;

static stats stats_of(const double *v, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    stats r = {n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, s[0], s[n - 1]};
    return r;
}

/* Time ratio of variant v against variant base, round by round. */
static stats ratio_stats(double t[NVARIANTS][MAX_ROUNDS], int v, int base, int rounds)
{
    double r[MAX_ROUNDS];
    for (int k = 0; k < rounds; k++)
        r[k] = t[v][k] / t[base][k];
    return stats_of(r, rounds);
}

static void fmt_rate(char *buf, size_t n, double rows_per_s)
{
    snprintf(buf, n, "%.2f M", rows_per_s / 1e6);
}

int main(int argc, char **argv)
{
    int64_t rows = 1000000, small_rows = 100000;
    int rounds = 11;
    const char *child = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--small-rows") == 0 && i + 1 < argc)
            small_rows = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--child") == 0 && i + 1 < argc)
            child = argv[++i];
        else
            die("usage: fetch_bench [--rows N] [--small-rows N] [--rounds R] (got %s)", argv[i]);
    }
    const char *db = getenv("DATABASE_URL");
    if (!db || !*db)
        die("%s", "DATABASE_URL is not set (run through bench/fetch/run.sh or pgqc run)");
    if (child)
        return child_main(child, rows);
    if (rows < 1 || small_rows < 1 || small_rows > rows || rounds < 1 || rounds > MAX_ROUNDS)
        die("%s", "need 1 <= --small-rows <= --rows and 1 <= --rounds <= 50");

    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0)
        die("readlink /proc/self/exe: %s", strerror(errno));
    self[len] = '\0';

    fetch_env env;
    connect_env(&env, db, false);
    fill_table(env.pg, rows);
    PGresult *info = PQexec(env.pg, "SELECT version(), "
                                    "pg_size_pretty(pg_total_relation_size('fetch_rows'))");
    if (PQresultStatus(info) == PGRES_TUPLES_OK)
        fprintf(stderr, "%s; fetch_rows: %s\n", PQgetvalue(info, 0, 0), PQgetvalue(info, 0, 1));
    PQclear(info);

    /* 2. Peak memory, each variant in a process of its own. */
    fprintf(stderr, "peak memory: %d child runs...\n", 2 * (NVARIANTS + 1));
    long mem[NVARIANTS + 1][2];
    for (int v = 0; v <= NVARIANTS; v++) {
        const char *key = v < NVARIANTS ? variants[v].key : "none";
        mem[v][0] = child_maxrss(self, key, small_rows);
        mem[v][1] = child_maxrss(self, key, rows);
    }

    /* 3. Warm-up, and all variants must read the same values. */
    if (!fetch_ecpg_connect(db))
        return 1;
    fetch_sum sums[NVARIANTS];
    bool agree = true;
    for (int v = 0; v < NVARIANTS; v++) {
        memset(&sums[v], 0, sizeof sums[v]);
        if (!variants[v].fn(&env, rows, &sums[v]))
            return 1;
        agree = agree && same_sum(&sums[v], &sums[0]);
    }
    if (!agree || sums[0].rows != (uint64_t)rows) {
        fprintf(stderr, "fetch_bench: variants disagree on what they read:\n");
        for (int v = 0; v < NVARIANTS; v++)
            print_sum(variants[v].label, &sums[v]);
        return 1;
    }
    fprintf(stderr, "warm-up done, all variants read the same values:\n");
    print_sum("checksum", &sums[0]);

    /* 4. Interleaved timing rounds. */
    double t[NVARIANTS][MAX_ROUNDS], cpu[NVARIANTS][MAX_ROUNDS];
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int k = 0; k < rounds; k++) {
        int order[NVARIANTS];
        for (int j = 0; j < NVARIANTS; j++)
            order[j] = j;
        for (int j = NVARIANTS - 1; j > 0; j--) { /* Fisher–Yates, xorshift64 */
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            int x = (int)(seed % (uint64_t)(j + 1)), tmp = order[j];
            order[j] = order[x];
            order[x] = tmp;
        }
        fprintf(stderr, "round %d/%d:", k + 1, rounds);
        for (int j = 0; j < NVARIANTS; j++) {
            int v = order[j];
            fetch_sum s = {0};
            malloc_trim(0);
            double t0 = now(), c0 = cpu_now();
            bool ok = variants[v].fn(&env, rows, &s);
            t[v][k] = now() - t0;
            cpu[v][k] = cpu_now() - c0;
            if (!ok || !same_sum(&s, &sums[0]))
                die("%s read something else in a timed round", variants[v].label);
            fprintf(stderr, " %s %.3fs", variants[v].key, t[v][k]);
        }
        fprintf(stderr, "\n");
    }
    fetch_ecpg_disconnect();
    disconnect_env(&env, false);

    printf("%" PRId64 " rows, %d interleaved rounds; rows/s in millions (median, min–max); "
           "time ratios are per-round medians (min–max), lower is faster\n\n",
           rows, rounds);
    printf("| variant | rows/s median | rows/s min–max | time ÷ (b) | time ÷ (b') |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (int v = 0; v < NVARIANTS; v++) {
        double rate[MAX_ROUNDS];
        for (int k = 0; k < rounds; k++)
            rate[k] = (double)rows / t[v][k];
        stats s = stats_of(rate, rounds);
        stats rb = ratio_stats(t, v, V_BIN, rounds);
        stats rs = ratio_stats(t, v, V_SINGLE, rounds);
        char med[32], lo[32], hi[32];
        fmt_rate(med, sizeof med, s.median);
        fmt_rate(lo, sizeof lo, s.min);
        fmt_rate(hi, sizeof hi, s.max);
        printf("| %s | %s | %s – %s | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) |\n", variants[v].label,
               med, lo, hi, rb.median, rb.min, rb.max, rs.median, rs.min, rs.max);
    }
    printf("\nClient CPU time per fetch (user + system of this process: the decoding side "
           "alone, less disturbed by other load on the machine than wall-clock time)\n\n");
    printf("| variant | CPU ms median | CPU ms min–max | CPU ÷ (b) | CPU ÷ (b') |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (int v = 0; v < NVARIANTS; v++) {
        stats s = stats_of(cpu[v], rounds);
        stats rb = ratio_stats(cpu, v, V_BIN, rounds);
        stats rs = ratio_stats(cpu, v, V_SINGLE, rounds);
        printf("| %s | %.0f | %.0f – %.0f | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) |\n",
               variants[v].label, s.median * 1e3, s.min * 1e3, s.max * 1e3, rb.median, rb.min,
               rb.max, rs.median, rs.min, rs.max);
    }
    printf("\nPeak memory (ru_maxrss of a child process running one fetch)\n\n");
    printf("| variant | %" PRId64 " rows | %" PRId64 " rows |\n", small_rows, rows);
    printf("|---|---:|---:|\n");
    for (int v = 0; v <= NVARIANTS; v++)
        printf("| %s | %.1f MiB | %.1f MiB |\n", v < NVARIANTS ? variants[v].label : "connect only",
               mem[v][0] / 1024.0, mem[v][1] / 1024.0);

    stats many = ratio_stats(t, V_MANY, V_BIN, rounds);
    stats iter = ratio_stats(t, V_ITER, V_SINGLE, rounds);
    stats many_cpu = ratio_stats(cpu, V_MANY, V_BIN, rounds);
    stats iter_cpu = ratio_stats(cpu, V_ITER, V_SINGLE, rounds);
    printf("\nTargets (<= 1.05): :many ÷ (b) = %.3f wall, %.3f client CPU; "
           ":iter ÷ (b') = %.3f wall, %.3f client CPU\n",
           many.median, many_cpu.median, iter.median, iter_cpu.median);
    return 0;
}
