package jctr.mgmt.cli.image;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.mgmt.cli.Cli;
import jctr.mgmt.cli.JctrCommand;
import picocli.CommandLine;

/** Runs {@code jctr} in-process with its data and state roots in a test directory, capturing the output. */
record CliRun(int exitCode, String out, String err) {

    static CliRun jctr(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--data-root", root.resolve("data").toString(),
                "--state-root", root.resolve("state").toString()));
        all.addAll(List.of(args));
        CommandLine cl = Cli.commandLine(new JctrCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(all.toArray(String[]::new));
        return new CliRun(rc, out.toString(), err.toString());
    }

    /** Standard output without the storage-driver note (present until a driver can run). */
    List<String> lines() {
        return out.lines().toList();
    }
}
