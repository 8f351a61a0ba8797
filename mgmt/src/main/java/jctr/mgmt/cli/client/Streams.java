package jctr.mgmt.cli.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Copies a container's streams between the local terminal/pipes and a hijacked or streamed connection. */
public final class Streams {

    private Streams() {
    }

    /**
     * Copies output to stdout/stderr: raw with a terminal, else Docker's 8-byte framed stream.
     */
    public static void output(InputStream in, boolean tty, OutputStream stdout, OutputStream stderr) throws IOException {
        if (tty) {
            byte[] buf = new byte[32 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                stdout.write(buf, 0, n);
                stdout.flush();
            }
            return;
        }
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[8];
        while (true) {
            try {
                d.readFully(header);
            } catch (EOFException e) {
                return;
            }
            int len = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            byte[] payload = new byte[len];
            d.readFully(payload);
            OutputStream out = header[0] == 2 ? stderr : stdout;
            out.write(payload);
            out.flush();
        }
    }

    /**
     * Copies local stdin into the connection on a daemon thread; at end of input, half-closes it (the
     * container's stdin then ends, with StdinOnce).
     */
    public static Thread input(InputStream stdin, SocketChannel ch) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = stdin.read(buf)) >= 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                // the connection ended first
            }
        }, "jctr-stdin");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
