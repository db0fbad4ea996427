/*
 * baseline.c - lpj-baseline: the "C ceiling" LPJ server for benchmarks.
 *
 *   22 00 00 00 {"in":"ping","params":"ireader 0"}   ->   23 00 00 00 {"out":"pong","result":"ireader 0"}
 *
 * Answers ping (and errors) over TCP with Linux epoll and jansson: the least
 * a C server must do for each request, to report other servers' figures
 * against. With --workers N the parent binds and listens, forks N workers
 * that each run their own epoll loop on the shared listener
 * (EPOLLEXCLUSIVE), forwards SIGTERM and SIGINT to them and reaps them; a
 * worker whose parent dies gets SIGTERM (PR_SET_PDEATHSIG).
 *
 * Prints one line when it is ready, then nothing else on standard output:
 *   lpj-baseline: listening on 127.0.0.1:43117 (workers 0)
 * Exit status: 0 after SIGTERM or SIGINT; 1 on a failure (cannot listen, a
 * worker died); 2 on a usage error.
 */
#define _GNU_SOURCE /* prctl, sigtimedwait */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lpjb_net.h"
#include "lpjb_server.h"

#define MAX_WORKERS 1024
#define STOP_GRACE_SECONDS 5 /* after SIGTERM, workers get this long before SIGKILL */

static const char usage[] =
    "usage: lpj-baseline [--host HOST] [--port PORT] [--workers N]\n"
    "       lpj-baseline --help\n"
    "\n"
    "The C ceiling for LPJ benchmarks: a server that answers {\"in\":\"ping\",\"params\":P}\n"
    "with {\"out\":\"pong\",\"result\":P} over TCP, each frame a 4-octet little-endian\n"
    "length and that many octets of JSON. Every request is parsed and every response\n"
    "built and serialized with jansson; epoll, non-blocking sockets, TCP_NODELAY.\n"
    "Bodies over 1048576 octets get frame-too-large and the connection closes.\n"
    "\n"
    "Options:\n"
    "  --host HOST   address to listen on (default 127.0.0.1)\n"
    "  --port PORT   port to listen on (default 8080; 0: the kernel picks one)\n"
    "  --workers N   0 (default): this process serves; N >= 1: it forks N workers that\n"
    "                share the listener, each with its own epoll loop (EPOLLEXCLUSIVE)\n"
    "  --help        this text\n"
    "\n"
    "When ready it prints one line: lpj-baseline: listening on ADDRESS:PORT (workers N)\n"
    "SIGTERM or SIGINT stops it (exit status 0).\n";

static int usage_error(const char *what, const char *value) {
    fprintf(stderr, "lpj-baseline: %s%s%s\nTry 'lpj-baseline --help'.\n", what, value ? ": " : "",
            value ? value : "");
    return 2;
}

/* A whole decimal number in [low, high], or -1. */
static long parse_number(const char *text, long low, long high) {
    char *end;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high) return -1;
    return value;
}

static void ignore(int number) { (void)number; }

/* The parent of --workers N: waits for a stop signal or for workers to end.
 * SIGTERM and SIGINT are forwarded (as SIGTERM) to every live worker, which
 * then has STOP_GRACE_SECONDS before SIGKILL. Returns the exit status. */
static int supervise(pid_t *workers, int count, const sigset_t *waited) {
    int alive = count, stopping = 0, status = 0;
    struct timespec deadline = {0, 0};
    while (alive > 0) {
        siginfo_t info;
        int sig;
        if (stopping) {
            struct timespec now, left = {1, 0};
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec >= deadline.tv_sec) { /* the grace is over: SIGKILL, every second */
                for (int i = 0; i < count; i++) {
                    if (workers[i] > 0) kill(workers[i], SIGKILL);
                }
                deadline.tv_sec = now.tv_sec + 1;
                status = 1;
            }
            sig = sigtimedwait(waited, &info, &left);
        } else {
            sig = sigwaitinfo(waited, &info);
        }
        if (sig < 0) continue; /* EINTR, or the time-out: look again */
        if (sig == SIGTERM || sig == SIGINT) {
            if (!stopping) {
                stopping = 1;
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline.tv_sec += STOP_GRACE_SECONDS;
                for (int i = 0; i < count; i++) {
                    if (workers[i] > 0) kill(workers[i], SIGTERM);
                }
            }
            continue;
        }
        int wstatus; /* SIGCHLD: reap every worker that ended */
        pid_t pid;
        while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
            for (int i = 0; i < count; i++) {
                if (workers[i] == pid) {
                    workers[i] = 0;
                    alive--;
                }
            }
            const int clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
            if (!stopping || !clean) {
                if (WIFSIGNALED(wstatus)) {
                    fprintf(stderr, "lpj-baseline: worker %ld killed by signal %d\n", (long)pid, WTERMSIG(wstatus));
                } else {
                    fprintf(stderr, "lpj-baseline: worker %ld exited with status %d\n", (long)pid,
                            WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
                }
                status = 1;
            }
        }
    }
    if (!stopping) fprintf(stderr, "lpj-baseline: every worker has exited\n");
    return status;
}

/* Forks count workers serving listener; then supervises them. */
static int run_workers(int listener, int count, const sigset_t *stop) {
    sigset_t waited = *stop;
    sigaddset(&waited, SIGCHLD);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ignore; /* a handler, so that SIGCHLD is kept pending for sigwaitinfo */
    sigaction(SIGCHLD, &action, NULL);
    sigprocmask(SIG_BLOCK, &waited, NULL);

    pid_t *workers = calloc((size_t)count, sizeof *workers);
    if (workers == NULL) return 1;
    const pid_t parent = getpid();
    int started = 0;
    for (; started < count; started++) {
        const pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "lpj-baseline: fork: %s\n", strerror(errno));
            break;
        }
        if (pid == 0) { /* the worker */
            free(workers);
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(1);
            sigset_t child = *stop; /* keep SIGTERM and SIGINT blocked for the signalfd */
            sigprocmask(SIG_SETMASK, &child, NULL);
            signal(SIGCHLD, SIG_DFL);
            const int status = lpjb_server_run(listener, 1, stop);
            close(listener);
            exit(status);
        }
        workers[started] = pid;
    }
    if (started < count) { /* stop the ones that started */
        for (int i = 0; i < started; i++) kill(workers[i], SIGTERM);
        for (int i = 0; i < started; i++) waitpid(workers[i], NULL, 0);
        free(workers);
        return 1;
    }
    const int status = supervise(workers, count, &waited);
    free(workers);
    return status;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    long port = 8080, workers = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];
        if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(option, "--host") != 0 && strcmp(option, "--port") != 0 && strcmp(option, "--workers") != 0) {
            return usage_error("unknown option", option);
        }
        if (i + 1 >= argc) return usage_error("missing value after", option);
        const char *value = argv[++i];
        if (strcmp(option, "--host") == 0) {
            host = value;
        } else if (strcmp(option, "--port") == 0) {
            if ((port = parse_number(value, 0, 65535)) < 0) return usage_error("--port needs 0 to 65535", value);
        } else if ((workers = parse_number(value, 0, MAX_WORKERS)) < 0) {
            return usage_error("--workers needs 0 to 1024", value);
        }
    }

    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL); /* read from a signalfd, or by sigwaitinfo */

    char where[80], why[256];
    const int listener = lpjb_net_listen(host, (int)port, where, sizeof where, why, sizeof why);
    if (listener < 0) {
        fprintf(stderr, "lpj-baseline: %s\n", why);
        return 1;
    }
    printf("lpj-baseline: listening on %s (workers %ld)\n", where, workers);
    fflush(stdout); /* before fork, so that no worker repeats it */

    const int status = workers == 0 ? lpjb_server_run(listener, 0, &stop) : run_workers(listener, (int)workers, &stop);
    close(listener);
    return status;
}
