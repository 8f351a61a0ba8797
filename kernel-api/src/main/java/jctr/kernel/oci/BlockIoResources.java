package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Block I/O weights (10..1000) and per-device throttles. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BlockIoResources(
        Integer weight,
        Integer leafWeight,
        List<WeightDevice> weightDevice,
        List<ThrottleDevice> throttleReadBpsDevice,
        List<ThrottleDevice> throttleWriteBpsDevice,
        List<ThrottleDevice> throttleReadIOPSDevice,
        List<ThrottleDevice> throttleWriteIOPSDevice) {

    public BlockIoResources {
        weightDevice = OciCollections.list(weightDevice);
        throttleReadBpsDevice = OciCollections.list(throttleReadBpsDevice);
        throttleWriteBpsDevice = OciCollections.list(throttleWriteBpsDevice);
        throttleReadIOPSDevice = OciCollections.list(throttleReadIOPSDevice);
        throttleWriteIOPSDevice = OciCollections.list(throttleWriteIOPSDevice);
    }
}
