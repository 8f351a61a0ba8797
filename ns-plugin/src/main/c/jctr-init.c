/*
 * jctr-init: the native launch stage of jctr's namespaces isolation driver.
 *
 * A JVM is multithreaded, so no Java code may run between fork and exec, and the kernel refuses
 * CLONE_NEWUSER (and setns into a user namespace) to threaded processes. This program is that
 * missing single-threaded step. It holds no policy and parses no JSON: Java computes a launch plan
 * (jctr.ns.plan.PlanBuilder), encodes it (jctr.ns.plan.PlanEncoder) and this program executes it
 * operation by operation, reporting the first failure as (operation index, errno).
 *
 * Descriptors: fd 3 is a unix stream socket to the Java parent (the "sync" socket); 0-2 are the
 * stdio Java chose. Everything above 3 is closed at start.
 *
 * Plan encoding, all integers little-endian:
 *   header: u32 magic 0x4c50434a ("JCPL"), u32 version (1), u32 op count, u32 body length
 *   body:   op*; op = u16 code, u16 zero, u32 payload length, payload
 *   payload: items, each a tag byte and a value:
 *     'I' int64 (8 bytes)
 *     'S' u32 length (including the NUL), NUL-terminated string
 *     'B' u32 length, raw bytes
 *   String lists and int lists are an 'I' count followed by that many 'S' or 'I' items.
 *
 * Messages to Java on the sync socket: 16 bytes, four int32: type, a, b, 0.
 *   PID   (1, pid)             after clone3, from the launcher (which then exits)
 *   ERROR (2, op index, errno) the first failure; the sender exits 1
 *   READY (3, go fd, result fd) everything before exec is done; at a start gate, the two descriptors
 *                               (in the init) that "start" takes with pidfd_getfd
 * Java sends one byte to let the child continue past SYNC_PARENT.
 * Cgroup v1 membership: the launcher opens each hierarchy's tasks file (CGROUP_OPEN, before any setns)
 * and the child writes "0" into each (CGROUP_JOIN) right after SYNC_PARENT, before it unshares its
 * cgroup namespace; Java writes only the cgroup.procs files the child cannot join itself. At a start gate the init closes
 * the sync socket and blocks reading the "go" pipe; "start" writes one byte into it and reads the
 * "result" pipe. All of the init's descriptors are close-on-exec, so after a successful execve the
 * reader sees end-of-file; an ERROR message there means a step after the gate (or execve) failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

enum op_code {
    OP_NS_OPEN = 1, OP_SETNS, OP_CONSOLE_CONNECT, OP_CLONE, OP_SYNC_PARENT, OP_BECOME_ROOT,
    OP_NOT_DUMPABLE, OP_UNSHARE, OP_WRITE_FILE, OP_SETSID, OP_RLIMIT, OP_HOSTNAME, OP_DOMAINNAME,
    OP_LOOPBACK_UP, OP_MOUNT_RAW, OP_OPEN_ROOT, OP_MOUNT, OP_MKDIR, OP_DEVICE, OP_SYMLINK, OP_PIVOT_ROOT,
    OP_MOVE_ROOT, OP_CONSOLE, OP_REMOUNT, OP_READONLY_PATH, OP_MASK_PATH, OP_UMASK, OP_SECCOMP,
    OP_BOUNDING, OP_SETGROUPS, OP_SETGID, OP_SETUID, OP_CAPSET, OP_AMBIENT, OP_CHDIR, OP_NO_NEW_PRIVS,
    OP_RESOLVE_EXEC, OP_READY, OP_EXEC, OP_SESSION_KEYRING, OP_CGROUP_OPEN, OP_CGROUP_JOIN
};
enum { MSG_PID = 1, MSG_ERROR = 2, MSG_READY = 3 };
enum { TARGET_DIR = 0, TARGET_FILE = 1, TARGET_LIKE_SOURCE = 2 };
enum { CHILD_MOUNT = 1, CHILD_BIND = 2, CHILD_SYMLINK = 3 };

#define PLAN_MAGIC 0x4c50434aU
#define MAX_PLAN (16 << 20)
#define NS_SLOTS 16
#define CGROUP_SLOTS 64

static int sync_fd = 3;        /* socket to the Java parent */
static int report_fd = 3;      /* where failures go: sync, after the start gate its result pipe */
static int op_index = -1;
static int root_fd = -1;       /* the container rootfs, for resolving paths inside it */
static int console_fd = -1;    /* connected console socket */
static int ns_fds[NS_SLOTS];
static int cgroup_fds[CGROUP_SLOTS];   /* v1 tasks files, opened by the launcher, written by the child */
static char exec_path[PATH_MAX];

struct cursor {
    const uint8_t *p, *end;
};

/* Sockets get MSG_NOSIGNAL; the start gate's result pipe has a reader (start) whenever it is written. */
static void send_msg(int fd, int type, int a, int b)
{
    int32_t m[4] = {type, a, b, 0};
    ssize_t n;
    if (fd < 0)
        return;
    while ((n = send(fd, m, sizeof m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n < 0 && errno == ENOTSOCK)
        while (write(fd, m, sizeof m) < 0 && errno == EINTR)
            ;
}

static _Noreturn void fail(int err)
{
    send_msg(report_fd, MSG_ERROR, op_index, err);
    _exit(1);
}

#define CHECK(expr) do { if ((expr) < 0) fail(errno); } while (0)

static int64_t take_int(struct cursor *c)
{
    int64_t v;
    if (c->end - c->p < 9 || c->p[0] != 'I')
        fail(EPROTO);
    memcpy(&v, c->p + 1, 8);
    c->p += 9;
    return v;
}

static const uint8_t *take_bytes(struct cursor *c, char tag, uint32_t *len)
{
    uint32_t n;
    if (c->end - c->p < 5 || c->p[0] != tag)
        fail(EPROTO);
    memcpy(&n, c->p + 1, 4);
    if ((size_t) (c->end - c->p - 5) < n)
        fail(EPROTO);
    *len = n;
    c->p += 5 + n;
    return c->p - n;
}

/* A string, or NULL for the empty string (mount(2) wants NULL for "no source/type/data"). */
static const char *take_str(struct cursor *c)
{
    uint32_t n;
    const char *s = (const char *) take_bytes(c, 'S', &n);
    if (n == 0 || s[n - 1] != '\0')
        fail(EPROTO);
    return n == 1 ? NULL : s;
}

static char **take_strs(struct cursor *c)
{
    int64_t n = take_int(c);
    if (n < 0 || n > 1 << 16)
        fail(EPROTO);
    char **v = calloc(n + 1, sizeof *v);
    if (v == NULL)
        fail(ENOMEM);
    for (int64_t i = 0; i < n; i++) {
        const char *s = take_str(c);
        v[i] = (char *) (s ? s : "");
    }
    return v;
}

static int read_full(int fd, void *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = read(fd, (char *) buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += n;
    }
    return 0;
}

static const char *fd_path(char *buf, size_t size, int fd, const char *rest)
{
    snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, rest ? "/" : "", rest ? rest : "");
    return buf;
}

/* ---- paths inside the container rootfs: never follow a symlink out of it ---- */

static int open_in_root(const char *path, int flags)
{
    struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    if (root_fd < 0) {
        errno = EBADFD;
        return -1;
    }
    return syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/* Splits path into its parent (opened inside the root) and last component. */
static int open_parent(const char *path, char *name, size_t size)
{
    char parent[PATH_MAX];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len >= sizeof parent) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(parent, path, len);
    parent[len] = '\0';
    char *slash = strrchr(parent, '/');
    const char *last = slash ? slash + 1 : parent;
    if (*last == '\0' || strlen(last) >= size) {
        errno = EINVAL;
        return -1;
    }
    strcpy(name, last);
    if (slash)
        *(slash == parent ? slash + 1 : slash) = '\0';
    else
        strcpy(parent, ".");
    return open_in_root(parent, O_PATH | O_DIRECTORY);
}

static int mkdirs_in_root(const char *path, mode_t mode)
{
    char buf[PATH_MAX], name[NAME_MAX + 1];
    if (strlen(path) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        int fd = open_in_root(buf, O_PATH | O_DIRECTORY);
        if (fd >= 0) {
            close(fd);
        } else if (errno == ENOENT) {
            int parent = open_parent(buf, name, sizeof name);
            if (parent < 0)
                return -1;
            int rc = mkdirat(parent, name, mode);
            close(parent);
            if (rc < 0 && errno != EEXIST)
                return -1;
        } else {
            return -1;
        }
        *p = saved;
        if (saved == '\0' || p[1] == '\0')
            return 0;
    }
}

static int create_file_in_root(const char *path)
{
    char name[NAME_MAX + 1];
    int parent = open_parent(path, name, sizeof name);
    if (parent < 0)
        return -1;
    int fd = openat(parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    int err = errno;
    close(parent);
    if (fd < 0 && err != ELOOP && err != EISDIR) {  /* a symlink or directory already there is fine */
        errno = err;
        return -1;
    }
    if (fd >= 0)
        close(fd);
    return 0;
}

/* Makes sure a mount target exists inside the root and returns an O_PATH descriptor of it. */
static int prepare_target(const char *dest, int kind, const char *source)
{
    struct stat st;
    if (kind == TARGET_LIKE_SOURCE)
        kind = source && stat(source, &st) == 0 && !S_ISDIR(st.st_mode) ? TARGET_FILE : TARGET_DIR;
    int fd = open_in_root(dest, O_PATH);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT)
        return -1;
    if (kind == TARGET_DIR) {
        if (mkdirs_in_root(dest, 0755) < 0)
            return -1;
    } else {
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", dest);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            if (mkdirs_in_root(parent, 0755) < 0)
                return -1;
        }
        if (create_file_in_root(dest) < 0)
            return -1;
    }
    return open_in_root(dest, O_PATH);
}

/* ---- mounts ---- */

/* A remount that keeps the flags the kernel locked (in a user namespace) when they were left out. */
static int remount(const char *path, unsigned long flags, const char *data)
{
    if (mount(NULL, path, NULL, flags, data) == 0)
        return 0;
    struct statvfs sv;
    if (errno != EPERM || statvfs(path, &sv) < 0) {
        return -1;
    }
    unsigned long locked = 0;
    if (sv.f_flag & ST_NOSUID) locked |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) locked |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) locked |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) locked |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) locked |= MS_RELATIME;
    if ((flags | locked) == flags) {
        errno = EPERM;
        return -1;
    }
    return mount(NULL, path, NULL, flags | locked, data);
}

static int set_propagation(const char *path, unsigned long prop)
{
    static const unsigned long kinds[] = {MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if ((prop & kinds[i]) && mount(NULL, path, NULL, kinds[i] | (prop & MS_REC), NULL) < 0)
            return -1;
    return 0;
}

static void op_mount(struct cursor *c)
{
    const char *src = take_str(c), *dest = take_str(c), *type = take_str(c);
    unsigned long flags = take_int(c);
    const char *data = take_str(c);
    unsigned long remount_flags = take_int(c), prop = take_int(c);
    int kind = take_int(c);
    int64_t children = take_int(c);
    char path[64], child_path[PATH_MAX];

    int fd = prepare_target(dest ? dest : "/", kind, src);
    CHECK(fd);
    CHECK(mount(src, fd_path(path, sizeof path, fd, NULL), type, flags, data));
    close(fd);
    /* The old descriptor names the covered directory; the new mount's root is what follows. */
    fd = open_in_root(dest ? dest : "/", O_PATH);
    CHECK(fd);
    fd_path(path, sizeof path, fd, NULL);
    for (int64_t i = 0; i < children; i++) {
        int ckind = take_int(c);
        const char *name = take_str(c), *csrc = take_str(c), *ctype = take_str(c);
        unsigned long cflags = take_int(c);
        const char *cdata = take_str(c);
        if (name == NULL || strchr(name, '/') != NULL)
            fail(EINVAL);
        if (ckind == CHILD_SYMLINK) {
            if (symlinkat(csrc, fd, name) < 0 && errno != EEXIST)
                fail(errno);
            continue;
        }
        if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
            fail(errno);
        fd_path(child_path, sizeof child_path, fd, name);
        if (ckind == CHILD_BIND) {
            CHECK(mount(csrc, child_path, NULL, MS_BIND | MS_REC, NULL));
            if (cflags)
                CHECK(remount(child_path, MS_BIND | MS_REMOUNT | cflags, NULL));
        } else {
            CHECK(mount(csrc, child_path, ctype, cflags, cdata));
        }
    }
    if (remount_flags)
        CHECK(remount(path, remount_flags, (remount_flags & MS_BIND) ? NULL : data));
    CHECK(set_propagation(path, prop));
    close(fd);
}

static void op_device(struct cursor *c)
{
    const char *dest = take_str(c);
    mode_t mode = take_int(c);
    unsigned major = take_int(c), minor = take_int(c);
    uid_t uid = take_int(c);
    gid_t gid = take_int(c);
    const char *host = take_str(c);
    char name[NAME_MAX + 1], path[64];

    int parent = open_parent(dest, name, sizeof name);
    CHECK(parent);
    if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
        fail(errno);
    if (mknodat(parent, name, mode, makedev(major, minor)) == 0) {
        CHECK(fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW));
    } else {
        /* mknod is refused in a user namespace: bind the host's node instead. */
        if (errno != EPERM || host == NULL)
            fail(errno);
        int fd = openat(parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        CHECK(fd);
        close(fd);
        fd = openat(parent, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        CHECK(fd);
        CHECK(mount(host, fd_path(path, sizeof path, fd, NULL), NULL, MS_BIND, NULL));
        close(fd);
    }
    close(parent);
}

static void op_symlink(struct cursor *c)
{
    const char *target = take_str(c), *link = take_str(c);
    int replace = take_int(c);
    char name[NAME_MAX + 1];
    int parent = open_parent(link, name, sizeof name);
    CHECK(parent);
    if (replace && unlinkat(parent, name, 0) < 0 && errno != ENOENT)
        fail(errno);
    if (symlinkat(target, parent, name) < 0 && errno != EEXIST)
        fail(errno);
    close(parent);
}

static void pivot_into_root(void)
{
    CHECK(fchdir(root_fd));
    CHECK(syscall(SYS_pivot_root, ".", "."));
    /* The old root is stacked under the new one at "."; detach it without telling the host. */
    CHECK(mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL));
    CHECK(umount2(".", MNT_DETACH));
    CHECK(chdir("/"));
}

static void move_into_root(const char *rootfs)
{
    CHECK(fchdir(root_fd));
    CHECK(mount(rootfs, "/", NULL, MS_MOVE, NULL));
    CHECK(chroot("."));
    CHECK(chdir("/"));
}

static void op_readonly_path(const char *path)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT)
            return;
        fail(errno);
    }
    CHECK(remount(path, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL));
}

static void op_mask_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return;
        fail(errno);
    }
    if (S_ISDIR(st.st_mode))
        CHECK(mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL));
    else
        CHECK(mount("/dev/null", path, NULL, MS_BIND, NULL));
}

/* ---- console ---- */

static int send_fd(int sock, int fd, const char *name)
{
    struct iovec iov = {.iov_base = (void *) name, .iov_len = strlen(name)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void op_console(struct cursor *c)
{
    unsigned short rows = take_int(c), cols = take_int(c);
    int bind_console = take_int(c);
    int unlock = 0, pty;
    char slave_name[64];

    int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(master);
    CHECK(ioctl(master, TIOCSPTLCK, &unlock));
    CHECK(ioctl(master, TIOCGPTN, &pty));
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(slave);
    if (rows || cols) {
        struct winsize ws = {.ws_row = rows, .ws_col = cols};
        CHECK(ioctl(slave, TIOCSWINSZ, &ws));
    }
    snprintf(slave_name, sizeof slave_name, "/dev/pts/%d", pty);
    if (bind_console) {
        int fd = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        CHECK(fd);
        close(fd);
        CHECK(mount(slave_name, "/dev/console", NULL, MS_BIND, NULL));
    }
    CHECK(send_fd(console_fd, master, "/dev/ptmx"));
    close(master);
    close(console_fd);
    console_fd = -1;
    CHECK(ioctl(slave, TIOCSCTTY, 0));
    for (int fd = 0; fd < 3; fd++)
        CHECK(dup2(slave, fd));
    if (slave > 2)
        close(slave);
}

/* ---- the console socket and the start gate ---- */

static int connect_unix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int dfd = -1;
    if (strlen(path) < sizeof addr.sun_path) {
        strcpy(addr.sun_path, path);
    } else {
        /* Too long for sun_path: go through a descriptor of its directory. */
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash - path >= (long) sizeof dir) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(dir, path, slash - path);
        dir[slash - path] = '\0';
        dfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return -1;
        fd_path(addr.sun_path, sizeof addr.sun_path, dfd, slash + 1);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *) &addr, sizeof addr);
    int err = errno;
    if (dfd >= 0)
        close(dfd);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/*
 * Reports READY with the start gate's descriptors and blocks until "start" writes into the go pipe.
 * Nothing here touches a file system, and the gate lives exactly as long as this process.
 */
static void start_gate(void)
{
    int go[2], result[2];
    char b;
    CHECK(pipe2(go, O_CLOEXEC));
    CHECK(pipe2(result, O_CLOEXEC));
    send_msg(sync_fd, MSG_READY, go[1], result[0]);
    close(sync_fd);
    sync_fd = report_fd = -1;
    ssize_t n;
    while ((n = read(go[0], &b, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1)
        _exit(1);
    report_fd = result[1];
}

/* ---- credentials ---- */

static void op_capset(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t) (eff >> (32 * i));
        data[i].permitted = (uint32_t) (perm >> (32 * i));
        data[i].inheritable = (uint32_t) (inh >> (32 * i));
    }
    CHECK(syscall(SYS_capset, &hdr, data));
}

static void op_bounding(uint64_t keep)
{
    for (int cap = 0; cap < 64; cap++) {
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0)
            break;   /* EINVAL: past the kernel's last capability */
        if (present && !((keep >> cap) & 1))
            CHECK(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0));
    }
}

static void op_ambient(uint64_t raise)
{
    CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
    for (int cap = 0; cap < 64; cap++)
        if ((raise >> cap) & 1)
            CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
}

static void op_seccomp(struct cursor *c)
{
    unsigned flags = take_int(c);
    uint32_t len;
    const uint8_t *bytes = take_bytes(c, 'B', &len);
    if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > USHRT_MAX)
        fail(EINVAL);
    struct sock_filter *filter = malloc(len);   /* the plan buffer is not aligned for it */
    if (filter == NULL)
        fail(ENOMEM);
    memcpy(filter, bytes, len);
    struct sock_fprog prog = {.len = (unsigned short) (len / sizeof *filter), .filter = filter};
    CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog));
    free(filter);
}

static int is_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;
    if (!S_ISREG(st.st_mode)) {
        errno = EACCES;
        return 0;
    }
    return access(path, X_OK) == 0;
}

/* execvp's search, done before the start gate so that a missing program fails "create". */
static void op_resolve_exec(const char *name, const char *search)
{
    if (name == NULL)
        fail(ENOENT);
    if (strchr(name, '/')) {
        if (!is_executable(name))
            fail(errno);
        snprintf(exec_path, sizeof exec_path, "%s", name);
        return;
    }
    int err = ENOENT;
    for (const char *p = search ? search : "";;) {
        const char *end = strchrnul(p, ':');
        int len = (int) (end - p);
        snprintf(exec_path, sizeof exec_path, "%.*s/%s", len ? len : 1, len ? p : ".", name);
        if (is_executable(exec_path))
            return;
        if (errno == EACCES)
            err = EACCES;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    fail(err);
}

static void loopback_up(void)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK(s);
    strcpy(ifr.ifr_name, "lo");
    CHECK(ioctl(s, SIOCGIFFLAGS, &ifr));
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    CHECK(ioctl(s, SIOCSIFFLAGS, &ifr));
    close(s);
}

static void write_file(const char *path, const char *content)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    CHECK(fd);
    size_t len = strlen(content);
    ssize_t n = write(fd, content, len);   /* proc files want the value in one write */
    if (n < 0)
        fail(errno);
    if ((size_t) n != len)
        fail(EIO);
    close(fd);
}

static void clone_child(uint64_t flags, const char *cgroup_dir)
{
    struct clone_args args = {0};
    int cgroup_fd = -1;
    args.flags = flags;
    /* clone3 wants exit_signal 0 with CLONE_PARENT; the child then signals our parent as we would. */
    args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    if (flags & CLONE_INTO_CGROUP) {
        cgroup_fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(cgroup_fd);
        args.cgroup = cgroup_fd;
    }
    long pid = syscall(SYS_clone3, &args, sizeof args);
    CHECK(pid);
    if (pid > 0) {
        send_msg(sync_fd, MSG_PID, (int) pid, 0);
        _exit(0);
    }
    if (cgroup_fd >= 0)
        close(cgroup_fd);
    /* The child reports over this socket until it execs; exec must close it. */
    CHECK(fcntl(sync_fd, F_SETFD, FD_CLOEXEC));
}

static void run(struct cursor *c, int code)
{
    switch (code) {
    case OP_NS_OPEN: {
        int64_t slot = take_int(c);
        const char *path = take_str(c);
        if (slot < 0 || slot >= NS_SLOTS || path == NULL)
            fail(EPROTO);
        ns_fds[slot] = open(path, O_RDONLY | O_CLOEXEC);
        CHECK(ns_fds[slot]);
        break;
    }
    case OP_CGROUP_OPEN: {
        int64_t slot = take_int(c);
        const char *path = take_str(c);
        if (slot < 0 || slot >= CGROUP_SLOTS || path == NULL)
            fail(EPROTO);
        cgroup_fds[slot] = open(path, O_WRONLY | O_CLOEXEC);
        CHECK(cgroup_fds[slot]);
        break;
    }
    case OP_CGROUP_JOIN: {
        /* "0" in a v1 tasks file moves the writing thread only: no global threadgroup lock. */
        int64_t slot = take_int(c);
        ssize_t n;
        if (slot < 0 || slot >= CGROUP_SLOTS || cgroup_fds[slot] < 0)
            fail(EPROTO);
        while ((n = write(cgroup_fds[slot], "0", 1)) < 0 && errno == EINTR)
            ;
        CHECK(n);
        close(cgroup_fds[slot]);
        cgroup_fds[slot] = -1;
        break;
    }
    case OP_SETNS: {
        int64_t slot = take_int(c), type = take_int(c);
        if (slot < 0 || slot >= NS_SLOTS)
            fail(EPROTO);
        CHECK(setns(ns_fds[slot], (int) type));
        close(ns_fds[slot]);
        break;
    }
    case OP_CONSOLE_CONNECT:
        console_fd = connect_unix(take_str(c));
        CHECK(console_fd);
        break;
    case OP_CLONE: {
        uint64_t flags = take_int(c);
        clone_child(flags, take_str(c));
        break;
    }
    case OP_SYNC_PARENT: {
        char b;
        if (read_full(sync_fd, &b, 1) < 0)
            _exit(1);   /* the parent is gone: nobody to report to */
        break;
    }
    case OP_BECOME_ROOT:
        CHECK(setresgid(0, 0, 0));
        CHECK(setresuid(0, 0, 0));
        break;
    case OP_NOT_DUMPABLE:
        CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
        break;
    case OP_UNSHARE:
        CHECK(unshare((int) take_int(c)));
        break;
    case OP_WRITE_FILE: {
        const char *path = take_str(c), *content = take_str(c);
        write_file(path, content ? content : "");
        break;
    }
    case OP_SETSID:
        CHECK(setsid());
        break;
    case OP_RLIMIT: {
        int resource = take_int(c);
        struct rlimit rl;
        rl.rlim_cur = take_int(c);
        rl.rlim_max = take_int(c);
        CHECK(setrlimit(resource, &rl));
        break;
    }
    case OP_HOSTNAME: {
        const char *name = take_str(c);
        CHECK(sethostname(name ? name : "", name ? strlen(name) : 0));
        break;
    }
    case OP_DOMAINNAME: {
        const char *name = take_str(c);
        CHECK(setdomainname(name ? name : "", name ? strlen(name) : 0));
        break;
    }
    case OP_LOOPBACK_UP:
        loopback_up();
        break;
    case OP_MOUNT_RAW: {
        const char *src = take_str(c), *target = take_str(c), *type = take_str(c);
        unsigned long flags = take_int(c);
        CHECK(mount(src, target, type, flags, take_str(c)));
        break;
    }
    case OP_OPEN_ROOT:
        root_fd = open(take_str(c), O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(root_fd);
        break;
    case OP_MOUNT:
        op_mount(c);
        break;
    case OP_MKDIR: {
        const char *path = take_str(c);
        CHECK(mkdirs_in_root(path ? path : "/", take_int(c)));
        break;
    }
    case OP_DEVICE:
        op_device(c);
        break;
    case OP_SYMLINK:
        op_symlink(c);
        break;
    case OP_PIVOT_ROOT:
        pivot_into_root();
        break;
    case OP_MOVE_ROOT:
        move_into_root(take_str(c));
        break;
    case OP_CONSOLE:
        op_console(c);
        break;
    case OP_REMOUNT: {
        const char *path = take_str(c);
        CHECK(remount(path, MS_REMOUNT | MS_BIND | take_int(c), NULL));
        break;
    }
    case OP_READONLY_PATH:
        op_readonly_path(take_str(c));
        break;
    case OP_MASK_PATH:
        op_mask_path(take_str(c));
        break;
    case OP_UMASK:
        umask((mode_t) take_int(c));
        break;
    case OP_SECCOMP:
        op_seccomp(c);
        break;
    case OP_BOUNDING:
        op_bounding(take_int(c));
        break;
    case OP_SETGROUPS: {
        int64_t n = take_int(c);
        if (n < 0 || n > NGROUPS_MAX)
            fail(EPROTO);
        gid_t *gids = calloc(n + 1, sizeof *gids);
        if (gids == NULL)
            fail(ENOMEM);
        for (int64_t i = 0; i < n; i++)
            gids[i] = take_int(c);
        CHECK(setgroups(n, gids));
        free(gids);
        break;
    }
    case OP_SETGID: {
        gid_t gid = take_int(c);
        CHECK(setresgid(gid, gid, gid));
        break;
    }
    case OP_SETUID: {
        uid_t uid = take_int(c);
        /* Keep the permitted set across the uid change; CAPSET then sets what the config asks. */
        CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
        CHECK(setresuid(uid, uid, uid));
        CHECK(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
        break;
    }
    case OP_CAPSET: {
        uint64_t eff = take_int(c), perm = take_int(c);
        op_capset(eff, perm, take_int(c));
        break;
    }
    case OP_AMBIENT:
        op_ambient(take_int(c));
        break;
    case OP_CHDIR:
        CHECK(chdir(take_str(c)));
        break;
    case OP_NO_NEW_PRIVS:
        CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        break;
    case OP_RESOLVE_EXEC: {
        const char *name = take_str(c);
        op_resolve_exec(name, take_str(c));
        break;
    }
    case OP_READY:
        if (take_int(c))
            start_gate();
        else
            send_msg(sync_fd, MSG_READY, -1, -1);
        break;
    case OP_SESSION_KEYRING:
        /* A kernel built without keys has no keyrings to isolate. */
        if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, take_str(c)) < 0 && errno != ENOSYS)
            fail(errno);
        break;
    case OP_EXEC: {
        char **argv = take_strs(c), **envp = take_strs(c);
        execve(exec_path[0] ? exec_path : argv[0], argv, envp);
        fail(errno);
    }
    default:
        fail(EPROTO);
    }
}

/* "--probe": exit 0 when the kernel has what the plans use (clone3, openat2), 3 or 4 when not. */
static int probe(void)
{
    if (syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS)
        return 3;
    if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) < 0 && errno == ENOSYS)
        return 4;
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t header[4];
    if (argc > 1 && strcmp(argv[1], "--probe") == 0)
        return probe();
    /* Nothing of the JVM may leak into the container. */
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
        fail(errno);
    umask(0);
    for (int i = 0; i < NS_SLOTS; i++)
        ns_fds[i] = -1;
    for (int i = 0; i < CGROUP_SLOTS; i++)
        cgroup_fds[i] = -1;
    if (read_full(sync_fd, header, sizeof header) < 0)
        _exit(1);
    if (header[0] != PLAN_MAGIC || header[1] != 1 || header[3] > MAX_PLAN)
        fail(EPROTO);
    uint8_t *plan = malloc(header[3] + 1);
    if (plan == NULL)
        fail(ENOMEM);
    if (read_full(sync_fd, plan, header[3]) < 0)
        _exit(1);
    struct cursor all = {plan, plan + header[3]};
    for (op_index = 0; op_index < (int) header[2]; op_index++) {
        uint16_t code;
        uint32_t len;
        if (all.end - all.p < 8)
            fail(EPROTO);
        memcpy(&code, all.p, 2);
        memcpy(&len, all.p + 4, 4);
        all.p += 8;
        if ((size_t) (all.end - all.p) < len)
            fail(EPROTO);
        struct cursor c = {all.p, all.p + len};
        run(&c, code);
        if (c.p != c.end)
            fail(EPROTO);
        all.p += len;
    }
    fail(EPROTO);   /* a plan must end in EXEC */
}
