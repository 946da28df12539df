// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON reader: see json.h.  Recursive descent over the RFC 8259
 * grammar, with a depth limit; strings are decoded, and their raw bytes
 * must be valid UTF-8 (no overlong forms, no surrogates).
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_DEPTH	32

struct reader {
	const char *s;
	size_t i;
	int depth;
};

static void skip_ws(struct reader *r)
{
	while (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
	       r->s[r->i] == '\r')
		r->i++;
}

static bool add_byte(struct json *j, size_t *cap, char c)
{
	if (j->len + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		char *n = realloc(j->str, ncap);

		if (!n)
			return false;
		j->str = n;
		*cap = ncap;
	}
	j->str[j->len++] = c;
	j->str[j->len] = '\0';
	return true;
}

static bool add_cp(struct json *j, size_t *cap, unsigned int cp)
{
	if (cp < 0x80)
		return add_byte(j, cap, (char)cp);
	if (cp < 0x800)
		return add_byte(j, cap, (char)(0xc0 | cp >> 6)) &&
		       add_byte(j, cap, (char)(0x80 | (cp & 0x3f)));
	if (cp < 0x10000)
		return add_byte(j, cap, (char)(0xe0 | cp >> 12)) &&
		       add_byte(j, cap, (char)(0x80 | ((cp >> 6) & 0x3f))) &&
		       add_byte(j, cap, (char)(0x80 | (cp & 0x3f)));
	return add_byte(j, cap, (char)(0xf0 | cp >> 18)) &&
	       add_byte(j, cap, (char)(0x80 | ((cp >> 12) & 0x3f))) &&
	       add_byte(j, cap, (char)(0x80 | ((cp >> 6) & 0x3f))) &&
	       add_byte(j, cap, (char)(0x80 | (cp & 0x3f)));
}

/* Length of the valid UTF-8 sequence at @s, or 0. */
static int utf8_seq(const unsigned char *s)
{
	int len, k;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	}
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

static int hex4(const char *s, unsigned int *v)
{
	unsigned int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static bool read_string(struct reader *r, struct json *j)
{
	size_t cap = 0;
	unsigned int cp, lo;
	int n;

	j->type = JSON_STRING;
	if (r->s[r->i] != '"')
		return false;
	r->i++;
	if (!add_byte(j, &cap, 0))
		return false;
	j->len = 0;
	for (;;) {
		unsigned char c = (unsigned char)r->s[r->i];

		if (c == '"') {
			r->i++;
			return true;
		}
		if (c < 0x20)		/* the NUL too: unterminated */
			return false;
		if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)r->s + r->i);
			if (!n)
				return false;
			while (n--)
				if (!add_byte(j, &cap, r->s[r->i++]))
					return false;
			continue;
		}
		r->i++;
		if (c != '\\') {
			if (!add_byte(j, &cap, (char)c))
				return false;
			continue;
		}
		c = (unsigned char)r->s[r->i++];
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (hex4(r->s + r->i, &cp))
				return false;
			r->i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (r->s[r->i] != '\\' || r->s[r->i + 1] != 'u' ||
				    hex4(r->s + r->i + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return false;
				r->i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return false;
			}
			if (!add_cp(j, &cap, cp))
				return false;
			continue;
		default:
			return false;
		}
		if (!add_byte(j, &cap, (char)c))
			return false;
	}
}

static bool digits(struct reader *r)
{
	size_t start = r->i;

	while (r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return r->i > start;
}

static bool read_number(struct reader *r, struct json *j)
{
	size_t start = r->i;

	j->type = JSON_NUMBER;
	if (r->s[r->i] == '-')
		r->i++;
	if (r->s[r->i] == '0') {
		r->i++;
	} else if (!digits(r)) {
		return false;
	}
	if (r->s[r->i] == '.') {
		r->i++;
		if (!digits(r))
			return false;
	}
	if (r->s[r->i] == 'e' || r->s[r->i] == 'E') {
		r->i++;
		if (r->s[r->i] == '+' || r->s[r->i] == '-')
			r->i++;
		if (!digits(r))
			return false;
	}
	j->num = strtod(r->s + start, NULL);
	return true;
}

static bool read_value(struct reader *r, struct json *j);

static struct json *grow(struct json *j)
{
	struct json *k = realloc(j->kids, (j->n + 1) * sizeof(*k));

	if (!k)
		return NULL;
	j->kids = k;
	memset(&k[j->n], 0, sizeof(*k));
	return &k[j->n];
}

static bool read_array(struct reader *r, struct json *j)
{
	struct json *k;

	j->type = JSON_ARRAY;
	r->i++;
	skip_ws(r);
	if (r->s[r->i] == ']') {
		r->i++;
		return true;
	}
	for (;;) {
		k = grow(j);
		if (!k)
			return false;
		j->n++;
		if (!read_value(r, k))
			return false;
		skip_ws(r);
		if (r->s[r->i] == ']') {
			r->i++;
			return true;
		}
		if (r->s[r->i] != ',')
			return false;
		r->i++;
	}
}

static bool read_object(struct reader *r, struct json *j)
{
	struct json key, *k;
	char **keys;

	j->type = JSON_OBJECT;
	r->i++;
	skip_ws(r);
	if (r->s[r->i] == '}') {
		r->i++;
		return true;
	}
	for (;;) {
		memset(&key, 0, sizeof(key));
		skip_ws(r);
		if (!read_string(r, &key)) {
			free(key.str);
			return false;
		}
		keys = realloc(j->keys, (j->n + 1) * sizeof(*keys));
		k = keys ? grow(j) : NULL;
		if (keys)
			j->keys = keys;
		if (!k) {
			free(key.str);
			return false;
		}
		j->keys[j->n++] = key.str;
		skip_ws(r);
		if (r->s[r->i] != ':')
			return false;
		r->i++;
		if (!read_value(r, k))
			return false;
		skip_ws(r);
		if (r->s[r->i] == '}') {
			r->i++;
			return true;
		}
		if (r->s[r->i] != ',')
			return false;
		r->i++;
	}
}

static bool word(struct reader *r, const char *w)
{
	size_t len = strlen(w);

	if (strncmp(r->s + r->i, w, len))
		return false;
	r->i += len;
	return true;
}

static bool read_value(struct reader *r, struct json *j)
{
	bool ok;

	skip_ws(r);
	if (++r->depth > JSON_DEPTH)
		return false;
	switch (r->s[r->i]) {
	case '{':
		ok = read_object(r, j);
		break;
	case '[':
		ok = read_array(r, j);
		break;
	case '"':
		ok = read_string(r, j);
		break;
	case 't':
		j->type = JSON_BOOL;
		j->b = true;
		ok = word(r, "true");
		break;
	case 'f':
		j->type = JSON_BOOL;
		ok = word(r, "false");
		break;
	case 'n':
		j->type = JSON_NULL;
		ok = word(r, "null");
		break;
	default:
		ok = read_number(r, j);
	}
	r->depth--;
	return ok;
}

static void json_release(struct json *j)
{
	unsigned int i;

	for (i = 0; i < j->n; i++) {
		json_release(&j->kids[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->kids);
	free(j->keys);
	free(j->str);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	json_release(j);
	free(j);
}

struct json *json_parse(const char *text, size_t *at)
{
	struct reader r = { .s = text };
	struct json *j = calloc(1, sizeof(*j));

	if (j && read_value(&r, j)) {
		skip_ws(&r);
		if (!r.s[r.i])
			return j;
	}
	if (at)
		*at = r.i;
	json_free(j);
	return NULL;
}

const struct json *json_get(const struct json *j, const char *key)
{
	unsigned int i;

	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++) {
		if (!strcmp(j->keys[i], key))
			return &j->kids[i];
	}
	return NULL;
}

const struct json *json_at(const struct json *j, unsigned int i)
{
	if (!j || j->type != JSON_ARRAY || i >= j->n)
		return NULL;
	return &j->kids[i];
}

const char *json_str(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}

double json_num(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_NUMBER ? v->num : -1;
}

int json_lines(const char *text)
{
	const char *p = text, *nl;
	struct json *j;
	char *line;
	int n = 0;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			return -1;	/* every line ends */
		line = strndup(p, (size_t)(nl - p));
		j = line ? json_parse(line, NULL) : NULL;
		free(line);
		if (!j || j->type != JSON_OBJECT) {
			json_free(j);
			return -1;
		}
		json_free(j);
		n++;
		p = nl + 1;
	}
	return n;
}
