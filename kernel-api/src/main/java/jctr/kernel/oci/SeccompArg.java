package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A seccomp argument condition.
 *
 * @param index argument number 0..5
 * @param op {@code SCMP_CMP_NE}, {@code SCMP_CMP_LT}, {@code SCMP_CMP_LE}, {@code SCMP_CMP_EQ},
 *           {@code SCMP_CMP_GE}, {@code SCMP_CMP_GT}, {@code SCMP_CMP_MASKED_EQ}
 * @param value the compared value, uint64 (its 64 bits in a long)
 * @param valueTwo the compared value for MASKED_EQ ({@code (arg & value) == valueTwo})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeccompArg(
        int index,
        @JsonDeserialize(using = Uint64.Deserializer.class) @JsonSerialize(using = Uint64.Serializer.class) long value,
        @JsonDeserialize(using = Uint64.Deserializer.class) @JsonSerialize(using = Uint64.Serializer.class) Long valueTwo,
        String op) {
}
