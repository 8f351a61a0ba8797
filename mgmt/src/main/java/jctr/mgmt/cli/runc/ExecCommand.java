package jctr.mgmt.cli.runc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.User;
import jctr.kernel.spi.Stdio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code exec ID ARGS...}: runs another process in a container. Without {@code --process}, the process is
 * the container's own {@code process} with these args and the flags' changes (as runc builds it).
 */
@Command(name = "exec", description = "Run a process in a running container; exit with its status")
final class ExecCommand extends RuncSubcommand {

    @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Unix socket that receives the pty master")
    Path consoleSocket;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory in the container")
    String cwd;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Add an environment variable")
    List<String> env = new ArrayList<>();

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal (needs --console-socket)")
    boolean tty;

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "User and group ids")
    String user;

    @Option(names = {"-g", "--additional-gids"}, paramLabel = "GID", description = "Add a supplementary group")
    List<Long> additionalGids = new ArrayList<>();

    @Option(names = {"-p", "--process"}, paramLabel = "FILE", description = "An OCI process.json; other process flags are ignored")
    Path process;

    @Option(names = {"-d", "--detach"}, description = "Return once the process runs")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process's pid here")
    Path pidFile;

    @Option(names = "--no-new-privs", description = "Set no_new_privs for the process")
    boolean noNewPrivs;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The program and its arguments")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        ProcessSpec p = process != null ? fromFile() : fromFlags(runtime().spec(id).process());
        Stdio stdio = p.wantsTerminal() && consoleSocket != null
                ? new Stdio.ConsoleSocket(consoleSocket.toAbsolutePath()) : Stdio.inherit();
        if (!p.wantsTerminal() && consoleSocket != null) {
            throw new InvalidConfigException("", "--console-socket", "given, but the process has no terminal (--tty)");
        }
        return runtime().exec(id, p, stdio, detach, pidFile);
    }

    private ProcessSpec fromFile() {
        var parsed = OciJson.readFile(process, ProcessSpec.class, false);
        parsed.warnings().forEach(w -> log().warn(process + ": " + w));
        return parsed.value();
    }

    /** runc's rule: the container's process, with these args, cwd, extra env, terminal, user and groups. */
    ProcessSpec fromFlags(ProcessSpec base) {
        if (args.isEmpty()) {
            throw new InvalidConfigException("", "ARGS", "exec needs the program to run");
        }
        User u = base.userOrRoot();
        if (user != null) {
            String[] parts = user.split(":", 2);
            try {
                long uid = Long.parseLong(parts[0]);
                long gid = parts.length > 1 ? Long.parseLong(parts[1]) : u.gid();
                u = new User(uid, gid, u.umask(), u.additionalGids(), null);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("", "--user", "must be UID or UID:GID in numbers: " + user);
            }
        }
        if (!additionalGids.isEmpty()) {
            List<Long> gids = new ArrayList<>(u.additionalGids());
            gids.addAll(additionalGids);
            u = new User(u.uid(), u.gid(), u.umask(), gids, u.username());
        }
        List<String> allEnv = new ArrayList<>(base.env());
        allEnv.addAll(env);
        return new ProcessSpec(tty, base.consoleSize(), u, args, allEnv, cwd != null ? cwd : base.cwd(),
                base.capabilities(), base.rlimits(), noNewPrivs || base.wantsNoNewPrivileges(),
                base.apparmorProfile(), base.oomScoreAdj(), base.selinuxLabel());
    }
}
