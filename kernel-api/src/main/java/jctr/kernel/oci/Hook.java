package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One hook command.
 *
 * @param path absolute path of the executable (in the runtime namespace)
 * @param args argv including argv[0]
 * @param env environment as KEY=value
 * @param timeout seconds before the hook is killed and the operation fails; null = no timeout
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    public Hook {
        args = OciCollections.list(args);
        env = OciCollections.list(env);
    }
}
