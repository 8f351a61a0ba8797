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

    @Override
    public Integer call() throws InterruptedException {
        Path socket = Hosts.socketPath(host);
        Engine engine = Engine.open(parent.engine.load());
        ApiServer server = ApiServer.start(engine, ApiConfig.unix(socket));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
            stopped.countDown();
        }, "jctr-daemon-shutdown"));
        System.err.println("jctr daemon: serving the Docker Engine API on unix://" + socket);
        stopped.await();
        return 0;
    }
}
