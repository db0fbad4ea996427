#ifndef CLPJ_SYSTEM_H
#define CLPJ_SYSTEM_H

/// Asks the kernel to send `signal_number` to this process when its parent dies (Linux PR_SET_PDEATHSIG).
/// Returns 0 on success, -1 where unsupported.
int clpj_set_parent_death_signal(int signal_number);

/// fork(2), for the process models; they call it before any thread exists.
int clpj_fork(void);

#endif
