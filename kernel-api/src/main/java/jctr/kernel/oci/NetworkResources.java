package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** v1 net_cls class id and net_prio priorities. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NetworkResources(Long classID, List<NetworkPriority> priorities) {
    public NetworkResources {
        priorities = OciCollections.list(priorities);
    }
}
