/* lpjb_net.c - resolving, listening, accepting and connecting over TCP. */
#define _GNU_SOURCE /* accept4 */

#include "lpjb_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int lpjb_net_tune(int fd) {
    const int one = 1;
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static struct addrinfo *resolve(const char *host, int port, int passive, char *why, size_t why_size) {
    struct addrinfo hints, *list = NULL;
    char service[16];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    snprintf(service, sizeof service, "%d", port);
    const int status = getaddrinfo(host, service, &hints, &list);
    if (status != 0) {
        snprintf(why, why_size, "cannot resolve %s: %s", host, gai_strerror(status));
        return NULL;
    }
    return list;
}

static void describe(const struct sockaddr *address, char *where, size_t where_size) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        snprintf(where, where_size, "[%s]:%u", text, (unsigned)ntohs(v6->sin6_port));
    } else {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        snprintf(where, where_size, "%s:%u", text, (unsigned)ntohs(v4->sin_port));
    }
}

int lpjb_net_listen(const char *host, int port, char *where, size_t where_size, char *why, size_t why_size) {
    struct addrinfo *list = resolve(host, port, 1, why, why_size);
    if (list == NULL) return -1;
    int fd = -1;
    for (struct addrinfo *a = list; a != NULL; a = a->ai_next) {
        const int one = 1;
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
            break;
        }
        snprintf(why, why_size, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) return -1;
    struct sockaddr_storage bound;
    socklen_t size = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &size) != 0) {
        snprintf(why, why_size, "getsockname: %s", strerror(errno));
        close(fd);
        return -1;
    }
    describe((const struct sockaddr *)&bound, where, where_size);
    return fd;
}

int lpjb_net_accept(int listener) {
    const int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -1;
    const int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int lpjb_net_connect(const char *host, int port, char *why, size_t why_size) {
    struct addrinfo *list = resolve(host, port, 0, why, why_size);
    if (list == NULL) return -1;
    int fd = -1;
    for (struct addrinfo *a = list; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 && lpjb_net_tune(fd) == 0) break;
        snprintf(why, why_size, "cannot connect to %s:%d: %s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    return fd;
}
