/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON reader for the tests of ctnrctl -j: RFC 8259 grammar,
 * valid UTF-8 in strings, nothing after the value but blanks.  It keeps
 * the document, so tests can look at what ctnrctl printed, not only that
 * it parses.
 */
#ifndef CTNR_UNIT_JSON_H
#define CTNR_UNIT_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool b;
	double num;
	char *str;		/* decoded (UTF-8), for strings */
	size_t len;		/* its length, NUL bytes included */
	unsigned int n;		/* elements or members */
	char **keys;		/* of an object's members */
	struct json *kids;
};

/*
 * Parse @text, which must be one JSON value; NULL if it is not, with the
 * offset of the first error in *@at (when not NULL).
 */
struct json *json_parse(const char *text, size_t *at);
void json_free(struct json *j);

/* An object's member, an array's element; NULL when absent. */
const struct json *json_get(const struct json *j, const char *key);
const struct json *json_at(const struct json *j, unsigned int i);
/* The string value of member @key, or NULL. */
const char *json_str(const struct json *j, const char *key);
/* The number value of member @key, or -1. */
double json_num(const struct json *j, const char *key);

/*
 * Every line of @text is one JSON object (monitor, log follow): the number
 * of lines, or -1 when one is not.
 */
int json_lines(const char *text);

#endif /* CTNR_UNIT_JSON_H */
