package jctr.kernel;

import java.util.Objects;

/**
 * A configuration document (an OCI config.json, the engine configuration, an image config, a request
 * body) is malformed or holds an invalid value. {@link #field()} names the offending field as a path
 * such as {@code process.args[0]} or {@code linux.namespaces[2].type}, so that the message can point
 * the user at the exact place to fix.
 */
public class InvalidConfigException extends KernelException {

    private final String source;
    private final String field;

    /**
     * @param source what was being read, e.g. {@code /bundle/config.json}; may be empty
     * @param field the path of the bad field within the document, e.g. {@code mounts[3].destination};
     *              empty when the document as a whole is bad
     * @param problem what is wrong, e.g. {@code must be an absolute path}
     */
    public InvalidConfigException(String source, String field, String problem) {
        this(source, field, problem, null);
    }

    public InvalidConfigException(String source, String field, String problem, Throwable cause) {
        super(Category.INVALID_ARGUMENT, format(source, field, problem), cause);
        this.source = Objects.requireNonNullElse(source, "");
        this.field = Objects.requireNonNullElse(field, "");
    }

    private static String format(String source, String field, String problem) {
        StringBuilder sb = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            sb.append(source).append(": ");
        }
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The document that was being read; empty if not known. */
    public String source() {
        return source;
    }

    /** The path of the offending field, e.g. {@code process.user.uid}; empty for the whole document. */
    public String field() {
        return field;
    }
}
