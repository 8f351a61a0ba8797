package jctr.mgmt.engine;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * A container's configuration in the Docker Engine API's {@code Config} shape: what to run (from the image,
 * overridden by the request) and how its streams are used. Fields jctr does not use are not kept.
 * Entrypoint and Cmd accept a single string as well as a list, as Docker does.
 */
public record ContainerConfig(
        String hostname,
        String domainname,
        String user,
        Boolean attachStdin,
        Boolean attachStdout,
        Boolean attachStderr,
        Map<String, Object> exposedPorts,
        Boolean tty,
        Boolean openStdin,
        Boolean stdinOnce,
        List<String> env,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
        String image,
        Map<String, Object> volumes,
        String workingDir,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> entrypoint,
        Map<String, String> labels,
        String stopSignal,
        Integer stopTimeout) {

    public boolean ttyEnabled() {
        return Boolean.TRUE.equals(tty);
    }

    public boolean openStdinEnabled() {
        return Boolean.TRUE.equals(openStdin);
    }

    public boolean stdinOnceEnabled() {
        return Boolean.TRUE.equals(stdinOnce);
    }

    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }

    public List<String> envOrEmpty() {
        return env == null ? List.of() : env;
    }

    /** A copy with the values the engine filled in (resolved env, command, working directory, hostname). */
    ContainerConfig resolved(String host, List<String> resolvedEnv, List<String> resolvedCmd, List<String> resolvedEntrypoint,
                             String resolvedWorkingDir, Map<String, String> resolvedLabels, String resolvedUser,
                             String resolvedStopSignal) {
        return new ContainerConfig(host, domainname == null ? "" : domainname, resolvedUser, bool(attachStdin),
                bool(attachStdout), bool(attachStderr), exposedPorts, ttyEnabled(), openStdinEnabled(), stdinOnceEnabled(),
                resolvedEnv, resolvedCmd, image, volumes, resolvedWorkingDir, resolvedEntrypoint, resolvedLabels,
                resolvedStopSignal, stopTimeout);
    }

    private static boolean bool(Boolean b) {
        return Boolean.TRUE.equals(b);
    }
}
