// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl: the parsers of numbers, sizes and words every object uses, and
 * the timestamp of monitor -t.  Numbers are decimal, whatever they start
 * with: an administrator who writes "offset 010" means ten, not the eight
 * of strtoull(..., 0), and "0x10" is refused rather than guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctnrctl.h"

/* Leading decimal digits of @s into *@v; the first other byte in *@end. */
static int parse_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	unsigned int d;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned int)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -EINVAL;
		n = n * 10 + d;
	}
	*v = n;
	*end = s;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	const char *end;
	uint64_t n;

	if (parse_digits(s, &n, &end) || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

int parse_size(const char *s, uint64_t *v)
{
	static const char suffixes[] = "KMGT";
	const char *end, *suf;
	unsigned int shift = 0;
	uint64_t n;
	char c;

	if (parse_digits(s, &n, &end))
		return -EINVAL;
	if (*end) {
		c = *end >= 'a' && *end <= 'z' ? (char)(*end - 'a' + 'A') : *end;
		suf = strchr(suffixes, c);
		if (!c || !suf || end[1])
			return -EINVAL;
		shift = 10 * (unsigned int)(suf - suffixes + 1);
		if (n > (UINT64_MAX >> shift))
			return -EINVAL;
	}
	*v = n << shift;
	return 0;
}

int parse_loop_index(const char *s, uint32_t *index)
{
	if (!strncmp(s, "/dev/ctnrloop", 13))
		s += 13;
	else if (!strncmp(s, "ctnrloop", 8))
		s += 8;
	return parse_u32(s, index);
}

int parse_on_off(const char *s, bool *v)
{
	if (!strcmp(s, "on"))
		*v = true;
	else if (!strcmp(s, "off"))
		*v = false;
	else
		return -EINVAL;
	return 0;
}

int format_timestamp(const struct timespec *ts, char *buf, size_t len)
{
	char date[40], zone[8];
	struct tm tm;
	int n;

	if (!localtime_r(&ts->tv_sec, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) ||
	    !strftime(zone, sizeof(zone), "%z", &tm))
		return -ENOSPC;
	n = snprintf(buf, len, "%s.%06ld%s", date, ts->tv_nsec / 1000, zone);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
