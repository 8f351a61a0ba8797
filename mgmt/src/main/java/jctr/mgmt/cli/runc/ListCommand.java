package jctr.mgmt.cli.runc;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.runtime.ContainerInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code list}: every container as runc's table, ids only ({@code -q}) or JSON. */
@Command(name = "list", description = "List containers")
final class ListCommand extends RuncSubcommand {

    @Option(names = {"-f", "--format"}, paramLabel = "table|json", description = "Output format (default: table)")
    String format = "table";

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids")
    boolean quiet;

    @Override
    public Integer call() {
        List<ContainerInfo> all = runtime().list();
        if (quiet) {
            all.forEach(i -> out().println(i.state().id()));
        } else if (format.equals("json")) {
            // runc encodes an empty list as null
            out().println(all.isEmpty() ? "null" : RuncJson.compact(all.stream().map(RuncState::of).toList()));
        } else if (format.equals("table")) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"));
            for (ContainerInfo i : all) {
                var s = i.state();
                rows.add(List.of(s.id(), Integer.toString(s.pid()), s.status(), s.bundle(),
                        i.created() == null ? "" : i.created().toString(), i.owner()));
            }
            out().print(Table.format(rows));
        } else {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "invalid --format \"" + format + "\": use table or json");
        }
        out().flush();
        return 0;
    }
}
