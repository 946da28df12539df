// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl output: a small JSON writer and the print_* helpers that send each
 * item either to the text line or to the JSON document, so every command
 * has one print path for both.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Length of a valid UTF-8 sequence in the @n bytes at @s, or 0. */
static int utf8_len(const unsigned char *s, size_t n)
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
	if ((size_t)len > n)
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
 * Is the valid sequence of @len bytes at @s a character a terminal acts on
 * rather than shows: a C1 control (U+0080..U+009F; U+009B is CSI on many
 * terminals) or a bidirectional mark, embedding, override or isolate
 * (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which reorder what
 * follows on the line?  Returns its code point, or 0.
 */
static unsigned int utf8_control(const unsigned char *s, int len)
{
	unsigned int cp;

	if (len == 2) {
		cp = (s[0] & 0x1fU) << 6 | (s[1] & 0x3fU);
		return cp <= 0x9f ? cp : 0;
	}
	if (len != 3)
		return 0;
	cp = (s[0] & 0x0fU) << 12 | (s[1] & 0x3fU) << 6 | (s[2] & 0x3fU);
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

/*
 * The @len bytes at @s made safe for a terminal, in a new string (NULL
 * when out of memory): control characters, the backslash, bytes that are
 * not valid UTF-8 and the characters of utf8_control() become \xNN, one
 * per byte, as /dev/kmsg writes them.  Everything a container controls
 * (cgroup paths, task names, file paths, log text, messages quoting them)
 * goes through here before it reaches a terminal: an escape sequence in a
 * cgroup name must not reprogram the administrator's terminal.
 */
char *escape_text(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out, *d;
	size_t i = 0;
	int n, k;

	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	d = out;
	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			*d++ = (char)s[i++];
			continue;
		}
		n = s[i] >= 0x80 ? utf8_len(s + i, len - i) : 0;
		if (n && !utf8_control(s + i, n)) {
			memcpy(d, s + i, n);
			d += n;
			i += n;
			continue;
		}
		for (k = n ? n : 1; k > 0; k--, i++)
			d += sprintf(d, "\\x%02x", s[i]);
	}
	*d = '\0';
	return out;
}

/* fputs() of escape_text(). */
void fputs_escaped(const char *s, size_t len, FILE *f)
{
	char *e = escape_text(s, len);

	fputs(e ? e : "?", f);
	free(e);
}

/*
 * A JSON string.  Control characters are escaped, and so are the C1
 * controls and bidirectional marks of utf8_control(), for whoever shows
 * the document on a terminal; bytes that are not valid UTF-8 become \u00XX
 * so the output stays valid JSON whatever the kernel sent (cgroup paths
 * may hold any byte).
 */
static void jw_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str);
	unsigned int cp;
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
			} else if ((len = utf8_len(s, left))) {
				cp = utf8_control(s, len);
				if (cp)
					printf("\\u%04x", cp);
				else
					fwrite(s, 1, len, stdout);
				s += len;
				left -= len;
				continue;
			} else {
				printf("\\u%04x", *s);
			}
		}
		s++;
		left--;
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
		char *e = escape_text(val ? val : "", val ? strlen(val) : 0);

		printf(fmt, e ? e : "?");
		free(e);
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
	int err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return EXIT_OK;
	err = errno;
	clearerr(stdout);
	say("cannot write the output: %s", strerror(err ? err : EIO));
	return EXIT_FAIL;
}

void print_reset(void)
{
	memset(&jw, 0, sizeof(jw));
}
