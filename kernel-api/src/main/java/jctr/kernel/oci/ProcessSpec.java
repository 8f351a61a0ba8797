package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code process} object: the program to run and the security context it runs in.
 *
 * @param terminal whether to allocate a pseudo-terminal for the process (null = false)
 * @param consoleSize initial console size when {@code terminal}
 * @param user uid, gid and supplementary groups inside the container
 * @param args argv; {@code args[0]} is looked up in the container's PATH when it has no slash
 * @param env environment as {@code KEY=value} strings
 * @param cwd absolute working directory inside the container
 * @param capabilities the five capability sets; null means none
 * @param rlimits resource limits applied with setrlimit
 * @param noNewPrivileges sets PR_SET_NO_NEW_PRIVS when true
 * @param apparmorProfile AppArmor profile name (recorded; jctr does not load AppArmor profiles)
 * @param oomScoreAdj written to /proc/self/oom_score_adj
 * @param selinuxLabel SELinux label (recorded; jctr does not apply SELinux labels)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProcessSpec(
        Boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        Boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        String selinuxLabel) {

    public ProcessSpec {
        args = OciCollections.list(args);
        env = OciCollections.list(env);
        rlimits = OciCollections.list(rlimits);
    }

    /** Whether a terminal is requested. */
    public boolean wantsTerminal() {
        return Boolean.TRUE.equals(terminal);
    }

    /** Whether no_new_privs is requested. */
    public boolean wantsNoNewPrivileges() {
        return Boolean.TRUE.equals(noNewPrivileges);
    }

    /** The user, or root (0:0) when absent. */
    public User userOrRoot() {
        return user != null ? user : new User(0, 0, null, null, null);
    }

    /** A copy with other arguments. */
    public ProcessSpec withArgs(List<String> newArgs) {
        return new ProcessSpec(terminal, consoleSize, user, newArgs, env, cwd, capabilities, rlimits,
                noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel);
    }

    /** A copy with another environment. */
    public ProcessSpec withEnv(List<String> newEnv) {
        return new ProcessSpec(terminal, consoleSize, user, args, newEnv, cwd, capabilities, rlimits,
                noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel);
    }

    /** A copy with the terminal flag set as given. */
    public ProcessSpec withTerminal(boolean tty) {
        return new ProcessSpec(tty, consoleSize, user, args, env, cwd, capabilities, rlimits,
                noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel);
    }
}
