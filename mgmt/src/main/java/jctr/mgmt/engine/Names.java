package jctr.mgmt.engine;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Predicate;

/** Random container names in Docker's style, {@code adjective_name}, e.g. {@code brave_hopper}. */
final class Names {

    private static final List<String> ADJECTIVES = List.of("agile", "bold", "brave", "bright", "calm", "clever",
            "cool", "crisp", "eager", "epic", "fair", "fancy", "gentle", "happy", "hardy", "jolly", "keen", "kind",
            "lively", "lucid", "merry", "modest", "nimble", "noble", "patient", "plucky", "proud", "quick", "quiet",
            "rapid", "serene", "sharp", "sleek", "smart", "steady", "stoic", "sunny", "swift", "tender", "tidy",
            "upbeat", "vivid", "warm", "wise", "witty", "zen");
    private static final List<String> NAMES = List.of("allen", "babbage", "backus", "bell", "boole", "cerf",
            "codd", "curie", "dijkstra", "engelbart", "euler", "faraday", "fermi", "feynman", "gauss", "goldberg",
            "hamilton", "hopper", "kahn", "kay", "knuth", "lamport", "liskov", "lovelace", "maxwell", "mccarthy",
            "meitner", "milner", "newton", "noether", "pascal", "perlman", "ritchie", "shannon", "sutherland",
            "thompson", "torvalds", "turing", "wirth", "wozniak");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** A fresh name that {@code taken} does not reject (a digit is appended after many collisions). */
    static String generate(Predicate<String> taken) {
        for (int i = 0; ; i++) {
            String n = ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + NAMES.get(RANDOM.nextInt(NAMES.size()));
            if (i > 10) {
                n += RANDOM.nextInt(10);
            }
            if (!taken.test("/" + n)) {
                return n;
            }
        }
    }
}
