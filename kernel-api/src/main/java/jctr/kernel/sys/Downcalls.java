package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The only place that creates downcall handles. Area classes ({@link Mounts}, {@link Processes}, ...)
 * keep the handles this returns in static finals, so each symbol is looked up once, when its area
 * is first used; a missing symbol fails that area alone, with the symbol's name in the error. Areas
 * on the path of a short-lived command ({@link Processes}, {@link Spawn}, {@link PosixFiles},
 * {@link UnixSockets}) keep each handle in a small holder class of its own instead, so that a handle is
 * bound on its first call: binding one spins classes, a few milliseconds each, and {@code jctr-runc}
 * calls only some of them.
 */
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** Layout of the call state that {@code captureCallState("errno")} fills in. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    static final java.lang.foreign.AddressLayout C_POINTER = ValueLayout.ADDRESS;

    private Downcalls() {
    }

    /**
     * A handle for a libc function that reports failure through errno. The returned handle takes a
     * call-state segment (allocate it with {@link #callState(Arena)}) as its first argument.
     */
    static MethodHandle withErrno(String symbol, FunctionDescriptor descriptor) {
        return bind(symbol, descriptor, CAPTURE_ERRNO);
    }

    /**
     * Like {@link #withErrno} for a variadic libc function (prctl, ioctl, syscall): the arguments from
     * index {@code firstVariadic} on are passed as variadic arguments.
     */
    static MethodHandle withErrnoVariadic(String symbol, FunctionDescriptor descriptor, int firstVariadic) {
        return bind(symbol, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** A handle for a libc function that cannot fail (or whose failure is not reported via errno). */
    static MethodHandle plain(String symbol, FunctionDescriptor descriptor) {
        return bind(symbol, descriptor);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle bind(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LIBC.find(symbol).orElseThrow(() -> new UnsatisfiedLinkError(
                "libc symbol " + symbol + " not found: jctr needs glibc 2.32 or newer"));
        try {
            return LINKER.downcallHandle(address, descriptor, options);
        } catch (IllegalCallerException e) {
            throw new IllegalCallerException("native access is disabled for module jctr.kernel: start the JVM with "
                    + "--enable-native-access=jctr.kernel (or ALL-UNNAMED on the class path)", e);
        }
    }

    /** A C string (NUL-terminated) read from a native pointer, or null for a NULL pointer. */
    @SuppressWarnings("restricted")
    static String readCString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Reinterprets a native pointer as a segment of {@code size} bytes. */
    @SuppressWarnings("restricted")
    static MemorySegment reinterpret(MemorySegment pointer, long size) {
        return pointer.reinterpret(size);
    }

    /** A fresh call-state segment in {@code arena}, for one call of a {@link #withErrno} handle. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The errno value the last call stored in {@code callState}. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /**
     * Rethrows what {@code MethodHandle.invokeExact} threw: our own exceptions unchanged, anything
     * else (which a downcall never throws) as an {@link AssertionError}.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a downcall threw a checked exception", t);
    }
}
