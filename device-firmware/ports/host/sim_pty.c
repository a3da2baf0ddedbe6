/* sim_pty.c - pseudo-terminal in raw mode, plus the optional --link symlink. */
#define _XOPEN_SOURCE 700

#include "sim_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* What cfmakeraw() does, spelled out (cfmakeraw is not POSIX). */
static int make_raw(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        return -1;
    }
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= (tcflag_t)(CS8 | CREAD | CLOCAL);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

int sim_pty_open(sim_pty* p, char* err, size_t err_len) {
    const char* name;
    int flags;
    memset(p, 0, sizeof *p);
    p->slave = -1;
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0) {
        snprintf(err, err_len, "posix_openpt: %s", strerror(errno));
        return -1;
    }
    if (grantpt(p->master) != 0 || unlockpt(p->master) != 0 || (name = ptsname(p->master)) == NULL) {
        snprintf(err, err_len, "cannot set up the pty: %s", strerror(errno));
        sim_pty_close(p);
        return -1;
    }
    if (strlen(name) >= sizeof p->path) {
        snprintf(err, err_len, "pty name too long: %s", name);
        sim_pty_close(p);
        return -1;
    }
    strcpy(p->path, name);
    p->slave = open(p->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->slave < 0 || make_raw(p->slave) != 0) {
        snprintf(err, err_len, "%s: cannot open/configure the pty slave: %s", p->path, strerror(errno));
        sim_pty_close(p);
        return -1;
    }
    flags = fcntl(p->master, F_GETFL);
    if (flags < 0 || fcntl(p->master, F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(p->master, F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(err, err_len, "fcntl on the pty: %s", strerror(errno));
        sim_pty_close(p);
        return -1;
    }
    return 0;
}

int sim_pty_link(sim_pty* p, const char* link_path, char* err, size_t err_len) {
    struct stat st;
    char tmp[4200];
    if (strlen(link_path) >= sizeof p->link) {
        snprintf(err, err_len, "--link path too long");
        return -1;
    }
    if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
        snprintf(err, err_len, "%s exists and is not a symlink: not replacing it", link_path);
        return -1;
    }
    /* Create beside it, then rename over it: an existing link is replaced atomically. */
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", link_path, (long)getpid());
    unlink(tmp);
    if (symlink(p->path, tmp) != 0 || rename(tmp, link_path) != 0) {
        snprintf(err, err_len, "%s: cannot create the link: %s", link_path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    strcpy(p->link, link_path);
    return 0;
}

void sim_pty_close(sim_pty* p) {
    if (p->link[0] != '\0') {
        char target[sizeof p->path];
        ssize_t n = readlink(p->link, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            if (strcmp(target, p->path) == 0) {
                unlink(p->link);
            }
        }
        p->link[0] = '\0';
    }
    if (p->slave >= 0) {
        close(p->slave);
        p->slave = -1;
    }
    if (p->master >= 0) {
        close(p->master);
        p->master = -1;
    }
}
