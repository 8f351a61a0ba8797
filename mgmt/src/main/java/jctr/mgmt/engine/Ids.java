package jctr.mgmt.engine;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers in Docker's form: 64 lower-case hex digits (256 bits). */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A fresh 64-hex id. */
    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The 12-digit short form Docker prints. */
    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
