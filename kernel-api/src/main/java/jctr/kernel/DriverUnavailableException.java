package jctr.kernel;

/**
 * No driver could be selected for an SPI: the configured name is unknown, its probe failed, or
 * auto-detection found none usable. The message lists every available driver and its probe result.
 */
public class DriverUnavailableException extends KernelException {

    private final String headline;

    /**
     * @param headline what went wrong, in one sentence
     * @param details the list of drivers and their probe results
     */
    public DriverUnavailableException(String headline, String details) {
        super(Category.UNSUPPORTED, headline + ". " + details);
        this.headline = headline;
    }

    /** What went wrong, without the list of drivers. */
    public String headline() {
        return headline;
    }
}
