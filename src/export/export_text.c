#include "export/export_text.h"

#include <string.h>

#define REPLACEMENT_UTF8 "\xef\xbf\xbd" /* U+FFFD */

static bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

/* Well-formed sequences (Unicode 15, table 3-7):
 *   00..7F
 *   C2..DF 80..BF
 *   E0     A0..BF 80..BF       E1..EC 80..BF 80..BF
 *   ED     80..9F 80..BF       EE..EF 80..BF 80..BF
 *   F0     90..BF 80..BF 80..BF
 *   F1..F3 80..BF 80..BF 80..BF
 *   F4     80..8F 80..BF 80..BF */
size_t export_utf8_next(const unsigned char *s, size_t len, bool *valid)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    *valid = false;
    if (c < 0x80) {
        *valid = true;
        return 1;
    }
    if (in(c, 0xc2, 0xdf))
        need = 2;
    else if (in(c, 0xe0, 0xef))
        need = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (in(c, 0xf0, 0xf4))
        need = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 1;
    if (len < 2 || !in(s[1], lo, hi))
        return 1;
    for (size_t i = 2; i < need; i++)
        if (i >= len || !in(s[i], 0x80, 0xbf))
            return i;
    *valid = true;
    return need;
}

void export_json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            static const char short_escape[] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                                ['\r'] = 'r', ['\t'] = 't'};
            if (c < sizeof short_escape && short_escape[c])
                fprintf(out, "\\%c", short_escape[c]);
            else
                fprintf(out, "\\u%04x", c);
            i++;
        } else {
            bool valid;
            size_t n = export_utf8_next(p + i, len - i, &valid);
            if (valid)
                fwrite(p + i, 1, n, out);
            else
                fputs("\\ufffd", out);
            i += n;
        }
    }
    fputc('"', out);
}

static bool csv_needs_quotes(const unsigned char *p, size_t len)
{
    if (len > 0 && (p[0] == ' ' || p[len - 1] == ' '))
        return true;
    for (size_t i = 0; i < len; i++)
        if (p[i] == ',' || p[i] == '"' || p[i] < 0x20 || p[i] == 0x7f)
            return true;
    return false;
}

void export_csv_field(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    bool quote = csv_needs_quotes(p, len);
    if (quote)
        fputc('"', out);
    for (size_t i = 0; i < len;) {
        bool valid;
        size_t n = export_utf8_next(p + i, len - i, &valid);
        if (!valid)
            fputs(REPLACEMENT_UTF8, out);
        else if (p[i] == '"')
            fputs("\"\"", out);
        else
            fwrite(p + i, 1, n, out);
        i += n;
    }
    if (quote)
        fputc('"', out);
}

void export_dump_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '%')
            fprintf(out, "%%%02X", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}
