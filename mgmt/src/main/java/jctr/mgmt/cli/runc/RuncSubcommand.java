package jctr.mgmt.cli.runc;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import jctr.kernel.runtime.ContainerRuntime;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

/** What every {@code jctr-runc} command shares: the global flags, the runtime, the output stream. */
abstract class RuncSubcommand implements Callable<Integer> {

    @ParentCommand
    RuncCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    ContainerRuntime runtime() {
        return parent.runtime();
    }

    RuncLog log() {
        return parent.log();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
