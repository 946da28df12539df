// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl output: a small JSON writer and the print_* helpers that send each
 * item either to the text line or to the JSON document, so every command
 * has one print path for both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctnrctl.h"

#define JW_MAX_DEPTH	16

static struct {
	int depth;
	bool first[JW_MAX_DEPTH];	/* nothing written yet at this level */
} jw;

static void jw_indent(void)
{
	int i;

	putchar('\n');
	for (i = 0; i < jw.depth; i++)
		fputs("    ", stdout);
}

/* Length of a valid UTF-8 sequence at @s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/*
 * A JSON string.  Control characters are escaped; bytes that are not valid
 * UTF-8 become \u00XX so the output stays valid JSON whatever the kernel
 * sent (cgroup paths may hold any byte).
 */
static void jw_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int len;

	putchar('"');
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\b':
			fputs("\\b", stdout);
			break;
		case '\f':
			fputs("\\f", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				printf("\\u%04x", *s);
			} else if (*s < 0x80) {
				putchar(*s);
			} else if ((len = utf8_len(s))) {
				fwrite(s, 1, len, stdout);
				s += len;
				continue;
			} else {
				printf("\\u%04x", *s);
			}
		}
		s++;
	}
	putchar('"');
}

/* Separator, indentation and key of the next member or element. */
static void jw_member(const char *key)
{
	if (jw.depth > 0) {
		if (!jw.first[jw.depth])
			putchar(',');
		jw.first[jw.depth] = false;
		if (pretty)
			jw_indent();
	}
	if (key && jw.depth > 0) {
		jw_string(key);
		fputs(pretty ? ": " : ":", stdout);
	}
}

static void jw_open(const char *key, char c)
{
	jw_member(key);
	putchar(c);
	if (jw.depth < JW_MAX_DEPTH - 1)
		jw.depth++;
	jw.first[jw.depth] = true;
}

static void jw_close(char c)
{
	bool empty = jw.first[jw.depth];

	if (jw.depth > 0)
		jw.depth--;
	if (pretty && !empty)
		jw_indent();
	putchar(c);
	if (jw.depth == 0)
		putchar('\n');
}

void open_json_object(const char *key)
{
	if (json)
		jw_open(key, '{');
}

void close_json_object(void)
{
	if (json)
		jw_close('}');
}

void open_json_array(const char *key)
{
	if (json)
		jw_open(key, '[');
}

void close_json_array(void)
{
	if (json)
		jw_close(']');
}

void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *val)
{
	if (json) {
		if (t & PRINT_JSON) {
			jw_member(key);
			jw_string(val ? val : "");
		}
	} else if (t & PRINT_FP && fmt) {
		printf(fmt, val ? val : "");
	}
}

void print_uint(enum print_type t, const char *key, const char *fmt,
		uint64_t val)
{
	if (json) {
		if (t & PRINT_JSON) {
			jw_member(key);
			printf("%llu", (unsigned long long)val);
		}
	} else if (t & PRINT_FP && fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void print_bool(enum print_type t, const char *key, const char *fmt,
		bool val)
{
	if (json) {
		if (t & PRINT_JSON) {
			jw_member(key);
			fputs(val ? "true" : "false", stdout);
		}
	} else if (t & PRINT_FP && fmt) {
		printf(fmt, val ? "true" : "false");
	}
}

/* Text only. */
void print_fp(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_nl(void)
{
	if (!json)
		putchar('\n');
}

/* 0, or EXIT_FAIL after saying stdout could not be written. */
int print_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return EXIT_OK;
	fprintf(stderr, "ctnrctl: cannot write the output: %m\n");
	return EXIT_FAIL;
}
