/* libFuzzer target: the escapes that carry peer-chosen text into the export
 * files. Each output is read back (dump %XX, JSON string escapes, RFC 4180
 * field) and must give the input again: exactly for the dump, with
 * ill-formed UTF-8 replaced by U+FFFD for JSON and CSV. The UTF-8 decoder's
 * valid sequences are checked against the code point rules directly. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export_text.h"
#include "util/utf8.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

/* Decodes a sequence utf8_next called valid and checks it is the
 * shortest form of a scalar value. */
static void check_valid_sequence(const unsigned char *s, size_t n)
{
    static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp;
    if (n == 1) {
        check(s[0] < 0x80);
        return;
    }
    cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        check((s[i] & 0xc0) == 0x80);
        cp = cp << 6 | (s[i] & 0x3f);
    }
    check(cp >= min_for_len[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
}

/* The input with each ill-formed subpart replaced by U+FFFD. */
static size_t sanitize(const unsigned char *s, size_t len, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        bool valid;
        size_t n = utf8_next(s + i, len - i, NULL, &valid);
        check(n >= 1 && n <= 4 && n <= len - i);
        if (valid) {
            check_valid_sequence(s + i, n);
            memcpy(out + o, s + i, n);
            o += n;
        } else {
            check(n <= 3);
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        }
        i += n;
    }
    return o;
}

static char *capture(void (*fn)(FILE *, const char *), const char *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    check(f != NULL);
    fn(f, s);
    fclose(f);
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    check(c >= 'A' && c <= 'F');
    return c - 'A' + 10;
}

static void check_dump(const char *s, size_t len)
{
    size_t n;
    char *out = capture(export_dump_quoted, s, &n);
    check(n >= 2 && out[0] == '"' && out[n - 1] == '"');
    unsigned char *back = malloc(n);
    size_t o = 0;
    for (size_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)out[i];
        check(c >= 0x21 && c <= 0x7e && c != '"'); /* one whitespace-free token */
        if (c == '%') {
            check(i + 2 < n - 1);
            back[o++] = (unsigned char)(hexval(out[i + 1]) * 16 + hexval(out[i + 2]));
            i += 2;
        } else {
            back[o++] = c;
        }
    }
    check(o == len && memcmp(back, s, len) == 0);
    free(back);
    free(out);
}

static void put_utf8(unsigned char *out, size_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (unsigned char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (unsigned char)(0xc0 | cp >> 6);
        out[(*o)++] = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        out[(*o)++] = (unsigned char)(0xe0 | cp >> 12);
        out[(*o)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        out[(*o)++] = (unsigned char)(0x80 | (cp & 0x3f));
    }
}

static void check_json(const char *s, const unsigned char *want, size_t want_len)
{
    size_t n;
    char *out = capture(export_json_string, s, &n);
    check(n >= 2 && out[0] == '"' && out[n - 1] == '"');
    unsigned char *back = malloc(4 * n + 4);
    size_t o = 0;
    for (size_t i = 1; i < n - 1;) {
        unsigned char c = (unsigned char)out[i];
        check(c >= 0x20 && c != '"'); /* no raw control characters, no bare quote */
        if (c != '\\') {
            bool valid;
            size_t k = utf8_next((const uint8_t *)out + i, n - 1 - i, NULL, &valid);
            check(valid);
            memcpy(back + o, out + i, k);
            o += k;
            i += k;
            continue;
        }
        check(i + 1 < n - 1);
        char e = out[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e == 'u') {
            check(i + 5 < n - 1);
            uint32_t cp = 0;
            for (int d = 0; d < 4; d++) {
                char h = out[i + 2 + d];
                cp = cp * 16 + (uint32_t)(h >= 'a' ? h - 'a' + 10 : h - '0');
            }
            put_utf8(back, &o, cp);
            i += 6;
        } else {
            check(simple != NULL && e != '\0');
            back[o++] = (unsigned char)"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            i += 2;
        }
    }
    check(o == want_len && memcmp(back, want, o) == 0);
    free(back);
    free(out);
}

static void check_csv(const char *s, const unsigned char *want, size_t want_len)
{
    size_t n;
    char *out = capture(export_csv_field, s, &n);
    unsigned char *back = malloc(n + 1);
    size_t o = 0;
    if (n > 0 && out[0] == '"') {
        check(n >= 2 && out[n - 1] == '"');
        for (size_t i = 1; i < n - 1; i++) {
            if (out[i] == '"') {
                check(i + 1 < n - 1 && out[i + 1] == '"');
                i++;
            }
            back[o++] = (unsigned char)out[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            check(c != '"' && c != ',' && c != '\r' && c != '\n'); /* unquoted is safe */
            back[o++] = c;
        }
    }
    check(o == want_len && memcmp(back, want, o) == 0);
    free(back);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s); /* the escapes take C strings: stop at a NUL */
    unsigned char *clean = malloc(3 * len + 1);
    size_t clean_len = sanitize((const unsigned char *)s, len, clean);
    check_dump(s, len);
    check_json(s, clean, clean_len);
    check_csv(s, clean, clean_len);
    free(clean);
    free(s);
    return 0;
}
