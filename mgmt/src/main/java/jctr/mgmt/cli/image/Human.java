package jctr.mgmt.cli.image;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;

/** Sizes and ages as the docker CLI prints them ({@code 4.26MB}, {@code 2 weeks ago}). */
final class Human {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private Human() {
    }

    /** Decimal units with {@code precision} significant digits: {@code 4.26MB}, {@code 980kB}, {@code 512B}. */
    static String size(long bytes, int precision) {
        double v = bytes;
        int unit = 0;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(precision)).stripTrailingZeros();
        return d.toPlainString() + UNITS[unit];
    }

    /** How long ago {@code then} was, in docker's words ({@code About an hour ago}, {@code 3 days ago}). */
    static String ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        long seconds = d.toSeconds();
        String text;
        if (seconds < 1) {
            text = "Less than a second";
        } else if (seconds == 1) {
            text = "1 second";
        } else if (seconds < 60) {
            text = seconds + " seconds";
        } else if (d.toMinutes() == 1) {
            text = "About a minute";
        } else if (d.toMinutes() < 60) {
            text = d.toMinutes() + " minutes";
        } else {
            long hours = Math.round(seconds / 3600.0);
            if (hours == 1) {
                text = "About an hour";
            } else if (hours < 48) {
                text = hours + " hours";
            } else if (hours < 24 * 7 * 2) {
                text = hours / 24 + " days";
            } else if (hours < 24 * 30 * 2) {
                text = hours / 24 / 7 + " weeks";
            } else if (hours < 24 * 365 * 2) {
                text = hours / 24 / 30 + " months";
            } else {
                text = hours / 24 / 365 + " years";
            }
        }
        return text + " ago";
    }
}
