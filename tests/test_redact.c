/*
 * test_redact.c — unit tests of generator/redact.c: secrets found in every
 * spelling of a connection string, well-formed or not, and control
 * characters made visible. (test_cli runs the same strings through every
 * command.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "redact.h"

#define SECRET "s3cr3tpw"

/* Each string: redacting it keeps no trace of the secret, in any form. */
static const char *const hostile[] = {
    "postgresql://alice:" SECRET "@db.example/app",
    "postgres://alice:" SECRET "@[::1/app",                  /* unclosed IPv6 bracket */
    "mysql://alice:" SECRET "@db/app",                       /* not PostgreSQL at all */
    "postgresql://alice:p%zz" SECRET "@db/app",              /* invalid percent escape */
    "postgresql://alice:s3cr%33tpw@db/app",                  /* percent-encoded secret */
    "postgresql://alice@corp:" SECRET "@db/app",             /* '@' in the userinfo */
    "postgresql://alice:" SECRET "/x?y@db/app",              /* '/', '?' in the password */
    "postgresql://db/app?sslmode=require&password=" SECRET,  /* query parameter */
    "postgresql://db/app?pass%77ord=" SECRET "&x=1",         /* encoded key */
    "host=db user=alice password=" SECRET " dbname=app",     /* key=value */
    "host=db password = '" SECRET " with space' dbname=app", /* quoted value */
    "host=db password='" SECRET,                             /* unterminated quote */
    "host=db sslpassword=" SECRET,                           /* key file password */
    "dbname=postgresql://alice:" SECRET "@db/app host=x",    /* URL inside a dbname */
    "  postgresql://alice:" SECRET "@db/app",                /* leading blanks */
};

static void test_redacted_strings_keep_no_secret(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *r = redact_conninfo(hostile[i]);
        if (strstr(r, SECRET) || strstr(r, "s3cr%33"))
            fail_msg("leaked: %s -> %s", hostile[i], r);
        assert_non_null(strstr(r, "***"));
        free(r);
    }
}

static void test_messages_echoing_pieces_are_scrubbed(void **state)
{
    (void)state;
    /* libpq's errors quote the string or a token of it. */
    const char *url = "postgresql://alice:p%zz" SECRET "@db/app";
    size_t n;
    char **secrets = redact_secrets(url, &n);
    char *msg = redact_text("invalid percent-encoded token: \"p%zz" SECRET "\"", secrets, n);
    assert_null(strstr(msg, SECRET));
    free(msg);
    for (size_t i = 0; i < n; i++)
        free(secrets[i]);
    free(secrets);

    secrets = redact_secrets("postgresql://alice:s3cr%33tpw@db/app", &n);
    msg = redact_text("password \"" SECRET "\" given", secrets, n); /* the decoded form */
    assert_null(strstr(msg, SECRET));
    free(msg);
    for (size_t i = 0; i < n; i++)
        free(secrets[i]);
    free(secrets);
}

static void test_harmless_parts_stay_readable(void **state)
{
    (void)state;
    char *r = redact_conninfo("postgresql://alice:" SECRET "@db.example:5433/app?sslmode=require");
    assert_string_equal(r, "postgresql://alice:***@db.example:5433/app?sslmode=require");
    free(r);
    r = redact_conninfo("host=db user=alice password=" SECRET " dbname=app");
    assert_string_equal(r, "host=db user=alice password=*** dbname=app");
    free(r);
    r = redact_conninfo("postgresql://app@localhost/app");
    assert_string_equal(r, "postgresql://app@localhost/app");
    free(r);
}

static void test_registered_secrets_and_escapes_never_print(void **state)
{
    (void)state;
    redact_register("postgresql://alice:" SECRET "@db/app");
    char *p = redact_printable("error near " SECRET ": \033[2J\033]0;title\007 \xc2\x9b"
                               "31m bold\rover\nnext\tline");
    assert_null(strstr(p, SECRET));
    assert_null(strchr(p, '\033'));
    assert_null(strchr(p, '\007'));
    assert_null(strchr(p, '\r'));
    assert_null(strstr(p, "\xc2\x9b"));
    assert_non_null(strstr(p, "\\x1b[2J"));
    assert_non_null(strstr(p, "\nnext\tline")); /* newlines and tabs stay */
    free(p);
}

/*
 * A string libpq cannot parse (a password pasted alone, a stray word, a
 * mistyped key) is registered whole and word by word: libpq's message
 * quotes such a piece, and it must not survive redact_printable().
 */
static void test_unparseable_strings_are_registered_whole(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "p%sZq9" SECRET "XY",
        "host=db " SECRET "word",
        "host=db pass" SECRET "=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        redact_register(bad[i]);
        char *p = redact_printable(bad[i]);
        assert_null(strstr(p, SECRET));
        free(p);
    }
    char *p = redact_printable("missing \"=\" after \"" SECRET "word\" in connection info string"
                               " / invalid connection option \"pass" SECRET "\"");
    if (strstr(p, SECRET))
        fail_msg("printed: %s", p);
    free(p);
    /* A parseable string's harmless parts stay readable. */
    redact_register("host=visible-host dbname=app");
    p = redact_printable("connecting to visible-host");
    assert_non_null(strstr(p, "visible-host"));
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redacted_strings_keep_no_secret),
        cmocka_unit_test(test_messages_echoing_pieces_are_scrubbed),
        cmocka_unit_test(test_harmless_parts_stay_readable),
        cmocka_unit_test(test_registered_secrets_and_escapes_never_print),
        cmocka_unit_test(test_unparseable_strings_are_registered_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
