package jctr.kernel.oci;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One setrlimit(2) call. Limits are uint64 in the spec: {@code 18446744073709551615} (RLIM_INFINITY) reads
 * as {@code -1L}; compare with {@link Long#compareUnsigned}.
 *
 * @param type {@code RLIMIT_NOFILE} and so on; see {@link RlimitType}
 */
public record Rlimit(
        String type,
        @JsonDeserialize(using = Uint64.Deserializer.class) @JsonSerialize(using = Uint64.Serializer.class) long hard,
        @JsonDeserialize(using = Uint64.Deserializer.class) @JsonSerialize(using = Uint64.Serializer.class) long soft) {

    /** RLIM_INFINITY. */
    public static final long INFINITY = -1L;
}
