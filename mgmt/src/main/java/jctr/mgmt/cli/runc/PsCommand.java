package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jctr.kernel.KernelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ps ID [PS_ARGS]}: the host's {@code ps} output (default {@code -ef}) for the container's pids. */
@Command(name = "ps", description = "Show the container's processes (ps -ef, or the given ps options)")
final class PsCommand extends RuncSubcommand {

    @Option(names = {"-f", "--format"}, paramLabel = "table|json", description = "table (ps output) or json (pid list)")
    String format = "table";

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", paramLabel = "PS_ARGS", description = "Options for ps (default: -ef)")
    List<String> psArgs = new ArrayList<>();

    @Override
    public Integer call() {
        List<Integer> pids = runtime().ps(id);
        if (format.equals("json")) {
            out().println(RuncJson.compact(pids));
        } else if (format.equals("table")) {
            out().print(filter(runPs(), new HashSet<>(pids)));
        } else {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "invalid --format \"" + format + "\": use table or json");
        }
        out().flush();
        return 0;
    }

    private String runPs() {
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        cmd.addAll(psArgs.isEmpty() ? List.of("-ef") : psArgs);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new KernelException(KernelException.Category.INVALID_ARGUMENT, String.join(" ", cmd)
                        + " failed with status " + p.exitValue());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("running ps", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException(KernelException.Category.INTERNAL, "interrupted while running ps", e);
        }
    }

    /** The header and the lines whose PID column is one of {@code pids}. */
    static String filter(String psOutput, Set<Integer> pids) {
        List<String> lines = psOutput.lines().toList();
        if (lines.isEmpty()) {
            return "";
        }
        int column = Arrays.asList(lines.getFirst().trim().split("\\s+")).indexOf("PID");
        if (column < 0) {
            throw new KernelException(KernelException.Category.INVALID_ARGUMENT, "ps output has no PID column");
        }
        StringBuilder sb = new StringBuilder(lines.getFirst()).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > column && fields[column].matches("[0-9]+")
                    && pids.contains(Integer.parseInt(fields[column]))) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
