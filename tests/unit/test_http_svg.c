/* Unit tests for the SVG charts: structure, scaling, escaping, and XML
 * well-formedness (checked by Python's XML parser, a real one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <event2/buffer.h>

#include "http/http_svg.h"

static char *take(struct evbuffer *b)
{
    size_t n = evbuffer_get_length(b);
    char *s = malloc(n + 1);
    evbuffer_remove(b, s, n);
    s[n] = '\0';
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Parses svg with /usr/bin/python3's XML parser; returns its exit status. */
static int xml_check(const char *svg)
{
    FILE *p = popen("/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; "
                    "E.fromstring(sys.stdin.buffer.read())' 2>/dev/null",
                    "w");
    assert_non_null(p);
    fputs(svg, p);
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_xml_check_can_fail(void **state)
{
    assert_int_not_equal(xml_check("<svg><text>a & b</text></svg>"), 0);
    assert_int_equal(xml_check("<svg><text>a &amp; b</text></svg>"), 0);
}

static void test_line_chart(void **state)
{
    const int64_t x[] = {1700000000, 1700000600, 1700001200, 1700003600};
    const double reachable[] = {100, 250, NAN, 400};
    const double good[] = {10, 20, 30, 40};
    const struct http_svg_series series[] = {
        {"reachable", "#1f77b4", reachable},
        {"good", "#2ca02c", good},
    };
    struct evbuffer *b = evbuffer_new();
    http_svg_line_chart(b, "nodes", "Nodes <over> time", 640, x, 4, series, 2);
    char *svg = take(b);
    assert_int_equal(xml_check(svg), 0);
    assert_non_null(strstr(svg, "class=\"chart line\" id=\"nodes\" data-points=\"4\""));
    assert_non_null(strstr(svg, "<title>Nodes &lt;over&gt; time</title>"));
    assert_int_equal(count(svg, "class=\"series\""), 2);
    /* The gap (NaN) starts a new subpath: two M for "reachable", one for "good". */
    const char *first = strstr(svg, "class=\"series\"");
    const char *second = strstr(first + 1, "class=\"series\"");
    const char *d1 = strstr(first, " d=\"");
    const char *d2 = strstr(second, " d=\"");
    assert_int_equal(count(d1, "M") - count(d2, "M"), 2);
    /* y axis tops out at a round number at or above 400: 0,100..400 */
    assert_non_null(strstr(svg, ">400</text>"));
    assert_null(strstr(svg, ">500</text>"));
    /* x axis labels are UTC times: 22:13:20 is the first point, 15-minute ticks */
    assert_non_null(strstr(svg, ">22:15</text>"));
    assert_non_null(strstr(svg, ">23:00</text>"));
    /* the newest value of each series is marked */
    assert_int_equal(count(svg, "<circle"), 2);
    /* the highest point sits at the top of the plot, 0 at the bottom */
    assert_non_null(strstr(svg, "M624.0 28.0"));
    free(svg);
    evbuffer_free(b);
}

static void test_line_chart_empty_and_single(void **state)
{
    struct evbuffer *b = evbuffer_new();
    http_svg_line_chart(b, "empty", "Nothing", HTTP_SVG_WIDTH, NULL, 0, NULL, 0);
    char *svg = take(b);
    assert_int_equal(xml_check(svg), 0);
    assert_non_null(strstr(svg, "data-points=\"0\""));
    assert_non_null(strstr(svg, "no data yet"));
    free(svg);

    const int64_t x[] = {1700000000};
    const double zero[] = {0};
    const struct http_svg_series s = {"rate", "#d62728", zero};
    http_svg_line_chart(b, "one", "One point", 10, x, 1, &s, 1);
    /* too narrow a width is raised to the minimum */
    assert_non_null(strstr(svg = take(b), "viewBox=\"0 0 240 230\""));
    assert_int_equal(xml_check(svg), 0);
    assert_non_null(strstr(svg, "data-points=\"1\""));
    /* a one-point chart is a minute wide, with ticks in seconds */
    assert_non_null(strstr(svg, ">22:13:30</text>"));
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    free(svg);
    evbuffer_free(b);
}

static void test_bar_chart_escapes_and_scales(void **state)
{
    const char hostile[] = "/evil\"><script>alert(1)</script>\x01\xff&/";
    const struct http_svg_bar bars[] = {
        {"/Satoshi:27.0.0/", 16, 1200},
        {hostile, sizeof hostile - 1, 600},
        {"/a-very-long-user-agent-string-that-goes-on-and-on/", 51, 0},
    };
    struct evbuffer *b = evbuffer_new();
    http_svg_bar_chart(b, "agents", "Top user agents", bars, 3, "#9467bd");
    char *svg = take(b);
    assert_int_equal(xml_check(svg), 0);
    assert_non_null(strstr(svg, "data-bars=\"3\""));
    assert_int_equal(count(svg, "class=\"bar\""), 3);
    assert_null(strstr(svg, "<script"));
    assert_non_null(strstr(svg, "&lt;script&gt;"));
    assert_non_null(strstr(svg, "\xef\xbf\xbd")); /* the \x01 and \xff */
    /* the largest bar is the full width (480 - 170 - 48), the second half */
    assert_non_null(strstr(svg, "width=\"262.0\""));
    assert_non_null(strstr(svg, "width=\"131.0\""));
    assert_non_null(strstr(svg, ">1,200</text>"));
    /* long labels are cut with an ellipsis, the tooltip keeps them whole */
    assert_non_null(strstr(svg, "/a-very-long-user-agent-\xe2\x80\xa6</text>"));
    assert_non_null(strstr(svg, "<title>/a-very-long-user-agent-string-that-goes-on-and-on/: 0"));
    free(svg);

    http_svg_bar_chart(b, "none", "None", NULL, 0, "#000");
    svg = take(b);
    assert_non_null(strstr(svg, "data-bars=\"0\""));
    assert_int_equal(xml_check(svg), 0);
    free(svg);
    evbuffer_free(b);
}

static void test_format_thousands(void **state)
{
    char buf[32];
    const uint64_t v[] = {0, 999, 1000, 1234567, UINT64_MAX};
    const char *text[] = {"0", "999", "1,000", "1,234,567", "18,446,744,073,709,551,615"};
    for (size_t i = 0; i < 5; i++) {
        http_svg_format_thousands(buf, sizeof buf, v[i]);
        assert_string_equal(buf, text[i]);
    }
}

static void test_format_count(void **state)
{
    const struct {
        double v;
        const char *text;
    } cases[] = {{0, "0"}, {7, "7"}, {0.5, "0.5"}, {950, "950"}, {1234, "1.23k"},
                 {15400, "15k"}, {2345678, "2.35M"}, {3e9, "3G"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        http_svg_format_count(buf, sizeof buf, cases[i].v);
        assert_string_equal(buf, cases[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_check_can_fail),
        cmocka_unit_test(test_line_chart),
        cmocka_unit_test(test_line_chart_empty_and_single),
        cmocka_unit_test(test_bar_chart_escapes_and_scales),
        cmocka_unit_test(test_format_count),
        cmocka_unit_test(test_format_thousands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
