#include "export/export_text.h"

#include <stdbool.h>
#include <string.h>

#include "util/utf8.h"

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
            size_t n = utf8_next(p + i, len - i, NULL, &valid);
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
        size_t n = utf8_next(p + i, len - i, NULL, &valid);
        if (!valid)
            fputs(UTF8_REPLACEMENT_BYTES, out);
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
