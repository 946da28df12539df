// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl's main(), alone in its file: the unit tests (selftests/cli.c)
 * link every other object of ctl/ and call ctnrctl_main() themselves.
 */
#include "ctnrctl.h"

int main(int argc, char **argv)
{
	return ctnrctl_main(argc, argv);
}
