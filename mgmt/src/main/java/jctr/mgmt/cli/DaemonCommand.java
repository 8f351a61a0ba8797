package jctr.mgmt.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import jctr.mgmt.api.ApiConfig;
import jctr.mgmt.api.ApiServer;
import jctr.mgmt.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code jctr daemon}: the engine and its Docker-compatible API in the foreground, until SIGTERM/SIGINT. */
@Command(name = "daemon", description = "Run the engine and its Docker Engine API on a unix socket (foreground)")
public final class DaemonCommand implements Callable<Integer> {

    @ParentCommand
    JctrCommand parent;

    @Option(names = {"-H", "--host"}, paramLabel = "unix://PATH",
            description = "Socket to serve (default: unix:///run/jctr/jctr.sock, or $JCTR_HOST)")
    String host;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the daemon's pid to FILE")
    Path pidFile;

    @Option(names = "--tcp", paramLabel = "HOST:PORT",
            description = "Also serve on TCP; needs --tlsverify or --token-file unless HOST is a loopback address")
    String tcp;

    @Option(names = "--tlsverify", description = "TCP: TLS with required client certificates signed by --tlscacert")
    boolean tlsVerify;

    @Option(names = "--tlscacert", paramLabel = "PEM", description = "CA that signs client certificates")
    Path tlsCaCert;

    @Option(names = "--tlscert", paramLabel = "PEM", description = "The server's certificate")
    Path tlsCert;

    @Option(names = "--tlskey", paramLabel = "PEM", description = "The server's key (PKCS#8)")
    Path tlsKey;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "TCP: every request must send 'Authorization: Bearer <the file's content>'")
    Path tokenFile;

    @Override
    public Integer call() throws InterruptedException, java.io.IOException {
        Path socket = Hosts.socketPath(host != null ? host : parent.host);
        Engine engine = Engine.open(parent.engine.load());
        ApiServer server;
        try {
            server = ApiServer.start(engine, new ApiConfig(socket, tcp(), ApiConfig.DEFAULT_MAX_REQUEST_BODY));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        if (pidFile != null) {
            java.nio.file.Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
            if (pidFile != null) {
                try {
                    java.nio.file.Files.deleteIfExists(pidFile);
                } catch (java.io.IOException e) {
                    // a stale pid file is harmless: the socket is what clients check
                }
            }
            stopped.countDown();
        }, "jctr-daemon-shutdown"));
        System.err.println("jctr daemon: serving the Docker Engine API on unix://" + socket
                + (tcp == null ? "" : " and tcp://" + tcp.substring(0, tcp.lastIndexOf(':') + 1) + server.tcpPort()));
        stopped.await();
        return 0;
    }

    private ApiConfig.Tcp tcp() throws java.io.IOException {
        if (tcp == null) {
            return null;
        }
        int colon = tcp.lastIndexOf(':');
        if (colon <= 0) {
            throw new jctr.kernel.InvalidConfigException("command line", "--tcp", "expected HOST:PORT: " + tcp);
        }
        ApiConfig.Tls tls = tlsVerify ? new ApiConfig.Tls(tlsCert, tlsKey, tlsCaCert) : null;
        String token = tokenFile == null ? null : java.nio.file.Files.readString(tokenFile).strip();
        return new ApiConfig.Tcp(tcp.substring(0, colon), Integer.parseInt(tcp.substring(colon + 1)), tls, token);
    }
}
