/*
 * jctr-monitor: the per-container monitor of the jctr engine (the role conmon plays for CRI-O).
 *
 * One small process per container run (and per exec session) holds the process's standard streams
 * and learns its exit status, so that the engine JVM can stop and start again without the container
 * noticing. It
 *   - is the isolation driver's launch wrapper: the driver spawns "jctr-monitor ... -- LAUNCHER"
 *     instead of LAUNCHER; the monitor forks into the background (the spawned process returns at
 *     once, as a launcher that has finished would), becomes a child subreaper and runs LAUNCHER as its
 *     child, with the descriptors it was given and with stdin/stdout/stderr replaced by its own pipes
 *     (or, with -t, /dev/null: the launcher sends the pty master to DIR/console.sock);
 *   - is therefore the parent (or subreaper) of the container process the launcher starts, reaps it,
 *     and records its exit status in DIR/exit, whether or not an engine is running;
 *   - writes Docker's json-file log ({"log":"...","stream":"stdout","time":"RFC3339Nano"} per line)
 *     with rotation (max size, max files);
 *   - serves attach clients on DIR/attach.sock (frames below).
 *
 * Usage: jctr-monitor -d DIR -p PIDFILE [-l LOG] [-s MAXSIZE] [-n MAXFILES] [-t] [-i] [-W ROWS,COLS] [-a]
 *                     -- COMMAND ARGS...
 *   -d DIR      an existing private directory: DIR/attach.sock, DIR/console.sock (-t), DIR/monitor.pid,
 *               DIR/monitor.log (diagnostics), and at the end DIR/exit
 *   -p PIDFILE  the file in which the runtime writes the pid of the process to watch (the container's
 *               init or the exec'd process) once the launcher has started it; "0" when the launch failed
 *   -l LOG      json-file log to append to (none: no log)
 *   -s N / -n N rotate the log when it would exceed N bytes, keeping N files (LOG, LOG.1, ...)
 *   -t          terminal: the pty master arrives on DIR/console.sock
 *   -i          the process gets a stdin pipe (else /dev/null)
 *   -W R,C      initial terminal size
 *   -a          hold the output until the first attach client is connected (an exec session whose
 *               process starts before the engine can connect: the pipe holds what it writes meanwhile)
 * The monitor ends when the watched process has exited (after draining its output), or, if none was
 * ever started, when the launcher has exited and no child is left.
 *
 * Frames on DIR/attach.sock, both directions: an 8-byte header [type, 0, 0, 0, length (u32 big
 * endian)] then `length` bytes. Monitor to client: 1 stdout, 2 stderr (Docker's multiplexed stream
 * types), 16 exit (payload: the exit code in decimal; the last frame), 17 hello (empty; the first frame:
 * from then on the client receives all output). Client to monitor: 0 stdin data,
 * 1 close stdin, 2 resize (payload "ROWS COLS"), 3 mute (send this client only the exit frame).
 *
 * DIR/exit (written atomically) is one line: "<exit code> <signal or 0> <finished RFC3339Nano>".
 * The exit code is shell-style: 128+signal when killed; 127 when the launcher failed before starting
 * anything; 255 when the process was not our child and its status could not be learned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define READ_CHUNK 32768
#define LINE_MAX_BYTES 16384          /* Docker splits log lines longer than 16 KiB */
#define CLIENT_BACKLOG (1 << 20)      /* stop reading the container while a client lags this much */
#define STDIN_BACKLOG (1 << 20)       /* stop reading clients' stdin while this much is pending */
#define DRAIN_MS 2000                 /* after the init exits, wait this long for the streams' EOF */

enum { F_STDIN = 0, F_CLOSE_STDIN = 1, F_RESIZE = 2, F_MUTE = 3 };
enum { T_STDOUT = 1, T_STDERR = 2, T_EXIT = 16, T_HELLO = 17 };

struct buf {
    char *data;
    size_t len, cap;
};

struct client {
    int fd;
    struct buf in;    /* partial frames from the client */
    struct buf out;   /* frames not yet written to the client */
    int mute;         /* wants only the exit frame (the engine's exit watcher) */
};

struct stream {
    int fd;           /* read end (FIFO or pty master), -1 when closed */
    int type;         /* T_STDOUT / T_STDERR */
    const char *name; /* "stdout" / "stderr" for the log */
    struct buf line;  /* bytes of the current, unfinished log line */
};

static const char *dir;
static const char *log_path;
static long long log_max_size;
static int log_max_files = 1;
static int tty_mode, stdin_mode, await_client;
static const char *pid_file;
static unsigned short init_rows, init_cols;
static char **command;

static int log_fd = -1;
static long long log_size;
static struct stream streams[2];
static int stdin_fd = -1;           /* write end of the process's stdin (pipe, or the pty master) */
static struct buf stdin_pending;
static int stdin_close_requested;
static int stdin_closed;            /* the container's stdin was closed on request: drop further input */
static int pty_fd = -1;
static int attach_listen = -1, console_listen = -1, sig_fd = -1;
static struct client clients[MAX_CLIENTS];
static int nclients;
static pid_t command_pid = -1, init_pid = -1;
static int command_reaped;
static int have_exit, exit_code, exit_signal;
static long long exit_at_ms = -1;
static int orphan_init;             /* the init is alive but not our child: its status cannot be learned */
/* Children reaped before the pid file named the watched process (an exec'd process can end before the
 * runtime writes its pid): kept to be matched once the pid file appears. */
#define MAX_EARLY 64
static struct { pid_t pid; int code, sig; } early[MAX_EARLY];
static int nearly;
static long long pidfile_deadline = -1; /* give up on a pid file that never appears (its directory was removed) */
static long long await_deadline = -1;   /* stop holding output for a client that never comes */
static void match_early(void);

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "jctr-monitor: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(125);
}

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warnx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "jctr-monitor: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void buf_append(struct buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            die("out of memory");
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_consume(struct buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

static void path_in_dir(char *out, size_t size, const char *name)
{
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
        die("path too long: %s/%s", dir, name);
}

/* RFC 3339 with nanoseconds in UTC, as Docker writes log times. */
static void rfc3339nano(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            warnx("write: %s", strerror(errno));
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* ---- json-file log ---------------------------------------------------------------------------- */

static void log_open(void)
{
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0)
        die("open %s: %s", log_path, strerror(errno));
    struct stat st;
    log_size = fstat(log_fd, &st) == 0 ? st.st_size : 0;
}

/* LOG -> LOG.1 -> LOG.2 ...; the oldest beyond max files is dropped. */
static void log_rotate(void)
{
    char from[4096], to[4096];
    close(log_fd);
    if (log_max_files <= 1) {
        if (truncate(log_path, 0) != 0)
            warnx("truncate %s: %s", log_path, strerror(errno));
    } else {
        for (int i = log_max_files - 1; i >= 1; i--) {
            if (i == 1)
                snprintf(from, sizeof from, "%s", log_path);
            else
                snprintf(from, sizeof from, "%s.%d", log_path, i - 1);
            snprintf(to, sizeof to, "%s.%d", log_path, i);
            if (rename(from, to) != 0 && errno != ENOENT)
                warnx("rename %s: %s", from, strerror(errno));
        }
    }
    log_open();
}

/* Appends s (n bytes) to b as the inside of a JSON string; invalid UTF-8 becomes U+FFFD. */
static void json_escape(struct buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_append(b, e, 2);
            i++;
        } else if (c == '\n') {
            buf_append(b, "\\n", 2);
            i++;
        } else if (c == '\r') {
            buf_append(b, "\\r", 2);
            i++;
        } else if (c == '\t') {
            buf_append(b, "\\t", 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            buf_append(b, e, 6);
            i++;
        } else if (c < 0x80) {
            buf_append(b, &s[i], 1);
            i++;
        } else {
            size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
            int ok = len > 0 && i + len <= n;
            for (size_t k = 1; ok && k < len; k++)
                ok = (s[i + k] & 0xc0) == 0x80;
            if (ok) {
                buf_append(b, &s[i], len);
                i += len;
            } else {
                buf_append(b, "\xef\xbf\xbd", 3);
                i++;
            }
        }
    }
}

static void log_entry(struct stream *st, const char *p, size_t n)
{
    if (log_fd < 0)
        return;
    char ts[64];
    rfc3339nano(ts, sizeof ts);
    struct buf e = {0};
    buf_append(&e, "{\"log\":\"", 8);
    json_escape(&e, (const unsigned char *)p, n);
    buf_append(&e, "\",\"stream\":\"", 12);
    buf_append(&e, st->name, strlen(st->name));
    buf_append(&e, "\",\"time\":\"", 10);
    buf_append(&e, ts, strlen(ts));
    buf_append(&e, "\"}\n", 3);
    if (log_max_size > 0 && log_size > 0 && log_size + (long long)e.len > log_max_size)
        log_rotate();
    write_all(log_fd, e.data, e.len);
    log_size += (long long)e.len;
    free(e.data);
}

/* Splits output into log lines: complete lines, or 16 KiB pieces of a longer one. */
static void log_output(struct stream *st, const char *p, size_t n)
{
    buf_append(&st->line, p, n);
    size_t start = 0;
    for (size_t i = 0; i < st->line.len; i++) {
        if (st->line.data[i] == '\n' || i + 1 - start >= LINE_MAX_BYTES) {
            log_entry(st, st->line.data + start, i + 1 - start);
            start = i + 1;
        }
    }
    buf_consume(&st->line, start);
}

static void log_flush_partial(struct stream *st)
{
    if (st->line.len > 0) {
        log_entry(st, st->line.data, st->line.len);
        st->line.len = 0;
    }
}

/* ---- attach clients ------------------------------------------------------------------------- */

static void frame(struct buf *b, int type, const char *p, size_t n)
{
    unsigned char h[8] = {(unsigned char)type, 0, 0, 0,
                          (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
    buf_append(b, h, 8);
    buf_append(b, p, n);
}

static void client_drop(int i)
{
    close(clients[i].fd);
    free(clients[i].in.data);
    free(clients[i].out.data);
    clients[i] = clients[--nclients];
}

static void broadcast(int type, const char *p, size_t n)
{
    for (int i = 0; i < nclients; i++)
        if (!clients[i].mute || type == T_EXIT)
            frame(&clients[i].out, type, p, n);
}

static int clients_lagging(void)
{
    for (int i = 0; i < nclients; i++)
        if (clients[i].out.len > CLIENT_BACKLOG)
            return 1;
    return 0;
}

static void set_winsize(unsigned short rows, unsigned short cols)
{
    if (pty_fd < 0 || rows == 0 || cols == 0)
        return;
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    if (ioctl(pty_fd, TIOCSWINSZ, &ws) != 0)
        warnx("TIOCSWINSZ: %s", strerror(errno));
}

static void close_stdin(void)
{
    if (tty_mode) {
        return; /* a terminal has no half-close: the process keeps its terminal */
    }
    if (stdin_pending.len > 0) {
        stdin_close_requested = 1; /* after the pending bytes */
        return;
    }
    stdin_closed = 1;
    if (stdin_fd >= 0) {
        close(stdin_fd);
        stdin_fd = -1;
    }
}

static void record_exit(int code, int sig)
{
    if (have_exit)
        return;
    have_exit = 1;
    exit_code = code;
    exit_signal = sig;
    exit_at_ms = now_ms();
}

/* Handles the complete frames a client sent; returns -1 if the client sent garbage. */
static int client_frames(struct client *c)
{
    while (c->in.len >= 8) {
        unsigned char *h = (unsigned char *)c->in.data;
        uint32_t n = ((uint32_t)h[4] << 24) | ((uint32_t)h[5] << 16) | ((uint32_t)h[6] << 8) | h[7];
        if (n > (1u << 24))
            return -1;
        if (c->in.len < 8 + (size_t)n)
            break;
        char *p = c->in.data + 8;
        switch (h[0]) {
        case F_STDIN:
            /* Kept until the stdin is there (a terminal's arrives with the pty master, after clients may
             * already have sent input). */
            if (stdin_mode && !stdin_closed && !stdin_close_requested)
                buf_append(&stdin_pending, p, n);
            break;
        case F_CLOSE_STDIN:
            close_stdin();
            break;
        case F_MUTE:
            c->mute = 1;
            break;
        case F_RESIZE: {
            char tmp[32];
            unsigned rows = 0, cols = 0;
            size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
            memcpy(tmp, p, m);
            tmp[m] = 0;
            if (sscanf(tmp, "%u %u", &rows, &cols) == 2)
                set_winsize((unsigned short)rows, (unsigned short)cols);
            break;
        }
        default:
            return -1;
        }
        buf_consume(&c->in, 8 + n);
    }
    return 0;
}

/* ---- set-up -------------------------------------------------------------------------------- */

static int listen_unix(const char *name)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        die("socket path too long: %s/%s", dir, name);
    unlink(path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("bind %s: %s", path, strerror(errno));
    if (chmod(path, 0600) != 0)
        die("chmod %s: %s", path, strerror(errno));
    if (listen(fd, 16) != 0)
        die("listen %s: %s", path, strerror(errno));
    return fd;
}

/* Receives the pty master that the launcher sends over the console socket (SCM_RIGHTS). */
static void accept_console(void)
{
    int c = accept4(console_listen, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
    char data[256];
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t r;
    do {
        r = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    struct cmsghdr *cm = r >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        int fd;
        memcpy(&fd, CMSG_DATA(cm), sizeof fd);
        if (pty_fd >= 0)
            close(pty_fd);
        pty_fd = fd;
        fcntl(pty_fd, F_SETFL, fcntl(pty_fd, F_GETFL) | O_NONBLOCK);
        streams[0].fd = pty_fd;
        stdin_fd = stdin_mode ? pty_fd : -1;
        set_winsize(init_rows, init_cols);
    } else {
        warnx("console socket: no file descriptor received");
    }
    close(c);
    /* One terminal per container: stop listening. */
    close(console_listen);
    console_listen = -1;
    char path[4096];
    path_in_dir(path, sizeof path, "console.sock");
    unlink(path);
}

static int read_init_pid(void)
{
    if (pid_file == NULL)
        return -1;
    char b[32] = {0};
    int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    return n > 0 ? atoi(b) : -1;
}

static void reap(void)
{
    for (;;) {
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p <= 0) {
            if (p < 0 && errno == ECHILD && command_reaped && !have_exit) {
                match_early();
                if (have_exit)
                    return;
                if (init_pid < 0 && nearly > 0) {
                    /* The pid file is not written yet: match_early() runs again soon, for a while. */
                    if (pidfile_deadline < 0)
                        pidfile_deadline = now_ms() + 10000;
                    if (now_ms() < pidfile_deadline)
                        return;
                    record_exit(255, 0);
                    return;
                }
                if (init_pid < 0)
                    init_pid = read_init_pid();
                if (init_pid > 0 && kill(init_pid, 0) == 0)
                    orphan_init = 1;
                else
                    record_exit(127, 0); /* the launcher is gone and no init ran: it never started */
            }
            return;
        }
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (p == command_pid) {
            command_reaped = 1;
        }
        if (init_pid < 0)
            init_pid = read_init_pid();
        if (p == init_pid)
            record_exit(code, sig);
        else if (init_pid < 0 && p != command_pid && nearly < MAX_EARLY)
            early[nearly++] = (typeof(early[0])){p, code, sig};
    }
}

/* Once the pid file names the watched process, an exit reaped earlier may be its. */
static void match_early(void)
{
    if (have_exit || (nearly == 0 && !command_reaped))
        return;
    if (init_pid < 0)
        init_pid = read_init_pid();
    if (init_pid == 0 && command_reaped) {
        record_exit(127, 0); /* "0" in the pid file: the launch failed, there is nothing to watch */
        return;
    }
    for (int i = 0; i < nearly; i++)
        if (early[i].pid == init_pid)
            record_exit(early[i].code, early[i].sig);
}

static void write_exit_file(void)
{
    char path[4096], tmp[4096], ts[64], line[128];
    path_in_dir(path, sizeof path, "exit");
    path_in_dir(tmp, sizeof tmp, "exit.tmp");
    rfc3339nano(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%d %d %s\n", exit_code, exit_signal, ts);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        warnx("open %s: %s", tmp, strerror(errno));
        return;
    }
    write_all(fd, line, (size_t)n);
    fsync(fd);
    close(fd);
    if (rename(tmp, path) != 0)
        warnx("rename %s: %s", tmp, strerror(errno));
}

static void parse_args(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "+d:l:s:n:tip:W:a")) != -1) {
        switch (opt) {
        case 'd': dir = optarg; break;
        case 'l': log_path = optarg; break;
        case 's': log_max_size = atoll(optarg); break;
        case 'n': log_max_files = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
        case 't': tty_mode = 1; break;
        case 'i': stdin_mode = 1; break;
        case 'p': pid_file = optarg; break;
        case 'a': await_client = 1; break;
        case 'W': {
            unsigned r, c;
            if (sscanf(optarg, "%u,%u", &r, &c) == 2) {
                init_rows = (unsigned short)r;
                init_cols = (unsigned short)c;
            }
            break;
        }
        default: die("usage: jctr-monitor -d DIR -p PIDFILE [-l LOG] [-s MAXSIZE] [-n MAXFILES] [-t] [-i] "
                     "[-W ROWS,COLS] [-a] -- COMMAND ARGS...");
        }
    }
    if (dir == NULL || pid_file == NULL || optind >= argc)
        die("-d DIR, -p PIDFILE and a COMMAND are required");
    command = argv + optind;
}

/* Descriptors inherited from the caller (the launcher's plan and sync fds in wrapper mode) are the
 * command's, not ours: noted before we create our own, closed in us after the fork. */
static int inherited[256];
static int ninherited;

static void note_inherited(void)
{
    for (int fd = 3; fd < 1024 && ninherited < 256; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            inherited[ninherited++] = fd;
}

/* Runs the command with our pipes (or /dev/null for a terminal) as its stdin, stdout and stderr. */
static void spawn_command(void)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (!tty_mode) {
        if ((stdin_mode && pipe2(in, O_CLOEXEC) != 0) || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
            die("pipe: %s", strerror(errno));
    }
    command_pid = fork();
    if (command_pid < 0)
        die("fork: %s", strerror(errno));
    if (command_pid == 0) {
        /* With a terminal the launcher keeps the stdio it was given (the driver's /dev/null). */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (!tty_mode && (dup2(in[0] >= 0 ? in[0] : null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0))
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        execvp(command[0], command);
        dprintf(2, "jctr-monitor: exec %s: %s\n", command[0], strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < ninherited; i++)
        close(inherited[i]);
    if (!tty_mode) {
        if (stdin_mode) {
            close(in[0]);
            stdin_fd = in[1];
            fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
        }
        close(out[1]);
        close(err[1]);
        streams[0].fd = out[0];
        streams[1].fd = err[0];
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    note_inherited();

    /* Background: the caller (the driver's spawn) sees its child exit at once, as with a launcher that
     * has done its work; it gets the exit status only once our set-up is done (0) or failed (125). */
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0)
        die("pipe: %s", strerror(errno));
    pid_t bg = fork();
    if (bg < 0)
        die("fork: %s", strerror(errno));
    if (bg > 0) {
        char ok;
        close(ready[1]);
        _exit(read(ready[0], &ok, 1) == 1 ? 0 : 125);
    }
    close(ready[0]);
    /* Leave the caller's session: a ^C on the daemon's terminal must not reach the container. */
    setsid();
    /* Diagnostics go to DIR/monitor.log, never to the caller's stderr, which this process would
     * otherwise hold open for the container's whole life. */
    char diagpath[4096];
    path_in_dir(diagpath, sizeof diagpath, "monitor.log");
    int diag = open(diagpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (diag < 0)
        die("open %s: %s", diagpath, strerror(errno));
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sig_fd < 0)
        die("signalfd: %s", strerror(errno));

    if (log_path)
        log_open();
    streams[0] = (struct stream){.fd = -1, .type = T_STDOUT, .name = "stdout"};
    streams[1] = (struct stream){.fd = -1, .type = T_STDERR, .name = "stderr"};
    if (tty_mode)
        console_listen = listen_unix("console.sock");
    attach_listen = listen_unix("attach.sock");

    char pidpath[4096], pidline[32];
    path_in_dir(pidpath, sizeof pidpath, "monitor.pid");
    int pf = open(pidpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (pf >= 0) {
        int n = snprintf(pidline, sizeof pidline, "%d", getpid());
        write_all(pf, pidline, (size_t)n);
        close(pf);
    }

    spawn_command();
    /* We keep none of the caller's descriptors. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, 0);
    dup2(null, 1);
    dup2(diag, 2);
    close(null);
    close(diag);
    write_all(ready[1], "1", 1);
    close(ready[1]);
    await_deadline = now_ms() + 30000;
    for (;;) {
        /* Done: the exit is known and the streams are drained (or the drain time is up). */
        if (have_exit) {
            int open_streams = 0;
            for (int s = 0; s < 2; s++)
                if (streams[s].fd >= 0)
                    open_streams++;
            /* A client is still expected (exec): its output waits for it, within the await deadline. */
            if (open_streams == 0 || (!await_client && now_ms() - exit_at_ms > DRAIN_MS))
                break;
        }
        struct pollfd pfds[8 + MAX_CLIENTS];
        int np = 0;
        int lag = clients_lagging() || await_client;
        int i_sig = np;
        pfds[np++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        int i_attach = np;
        pfds[np++] = (struct pollfd){.fd = attach_listen, .events = POLLIN};
        int i_console = np;
        pfds[np++] = (struct pollfd){.fd = console_listen, .events = POLLIN};
        int i_stream = np;
        for (int s = 0; s < 2; s++)
            pfds[np++] = (struct pollfd){.fd = lag ? -1 : streams[s].fd, .events = POLLIN};
        int i_stdin = np;
        pfds[np++] = (struct pollfd){.fd = stdin_pending.len > 0 ? stdin_fd : -1, .events = POLLOUT};
        int i_clients = np;
        for (int c = 0; c < nclients; c++) {
            short ev = stdin_pending.len < STDIN_BACKLOG ? POLLIN : 0;
            if (clients[c].out.len > 0)
                ev |= POLLOUT;
            pfds[np++] = (struct pollfd){.fd = clients[c].fd, .events = ev};
        }
        match_early();
        if (!have_exit && pidfile_deadline >= 0 && now_ms() >= pidfile_deadline)
            record_exit(255, 0);
        if (await_client && now_ms() >= await_deadline)
            await_client = 0; /* the engine that launched it is gone: let the process write */
        int timeout = have_exit ? 100 : orphan_init ? 1000 : nearly > 0 || (command_reaped && init_pid < 0) ? 50
                : await_client ? 1000 : -1;
        if (poll(pfds, (nfds_t)np, timeout) < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        if (pfds[i_sig].revents) {
            struct signalfd_siginfo si;
            while (read(sig_fd, &si, sizeof si) > 0) {
            }
            reap();
        }
        if (pfds[i_attach].revents & POLLIN) {
            int c = accept4(attach_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (c >= 0) {
                if (nclients == MAX_CLIENTS) {
                    close(c);
                } else {
                    clients[nclients] = (struct client){.fd = c};
                    frame(&clients[nclients++].out, T_HELLO, "", 0);
                    await_client = 0;
                }
            }
        }
        if (console_listen >= 0 && (pfds[i_console].revents & POLLIN))
            accept_console();
        for (int s = 0; s < 2; s++) {
            struct stream *st = &streams[s];
            short re = pfds[i_stream + s].revents;
            if (st->fd < 0 || pfds[i_stream + s].fd < 0 || re == 0)
                continue;
            char data[READ_CHUNK];
            ssize_t r = read(st->fd, data, sizeof data);
            if (r > 0) {
                log_output(st, data, (size_t)r);
                broadcast(st->type, data, (size_t)r);
            } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                /* EOF (all writers gone) or EIO (the pty's last slave closed). */
                if (r == 0 && !(re & POLLHUP))
                    continue;
                log_flush_partial(st);
                if (st->fd == stdin_fd)
                    stdin_fd = -1;
                if (st->fd == pty_fd)
                    pty_fd = -1;
                close(st->fd);
                st->fd = -1;
            }
        }
        if (stdin_fd >= 0 && stdin_pending.len > 0 && (pfds[i_stdin].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(stdin_fd, stdin_pending.data, stdin_pending.len);
            if (w > 0) {
                buf_consume(&stdin_pending, (size_t)w);
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                stdin_pending.len = 0; /* the process closed its stdin */
            }
            if (stdin_pending.len == 0 && stdin_close_requested) {
                stdin_close_requested = 0;
                close_stdin();
            }
        }
        for (int c = nclients - 1; c >= 0; c--) {
            short re = pfds[i_clients + c].revents;
            struct client *cl = &clients[c];
            int drop = 0;
            if (re & POLLIN) {
                char data[READ_CHUNK];
                ssize_t r = read(cl->fd, data, sizeof data);
                if (r > 0) {
                    buf_append(&cl->in, data, (size_t)r);
                    if (client_frames(cl) != 0)
                        drop = 1;
                } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    drop = 1;
                }
            }
            if (!drop && (re & POLLOUT) && cl->out.len > 0) {
                ssize_t w = write(cl->fd, cl->out.data, cl->out.len);
                if (w > 0)
                    buf_consume(&cl->out, (size_t)w);
                else if (w < 0 && errno != EAGAIN && errno != EINTR)
                    drop = 1;
            }
            if (!drop && (re & (POLLERR | POLLNVAL)))
                drop = 1;
            if (drop)
                client_drop(c);
        }
        /* An init that is not our child (a driver that ignored the wrapper) can only be watched. */
        if (!have_exit && orphan_init && kill(init_pid, 0) != 0)
            record_exit(255, 0);
    }

    for (int s = 0; s < 2; s++)
        log_flush_partial(&streams[s]);
    if (log_fd >= 0)
        fsync(log_fd);
    write_exit_file();
    char code[16];
    int n = snprintf(code, sizeof code, "%d", exit_code);
    broadcast(T_EXIT, code, (size_t)n);
    /* Give clients a moment to take the last frames, then close: end of output for them. */
    long long deadline = now_ms() + 1000;
    for (int c = 0; c < nclients; c++) {
        int fl = fcntl(clients[c].fd, F_GETFL);
        fcntl(clients[c].fd, F_SETFL, fl & ~O_NONBLOCK);
        struct timeval tv = {.tv_sec = 1};
        setsockopt(clients[c].fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (now_ms() < deadline)
            write_all(clients[c].fd, clients[c].out.data, clients[c].out.len);
        close(clients[c].fd);
    }
    char path[4096];
    path_in_dir(path, sizeof path, "attach.sock");
    unlink(path);
    return 0;
}
