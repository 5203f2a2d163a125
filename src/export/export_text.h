/* export_text -- writing untrusted text (user agents, seed names) into the
 * export formats so that no byte a peer chose can break the file's syntax.
 *
 * JSON and CSV are UTF-8: a valid sequence passes through, each maximal
 * ill-formed subpart becomes U+FFFD (util/utf8.h: as Python's and browsers'
 * decoders do, so a reader that decodes the original bytes with replacement
 * sees the same text). The dump is one
 * whitespace-separated token per field, so there every byte outside
 * 0x21-0x7e, and '"' and '%', becomes %XX. */
#ifndef BTCSEED_EXPORT_TEXT_H
#define BTCSEED_EXPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* "..." with JSON escapes. */
void export_json_string(FILE *out, const char *s);
/* One CSV field: quoted (with "" for ") when it holds a comma, a quote, a
 * control character or leading/trailing blanks; RFC 4180. */
void export_csv_field(FILE *out, const char *s);
/* The dump's quoted user agent: "..." with %XX escapes inside. */
void export_dump_quoted(FILE *out, const char *s);

#endif
