# SPDX-License-Identifier: GPL-2.0
#
# Another version of ctnr/libctnr.h for unit/compat.c: with mode=old,
# every struct ctnr_*_opts loses its last member (the header of a version
# before it was added); with mode=new, every one gains one, compat_future,
# at its end (the header of a later version).  Fails when it finds no such
# struct, or one with fewer than two members.
#
#   awk -v mode=old -f opts-header.awk include/ctnr/libctnr.h

/^struct ctnr_[a-z_]*_opts \{$/ {
	in_opts = 1
	n = 0
	print
	next
}
in_opts && /^};/ {
	if (n < 2) {
		print "opts-header.awk: a struct with fewer than 2 members" > "/dev/stderr"
		exit 1
	}
	for (i = 1; i <= n - (mode == "old"); i++)
		print member[i]
	if (mode == "new")
		print "\tuint64_t compat_future;\t/* a member of a later version */"
	print
	in_opts = 0
	structs++
	next
}
in_opts {
	member[++n] = $0
	next
}
{
	print
}
END {
	if (!structs) {
		print "opts-header.awk: no struct ctnr_*_opts" > "/dev/stderr"
		exit 1
	}
}
