package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;
import static jctr.kernel.sys.Downcalls.C_SIZE_T;

/**
 * Unix domain stream sockets on raw descriptors: socket pairs to talk to a child process, connecting
 * and listening by path, byte I/O with a timeout, and receiving a descriptor sent with SCM_RIGHTS
 * (a console socket's pty master). java.nio's unix channels cannot pass descriptors or be inherited
 * by a spawned child, hence these.
 *
 * <p>Paths longer than {@code sun_path} (107 bytes) are reached through {@code /proc/self/fd/N/name}
 * with N a descriptor of the parent directory, so deep state directories work.
 */
public final class UnixSockets {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = OpenFlags.O_CLOEXEC;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SUN_PATH_MAX = 108;
    private static final long SOCKADDR_UN_SIZE = 110;

    // Each handle is bound in a holder class of its own, on the first call: binding spins classes (a
    // few ms each), and a short-lived jctr-runc calls only some of this class's functions.
    private static final class Socketpair {
        static final MethodHandle HANDLE = Downcalls.withErrno("socketpair",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER));
    }

    private static final class Socket {
        static final MethodHandle HANDLE = Downcalls.withErrno("socket",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    }

    private static final class Connect {
        static final MethodHandle HANDLE = Downcalls.withErrno("connect",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    }

    private static final class Bind {
        static final MethodHandle HANDLE = Downcalls.withErrno("bind",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    }

    private static final class Listen {
        static final MethodHandle HANDLE = Downcalls.withErrno("listen", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    }

    private static final class Accept4 {
        static final MethodHandle HANDLE = Downcalls.withErrno("accept4",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_INT));
    }

    private static final class Send {
        static final MethodHandle HANDLE = Downcalls.withErrno("send",
                FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_SIZE_T, C_INT));
    }

    private static final class Recv {
        static final MethodHandle HANDLE = Downcalls.withErrno("recv",
                FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_SIZE_T, C_INT));
    }

    private static final class Recvmsg {
        static final MethodHandle HANDLE = Downcalls.withErrno("recvmsg",
                FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT));
    }

    /** A descriptor received with SCM_RIGHTS and the name the sender put in the message body. */
    public record ReceivedFd(int fd, String name) {
    }

    private UnixSockets() {
    }

    /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): two connected descriptors. */
    public static int[] pair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int rc = (int) Socketpair.HANDLE.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            if (rc != 0) {
                throw new SyscallException("socketpair", Downcalls.errno(state), "AF_UNIX, SOCK_STREAM");
            }
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A close-on-exec stream socket connected to the listening socket at {@code path}. */
    public static int connect(Path path) {
        return withAddress(path, "connect", Connect.HANDLE);
    }

    /**
     * A close-on-exec stream socket bound to {@code path} and listening. The socket file stays until
     * the caller deletes it.
     */
    public static int listen(Path path, int backlog) {
        int fd = withAddress(path, "bind", Bind.HANDLE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) Listen.HANDLE.invokeExact(state, fd, backlog);
            if (rc != 0) {
                int errno = Downcalls.errno(state);
                PosixFiles.close(fd);
                throw new SyscallException("listen", errno, path.toString());
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** accept4(2) with SOCK_CLOEXEC, waiting at most {@code timeoutMillis} (negative: forever). */
    public static int accept(int listenFd, int timeoutMillis) {
        PosixFiles.awaitReadable(listenFd, timeoutMillis, "accept4");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            while (true) {
                int fd = (int) Accept4.HANDLE.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL,
                        SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("accept4", errno, Integer.toString(listenFd));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Sends all of {@code data}; a closed peer is an EPIPE error, never a SIGPIPE. */
    public static void sendAll(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long off = 0;
            while (off < data.length) {
                long n = (long) Send.HANDLE.invokeExact(state, fd, buf.asSlice(off), (long) data.length - off, MSG_NOSIGNAL);
                if (n >= 0) {
                    off += n;
                    continue;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("send", errno, fd + ", " + data.length + " bytes");
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Reads up to {@code max} bytes, waiting at most {@code timeoutMillis} (negative: forever) for the
     * first one.
     *
     * @return the bytes read; empty at end of stream
     * @throws SyscallException with ETIMEDOUT when nothing arrived in time
     */
    public static byte[] recv(int fd, int max, int timeoutMillis) {
        PosixFiles.awaitReadable(fd, timeoutMillis, "recv");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(Math.max(1, max));
            while (true) {
                long n = (long) Recv.HANDLE.invokeExact(state, fd, buf, (long) max, 0);
                if (n >= 0) {
                    return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                }
                int errno = Downcalls.errno(state);
                if (errno == Errno.ECONNRESET) {
                    return new byte[0];
                }
                if (errno != Errno.EINTR) {
                    throw new SyscallException("recv", errno, Integer.toString(fd));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Reads exactly {@code length} bytes unless the stream ends first, each wait bounded by {@code timeoutMillis}.
     *
     * @return the bytes, shorter than {@code length} only at end of stream
     */
    public static byte[] recvFully(int fd, int length, int timeoutMillis) {
        byte[] out = new byte[length];
        int off = 0;
        while (off < length) {
            byte[] chunk = recv(fd, length - off, timeoutMillis);
            if (chunk.length == 0) {
                return java.util.Arrays.copyOf(out, off);
            }
            System.arraycopy(chunk, 0, out, off, chunk.length);
            off += chunk.length;
        }
        return out;
    }

    /**
     * Receives one descriptor sent with SCM_RIGHTS (close-on-exec in this process), waiting at most
     * {@code timeoutMillis} (negative: forever).
     *
     * @throws SyscallException EBADMSG when the message carried no descriptor
     */
    public static ReceivedFd recvFd(int socketFd, int timeoutMillis) {
        PosixFiles.awaitReadable(socketFd, timeoutMillis, "recvmsg");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment data = arena.allocate(4096);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, data);
            iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
            MemorySegment control = arena.allocate(64, 8);
            // struct msghdr: name@0 namelen@8 iov@16 iovlen@24 control@32 controllen@40 flags@48
            MemorySegment msg = arena.allocate(56, 8);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            msg.set(ValueLayout.ADDRESS, 32, control);
            msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
            long n;
            while (true) {
                n = (long) Recvmsg.HANDLE.invokeExact(state, socketFd, msg, MSG_CMSG_CLOEXEC);
                if (n >= 0) {
                    break;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("recvmsg", errno, Integer.toString(socketFd));
                }
            }
            // struct cmsghdr: len@0 (size_t) level@8 type@12 data@16
            long controlLen = msg.get(ValueLayout.JAVA_LONG, 40);
            if (controlLen < 20 || control.get(ValueLayout.JAVA_INT, 8) != SOL_SOCKET
                    || control.get(ValueLayout.JAVA_INT, 12) != SCM_RIGHTS) {
                throw new SyscallException("recvmsg", Errno.EBADMSG, socketFd + ": no SCM_RIGHTS descriptor");
            }
            String name = new String(data.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            return new ReceivedFd(control.get(ValueLayout.JAVA_INT, 16), name);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Creates a socket and binds or connects it to {@code path}, via /proc/self/fd for long paths. */
    private static int withAddress(Path path, String call, MethodHandle op) {
        int dirFd = -1;
        String address = path.toString();
        if (address.getBytes(StandardCharsets.UTF_8).length >= SUN_PATH_MAX) {
            Path parent = path.toAbsolutePath().getParent();
            dirFd = PosixFiles.open(parent, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            address = "/proc/self/fd/" + dirFd + "/" + path.getFileName();
        }
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= SUN_PATH_MAX) {
                throw new SyscallException(call, Errno.ENAMETOOLONG, path.toString());
            }
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) Socket.HANDLE.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new SyscallException("socket", Downcalls.errno(state), "AF_UNIX, SOCK_STREAM");
            }
            MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE, 2);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(bytes, 0, addr, ValueLayout.JAVA_BYTE, 2, bytes.length);
            // No EINTR retry: an interrupted connect completes on its own, a second call would fail.
            int rc = (int) op.invokeExact(state, fd, addr, (int) SOCKADDR_UN_SIZE);
            if (rc != 0) {
                int errno = Downcalls.errno(state);
                PosixFiles.close(fd);
                throw new SyscallException(call, errno, path.toString());
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        } finally {
            if (dirFd >= 0) {
                PosixFiles.close(dirFd);
            }
        }
    }
}
