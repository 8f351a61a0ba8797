package jctr.mgmt.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import jctr.mgmt.engine.monitor.Monitor;
import jctr.mgmt.engine.monitor.MonitorConnection;

/**
 * One client attached to a container's (or exec session's) streams. It may be made before the process
 * exists ({@code docker run} attaches, then starts): it is connected to the monitor when the process is
 * launched, before it is released, so no output is missed; input sent before that waits.
 */
public final class AttachSession implements AutoCloseable {

    /** Where the attached output goes. */
    public interface Output {
        /** Output of stream 1 (stdout) or 2 (stderr); may block while the client is slow. */
        void write(int stream, byte[] data) throws IOException;
    }

    private final boolean stdout;
    private final boolean stderr;
    private final boolean closeStdinAtEnd;
    private final CompletableFuture<MonitorConnection> connection = new CompletableFuture<>();
    private final Runnable onClose;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param closeStdinAtEnd close the process's stdin when this client's input ends (Docker's StdinOnce)
     * @param onClose run once when the session closes (unregisters it)
     */
    AttachSession(boolean stdout, boolean stderr, boolean closeStdinAtEnd, Runnable onClose) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.closeStdinAtEnd = closeStdinAtEnd;
        this.onClose = onClose;
    }

    /** Connects to the monitor of the launched process (registers with it before returning). */
    void connect(Monitor monitor) {
        if (connection.isDone()) {
            return;
        }
        try {
            connection.complete(monitor.connect());
        } catch (RuntimeException e) {
            connection.completeExceptionally(e);
        }
    }

    /** Gives up waiting: the process will not run (its start failed, or the container is gone). */
    void abandon(RuntimeException why) {
        connection.completeExceptionally(why);
    }

    boolean connected() {
        return connection.isDone() && !connection.isCompletedExceptionally();
    }

    private MonitorConnection await() throws IOException {
        try {
            return connection.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Sends input to the process's stdin (waiting until the process is launched). */
    public void stdin(byte[] data, int off, int len) throws IOException {
        await().stdin(ByteBuffer.wrap(data, off, len));
    }

    /** The client's input ended: with StdinOnce the process's stdin is closed. */
    public void stdinEnded() throws IOException {
        if (closeStdinAtEnd && connection.isDone() && !connection.isCompletedExceptionally()) {
            await().closeStdin();
        }
    }

    /** Resizes the process's terminal. */
    public void resize(int rows, int cols) throws IOException {
        await().resize(rows, cols);
    }

    /**
     * Copies the process's output to {@code out} until it ends.
     *
     * @return the exit code, or null when the output ended without one (the monitor went away)
     */
    public Integer pump(Output out) throws IOException {
        MonitorConnection c = await();
        MonitorConnection.Frame f;
        while ((f = c.read()) != null) {
            switch (f.type()) {
                case MonitorConnection.STDOUT -> {
                    if (stdout) {
                        out.write(1, f.payload());
                    }
                }
                case MonitorConnection.STDERR -> {
                    if (stderr) {
                        out.write(2, f.payload());
                    }
                }
                case MonitorConnection.EXIT -> {
                    return f.exitCode();
                }
                default -> { }
            }
        }
        return null;
    }

    /** Closes the session (once; later calls do nothing). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            MonitorConnection c = connection.join();
            if (closeStdinAtEnd) {
                try {
                    c.closeStdin();
                } catch (IOException e) {
                    // the process is gone
                }
            }
            c.close();
        } else {
            connection.completeExceptionally(new IllegalStateException("attach session closed"));
        }
        onClose.run();
    }
}
