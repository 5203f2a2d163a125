#include "http/http_svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "http/http_escape.h"

/* Geometry in viewBox units; the page scales the whole picture. */
#define LINE_HEIGHT 230
#define LINE_MARGIN_LEFT 54
#define LINE_MARGIN_RIGHT 16
#define LINE_MARGIN_TOP 28 /* the legend row */
#define LINE_MARGIN_BOTTOM 24
#define LINE_Y_TICKS 4
#define LINE_MAX_X_TICKS 6
#define BAR_ROW 22
#define BAR_THICKNESS 16
#define BAR_LABEL_WIDTH 170
#define BAR_VALUE_WIDTH 48
#define BAR_LABEL_CHARS 24
#define EMPTY_HEIGHT 48
#define FONT "font-family=\"system-ui,sans-serif\" font-size=\"12\""
#define AXIS_COLOR "#888"
/* Grid lines follow the text colour, faintly, so dark pages work too. */
#define GRID_STROKE "stroke=\"currentColor\" stroke-opacity=\"0.15\""

void http_svg_format_count(char *buf, size_t size, double v)
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(buf, size, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, size, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, size, "%.0fk", v / 1e3);
    else if (a >= 1e3)
        snprintf(buf, size, "%.3gk", v / 1e3);
    else
        snprintf(buf, size, "%.3g", v);
}

void http_svg_format_thousands(char *buf, size_t size, uint64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static void open_svg(struct evbuffer *out, const char *id, const char *kind, const char *title,
                     int width, int height, const char *count_attr, size_t count)
{
    evbuffer_add_printf(out,
                        "<svg class=\"chart %s\" id=\"", kind);
    http_html(out, id);
    evbuffer_add_printf(out,
                        "\" %s=\"%zu\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
                        "preserveAspectRatio=\"xMidYMid meet\" " FONT "><title>",
                        count_attr, count, width, height);
    http_html(out, title);
    HTTP_PUT(out, "</title>");
}

static void empty_chart(struct evbuffer *out, const char *id, const char *kind, const char *title,
                        int width, const char *count_attr)
{
    open_svg(out, id, kind, title, width, EMPTY_HEIGHT, count_attr, 0);
    evbuffer_add_printf(out,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">"
                        "no data yet</text></svg>",
                        width / 2, EMPTY_HEIGHT / 2 + 4, AXIS_COLOR);
}

/* A round step (1, 2 or 5 times a power of ten) near span/ticks. */
static double nice_step(double span, int ticks)
{
    double raw = span / ticks;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static const int64_t time_steps[] = {1,     2,      5,      10,       15,       30,       60,
                                     120,   300,    600,    900,      1800,     3600,     3 * 3600,
                                     6 * 3600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400,
                                     30 * 86400};

static void line_axes(struct evbuffer *out, int64_t t0, int64_t span, double top, double step,
                      int plot_w, int plot_h)
{
    for (double v = 0; v <= top + step / 2; v += step) {
        double y = LINE_MARGIN_TOP + plot_h - v / top * plot_h;
        char label[32];
        http_svg_format_count(label, sizeof label, v);
        evbuffer_add_printf(out,
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" " GRID_STROKE "/>"
                            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">%s</text>",
                            LINE_MARGIN_LEFT, LINE_MARGIN_LEFT + plot_w, y, y,
                            LINE_MARGIN_LEFT - 6, y + 4, AXIS_COLOR, label);
    }
    int64_t tstep = time_steps[sizeof time_steps / sizeof time_steps[0] - 1];
    for (size_t i = 0; i < sizeof time_steps / sizeof time_steps[0]; i++) {
        if (span / time_steps[i] <= LINE_MAX_X_TICKS - 1) {
            tstep = time_steps[i];
            break;
        }
    }
    const char *fmt = tstep < 60 ? "%H:%M:%S" : span <= 2 * 86400 ? "%H:%M" : "%m-%d";
    for (int64_t t = (t0 + tstep - 1) / tstep * tstep; t <= t0 + span; t += tstep) {
        double x = LINE_MARGIN_LEFT + (double)(t - t0) / (double)span * plot_w;
        time_t tt = (time_t)t;
        struct tm tm;
        char label[16];
        gmtime_r(&tt, &tm);
        strftime(label, sizeof label, fmt, &tm);
        evbuffer_add_printf(out,
                            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">"
                            "%s</text>",
                            x, x, LINE_MARGIN_TOP + plot_h, LINE_MARGIN_TOP + plot_h + 4,
                            AXIS_COLOR, x, LINE_HEIGHT - 6, AXIS_COLOR, label);
    }
}

void http_svg_line_chart(struct evbuffer *out, const char *id, const char *title, int width,
                         const int64_t *x, size_t n, const struct http_svg_series *series,
                         size_t nseries)
{
    if (width < HTTP_SVG_MIN_WIDTH)
        width = HTTP_SVG_MIN_WIDTH;
    if (n == 0 || nseries == 0) {
        empty_chart(out, id, "line", title, width, "data-points");
        return;
    }
    double max = 0;
    for (size_t s = 0; s < nseries; s++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(series[s].y[i]) && series[s].y[i] > max)
                max = series[s].y[i];
    double step = max > 0 ? nice_step(max, LINE_Y_TICKS) : 1;
    double top = max > 0 ? ceil(max / step) * step : LINE_Y_TICKS;
    if (max <= 0)
        step = 1;
    int64_t t0 = x[0];
    int64_t span = x[n - 1] > t0 ? x[n - 1] - t0 : 60; /* one point: a minute wide */
    int plot_w = width - LINE_MARGIN_LEFT - LINE_MARGIN_RIGHT;
    int plot_h = LINE_HEIGHT - LINE_MARGIN_TOP - LINE_MARGIN_BOTTOM;

    open_svg(out, id, "line", title, width, LINE_HEIGHT, "data-points", n);
    line_axes(out, t0, span, top, step, plot_w, plot_h);

    int legend_x = LINE_MARGIN_LEFT;
    for (size_t s = 0; s < nseries; s++) {
        evbuffer_add_printf(out, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"",
                            legend_x);
        http_html(out, series[s].color);
        evbuffer_add_printf(out, "\"/><text x=\"%d\" y=\"18\" fill=\"currentColor\">",
                            legend_x + 16);
        http_html(out, series[s].name);
        HTTP_PUT(out, "</text>");
        legend_x += 24 + 7 * (int)strlen(series[s].name);
    }

    for (size_t s = 0; s < nseries; s++) {
        HTTP_PUT(out, "<path class=\"series\" fill=\"none\" stroke-width=\"2\" "
                          "stroke-linejoin=\"round\" stroke=\"");
        http_html(out, series[s].color);
        HTTP_PUT(out, "\" d=\"");
        bool pen_down = false;
        double last_x = 0, last_y = 0;
        size_t drawn = 0;
        for (size_t i = 0; i < n; i++) {
            double v = series[s].y[i];
            if (!isfinite(v)) {
                pen_down = false;
                continue;
            }
            double px = LINE_MARGIN_LEFT + (double)(x[i] - t0) / (double)span * plot_w;
            double py = LINE_MARGIN_TOP + plot_h - (v < 0 ? 0 : v) / top * plot_h;
            evbuffer_add_printf(out, "%c%.1f %.1f", pen_down ? 'L' : 'M', px, py);
            pen_down = true;
            last_x = px, last_y = py;
            drawn++;
        }
        HTTP_PUT(out, "\"><title>");
        http_html(out, series[s].name);
        HTTP_PUT(out, "</title></path>");
        if (drawn) { /* the newest value, marked and written out */
            char label[32];
            double newest = NAN;
            for (size_t i = n; i-- > 0;)
                if (isfinite(series[s].y[i])) {
                    newest = series[s].y[i];
                    break;
                }
            http_svg_format_count(label, sizeof label, newest);
            evbuffer_add_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"", last_x,
                                last_y);
            http_html(out, series[s].color);
            evbuffer_add_printf(out, "\"><title>%s</title></circle>", label);
        }
    }
    HTTP_PUT(out, "</svg>");
}

void http_svg_bar_chart(struct evbuffer *out, const char *id, const char *title,
                        const struct http_svg_bar *bars, size_t n, const char *color)
{
    if (n == 0) {
        empty_chart(out, id, "bar", title, HTTP_SVG_WIDTH, "data-bars");
        return;
    }
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    int height = (int)n * BAR_ROW + 8;
    int bar_w = HTTP_SVG_WIDTH - BAR_LABEL_WIDTH - BAR_VALUE_WIDTH;
    open_svg(out, id, "bar", title, HTTP_SVG_WIDTH, height, "data-bars", n);
    for (size_t i = 0; i < n; i++) {
        double v = bars[i].value > 0 && isfinite(bars[i].value) ? bars[i].value : 0;
        double w = max > 0 ? v / max * bar_w : 0;
        int y = 4 + (int)i * BAR_ROW;
        char value[32];
        http_svg_format_thousands(value, sizeof value, (uint64_t)v);
        HTTP_PUT(out, "<g class=\"bar\"><title>");
        http_html_escape(out, bars[i].label, bars[i].label_len, 0);
        evbuffer_add_printf(out, ": %.0f</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
                                 "fill=\"currentColor\">",
                            v, BAR_LABEL_WIDTH - 8, y + BAR_THICKNESS - 4);
        http_html_escape(out, bars[i].label, bars[i].label_len, BAR_LABEL_CHARS);
        evbuffer_add_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                                 "rx=\"2\" fill=\"",
                            BAR_LABEL_WIDTH, y, w < 1 && v > 0 ? 1 : w, BAR_THICKNESS);
        http_html(out, color);
        evbuffer_add_printf(out,
                            "\"/><text x=\"%.1f\" y=\"%d\" fill=\"currentColor\">%s</text></g>",
                            BAR_LABEL_WIDTH + w + 6, y + BAR_THICKNESS - 4, value);
    }
    HTTP_PUT(out, "</svg>");
}
