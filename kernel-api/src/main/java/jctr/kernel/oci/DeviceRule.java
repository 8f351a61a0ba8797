package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One device cgroup rule.
 *
 * @param type {@code a} (all), {@code c} or {@code b}; null means all
 * @param major null means any
 * @param minor null means any
 * @param access any of {@code r}, {@code w}, {@code m}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
}
