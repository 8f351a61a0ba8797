package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The five Linux capability sets, each a list of names such as {@code CAP_NET_BIND_SERVICE}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {

    public Capabilities {
        bounding = OciCollections.list(bounding);
        effective = OciCollections.list(effective);
        inheritable = OciCollections.list(inheritable);
        permitted = OciCollections.list(permitted);
        ambient = OciCollections.list(ambient);
    }

    /** The same list for all five sets (what {@code --privileged} and runc's defaults look like). */
    public static Capabilities allSets(List<String> caps) {
        return new Capabilities(caps, caps, caps, caps, caps);
    }
}
