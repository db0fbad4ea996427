#include "clpj_system.h"

#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int clpj_set_parent_death_signal(int signal_number) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0);
#else
    (void)signal_number;
    return -1;
#endif
}

int clpj_fork(void) { return (int)fork(); }
