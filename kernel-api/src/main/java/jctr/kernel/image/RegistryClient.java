package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.OciJson;

/**
 * A client of one registry's distribution API v2 ({@code /v2/}): manifests with media-type negotiation,
 * blobs with digest verification and resumable downloads, and the registry's authentication
 * (a {@code WWW-Authenticate: Bearer realm=..,service=..,scope=..} challenge answered with a token from the
 * realm, or {@code Basic}). Thread-safe: one client serves the parallel layer downloads of a pull.
 *
 * <p>Transport: plain HTTP only for loopback registries ({@code localhost}, 127.0.0.0/8, {@code ::1}) and
 * those configured as insecure; HTTPS with the JDK's default trust store otherwise. Docker Hub
 * ({@code docker.io}) is reached at {@code registry-1.docker.io}.
 */
public final class RegistryClient {

    /** Manifests larger than this are refused (Docker's limit). */
    static final int MANIFEST_LIMIT = 4 << 20;
    private static final int MAX_REDIRECTS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** In-process exclusion per partial download file; flock on the file excludes other processes. */
    private static final Map<Path, ReentrantLock> DOWNLOADS = new ConcurrentHashMap<>();
    /** Interrupts downloads whose connection went silent (java.net.http has no read timeout for bodies). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jctr-registry-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final String domain;
    private final URI base;
    private final HttpClient http;
    private final Optional<RegistryCredentials.Credentials> credentials;
    /** Authorization header per scope (bearer tokens), or under "" for Basic. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private final int retries;
    private final Duration stallTimeout;
    private final List<String> insecure;

    /**
     * @param domain the registry as a reference names it, e.g. {@code localhost:5000} or {@code docker.io}
     * @param insecure registries ({@code host[:port]}) to reach over plain HTTP
     * @param retries how often a failed blob download is resumed before giving up
     * @param stallTimeout a blob download that receives nothing for this long counts as broken (and is resumed)
     */
    public RegistryClient(String domain, List<String> insecure, RegistryCredentials credentials, int retries,
                          Duration stallTimeout) {
        this.domain = domain;
        String host = domain.equals(Reference.DOCKER_HUB) ? "registry-1.docker.io" : domain;
        this.base = URI.create((plainHttp(domain, insecure) ? "http://" : "https://") + host);
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (base.getScheme().equals("http")) {
            b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade attempts on plain connections
        }
        this.http = b.build();
        this.credentials = credentials.forRegistry(domain);
        this.retries = retries;
        this.stallTimeout = stallTimeout;
        this.insecure = List.copyOf(insecure);
    }

    /** Whether {@code domain} is reached over plain HTTP: loopback, or listed in {@code insecure}. */
    static boolean plainHttp(String domain, List<String> insecure) {
        String host = domain;
        if (host.startsWith("[")) {
            host = host.substring(1, host.indexOf(']'));
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        boolean loopback = host.equals("localhost") || host.equals("::1")
                || host.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
        return loopback || insecure.contains(domain) || insecure.contains(host);
    }

    /** The base URI requests go to, e.g. {@code http://127.0.0.1:5000}. */
    public URI baseUri() {
        return base;
    }

    /**
     * A manifest or index as the registry returned it.
     *
     * @param body the exact bytes (their digest names the manifest)
     * @param mediaType from the Content-Type, or the document itself
     * @param digest the digest of {@code body}
     */
    public record Manifest(byte[] body, String mediaType, Digest digest) {
    }

    /**
     * {@code GET /v2/}: checks that the host is a registry speaking the v2 API (authenticating if it asks to,
     * which also fetches the token the following requests use).
     *
     * @throws RegistryException naming the registry when it is unreachable or answers something else
     */
    public void ping(String repository) {
        HttpResponse<InputStream> r = send(repository, "/v2/", null, "GET /v2/");
        close(r);
        if (r.statusCode() != 200) {
            throw new RegistryException(r.statusCode(), where(repository) + ": " + base + " does not speak the registry "
                    + "API v2 (GET /v2/ answered " + r.statusCode() + ")");
        }
    }

    /**
     * Fetches a manifest by tag or digest, accepting OCI indexes and manifests and Docker manifest lists
     * and schema 2 manifests. The content is verified: against the digest asked for, or against the
     * registry's {@code Docker-Content-Digest}.
     *
     * @throws RegistryException 404 with "manifest unknown" when the tag or digest does not exist
     * @throws DigestMismatchException when the content does not match
     */
    public Manifest manifest(String repository, String tagOrDigest) {
        String what = "manifest " + tagOrDigest;
        HttpResponse<InputStream> r = send(repository, "/v2/" + repository + "/manifests/" + tagOrDigest,
                Map.of("Accept", MediaTypes.MANIFEST_ACCEPT), what);
        byte[] body;
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw error(r.statusCode(), repository, what, in.readNBytes(64 * 1024));
            }
            body = in.readNBytes(MANIFEST_LIMIT + 1);
        } catch (IOException e) {
            throw unreachable(repository, what, e);
        }
        if (body.length > MANIFEST_LIMIT) {
            throw new ResourceLimitException(where(repository) + ": " + what + " is larger than " + MANIFEST_LIMIT + " bytes");
        }
        String source = where(repository) + ": " + what;
        Digest asked = tagOrDigest.contains(":") ? Digest.parse(tagOrDigest) : null;
        Digest expected = asked != null ? asked
                : r.headers().firstValue("Docker-Content-Digest").map(Digest::parse).orElse(null);
        Digest actual = Digest.of(expected != null ? expected.algorithm() : "sha256", body);
        if (expected != null && !actual.equals(expected)) {
            throw new DigestMismatchException(source, expected, actual);
        }
        String mediaType = ImageJson.mediaTypeOf(source, body, r.headers().firstValue("Content-Type").orElse(null));
        return new Manifest(body, mediaType, actual);
    }

    /** Fetches a small blob (a config) into memory, verified. */
    public byte[] smallBlob(String repository, Descriptor d, int limit) {
        if (d.size() > limit) {
            throw new ResourceLimitException(where(repository) + ": blob " + d.digest() + " is larger than " + limit + " bytes");
        }
        String what = "blob " + d.digest();
        HttpResponse<InputStream> r = get(repository, "/v2/" + repository + "/blobs/" + d.digest(), Map.of(), what);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw error(r.statusCode(), repository, what, in.readNBytes(64 * 1024));
            }
            VerifyingInputStream v = new VerifyingInputStream(in, d.digest(), d.size(), where(repository) + ": " + what);
            return v.readAllBytes();
        } catch (IOException e) {
            throw unreachable(repository, what, e);
        }
    }

    /** What a blob download reports. */
    public interface DownloadListener {
        /** {@code current} of {@code total} bytes are in the partial file. */
        void progress(long current, long total);

        /** The download is complete and its digest is being checked. */
        void verifying();

        /** A connection broke at {@code offset}; the download continues from there with a Range request. */
        void resuming(long offset, Exception cause);
    }

    /**
     * Downloads blob {@code d} into {@code store}. The bytes accumulate in the store's partial file for the
     * digest; when a connection breaks, the download resumes from the partial file's size with a
     * {@code Range} request (up to the client's retry count; a later pull resumes too). The whole content
     * is verified at the end; a mismatch removes the partial file and throws.
     *
     * @param cancelled polled while reading; when true the download stops (keeping the partial file)
     * @throws DigestMismatchException if the content does not match {@code d}
     * @throws RegistryException if the registry refuses or the retries are used up
     */
    public void download(String repository, Descriptor d, BlobStore store, DownloadListener listener,
                         BooleanSupplier cancelled) {
        Path partial = store.partialFile(d.digest());
        String what = "blob " + d.digest();
        ReentrantLock local = DOWNLOADS.computeIfAbsent(partial, p -> new ReentrantLock());
        local.lock();
        try (StoreLock _ = StoreLock.exclusive(partial.resolveSibling(partial.getFileName() + ".lock"))) {
            if (store.has(d.digest())) {
                return; // another pull stored it meanwhile
            }
            PartialDownload download = new PartialDownload(partial, d.digest());
            int failures = 0;
            while (!fetchInto(repository, d, download, listener, cancelled)) {
                failures++;
                if (failures > retries) {
                    throw new RegistryException(0, where(repository) + ": " + what + ": download failed " + failures
                            + " times; the partial download is kept and the next pull resumes it");
                }
            }
            listener.verifying();
            store.commitHashed(partial, download.digest(), d.digest(), d.size(), where(repository) + ": " + what);
        } catch (IOException e) {
            throw new UncheckedIOException("storing " + what, e);
        } finally {
            local.unlock();
        }
    }

    /** One attempt; true when the partial file is complete, false when the connection broke (resumable). */
    private boolean fetchInto(String repository, Descriptor d, PartialDownload partial, DownloadListener listener,
                              BooleanSupplier cancelled) {
        String what = "blob " + d.digest();
        long offset = partial.size();
        if (offset > d.size()) {
            partial.restart();
            offset = 0;
        }
        if (offset == d.size() && offset > 0) {
            return true;
        }
        Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        HttpResponse<InputStream> r;
        try {
            r = get(repository, "/v2/" + repository + "/blobs/" + d.digest(), headers, what);
        } catch (RegistryException e) {
            if (e.status() == 0 && e.getCause() instanceof IOException io) {
                listener.resuming(offset, io);
                return false;
            }
            throw e;
        }
        try (InputStream in = r.body()) {
            switch (r.statusCode()) {
                case 200 -> partial.restart(); // the whole blob, whatever was asked
                case 206 -> {
                    Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                    if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                        partial.restart(); // a range we did not ask for: start over
                        return false;
                    }
                }
                case 416 -> {
                    partial.restart();
                    return false;
                }
                default -> throw error(r.statusCode(), repository, what, in.readNBytes(64 * 1024));
            }
            long have = partial.size();
            boolean oversized = false;
            StallGuard guard = new StallGuard(stallTimeout);
            try (FileChannel out = partial.openForAppend()) {
                byte[] buf = new byte[64 * 1024];
                listener.progress(have, d.size());
                int n;
                while ((n = in.read(buf)) >= 0) {
                    guard.progress();
                    if (cancelled.getAsBoolean()) {
                        throw new RegistryException(0, where(repository) + ": " + what + ": download cancelled");
                    }
                    if (have + n > d.size()) {
                        oversized = true;
                        break;
                    }
                    partial.append(out, buf, n);
                    have += n;
                    listener.progress(have, d.size());
                }
            } catch (IOException e) {
                if (guard.stop()) {
                    throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
                }
                throw e;
            } finally {
                guard.stop();
            }
            if (oversized) {
                partial.restart();
                throw new ResourceLimitException(where(repository) + ": " + what
                        + ": the registry sent more than the " + d.size() + " bytes its descriptor declares");
            }
            if (have < d.size()) {
                listener.resuming(have, new IOException("connection ended at " + have + " of " + d.size() + " bytes"));
                return false;
            }
            return true;
        } catch (IOException e) {
            listener.resuming(partial.size(), e);
            return false;
        }
    }

    /** A GET that follows redirects (sending credentials only to the registry itself), with authentication. */
    private HttpResponse<InputStream> get(String repository, String path, Map<String, String> headers, String what) {
        HttpResponse<InputStream> r = send(repository, path, headers, what);
        URI current = base.resolve(path);
        int redirects = 0;
        while (isRedirect(r.statusCode())) {
            close(r);
            int status = r.statusCode();
            if (++redirects > MAX_REDIRECTS) {
                throw new RegistryException(status, where(repository) + ": " + what + ": too many redirects");
            }
            URI next = current.resolve(r.headers().firstValue("Location").orElseThrow(() -> new RegistryException(status,
                    where(repository) + ": " + what + ": redirect without Location")));
            if (!next.getScheme().equals("https") && !(next.getScheme().equals("http") && base.getScheme().equals("http"))) {
                throw new RegistryException(status, where(repository) + ": " + what + ": refusing redirect to " + next);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(next).GET().timeout(Duration.ofMinutes(10));
            headers.forEach(b::header);
            String auth = authorizations.getOrDefault(scope(repository), authorizations.get(""));
            if (auth != null && next.getAuthority().equals(base.getAuthority())) {
                b.header("Authorization", auth);
            }
            r = exchange(b.build(), repository, what);
            current = next;
        }
        return r;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Sends a GET to the registry, authenticating as challenged: on a 401 it answers the challenge
     * (token from the realm, or Basic credentials) and retries once.
     */
    private HttpResponse<InputStream> send(String repository, String path, Map<String, String> headers, String what) {
        String scope = scope(repository);
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET().timeout(Duration.ofMinutes(10));
            if (headers != null) {
                headers.forEach(b::header);
            }
            String auth = authorizations.getOrDefault(scope, authorizations.get(""));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> r = exchange(b.build(), repository, what);
            if (r.statusCode() != 401 || attempt > 0) {
                if (r.statusCode() == 401) {
                    byte[] body = readQuietly(r);
                    throw new RegistryException(401, where(repository) + ": " + what + ": 401 unauthorized"
                            + (credentials.isEmpty() ? " (no credentials for " + domain + ": add them to ~/.docker/config.json"
                            + " or pass --creds)" : " with the given credentials") + registryErrors(body));
                }
                return r;
            }
            HttpHeaders h = r.headers();
            close(r);
            AuthChallenge challenge = AuthChallenge.from(h).orElseThrow(() -> new RegistryException(401,
                    where(repository) + ": " + what + ": 401 unauthorized without a usable WWW-Authenticate challenge"));
            authenticate(challenge, repository, scope);
        }
    }

    private void authenticate(AuthChallenge challenge, String repository, String scope) {
        if (challenge.scheme().equals("basic")) {
            RegistryCredentials.Credentials c = credentials.orElseThrow(() -> new RegistryException(401,
                    where(repository) + ": the registry asks for a user name and password (Basic); none configured for "
                            + domain + ": add them to ~/.docker/config.json or pass --creds"));
            authorizations.put("", c.basicHeader());
            return;
        }
        String realm = challenge.params().get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException(401, where(repository) + ": Bearer challenge without a realm");
        }
        URI realmUri = URI.create(realm);
        boolean realmPlain = "http".equals(realmUri.getScheme());
        if (!realmPlain && !"https".equals(realmUri.getScheme())
                || realmPlain && base.getScheme().equals("https") && !plainHttp(realmUri.getAuthority(), insecure)) {
            throw new RegistryException(401, where(repository) + ": refusing token realm " + realm
                    + ": a registry reached over HTTPS must use an HTTPS realm");
        }
        StringBuilder q = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        String challengeScope = challenge.params().get("scope");
        String wanted = challengeScope != null && !challengeScope.isEmpty() ? challengeScope : scope;
        q.append(q.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(wanted, StandardCharsets.UTF_8));
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        HttpRequest.Builder b = HttpRequest.newBuilder(tokenUri).GET().timeout(Duration.ofMinutes(1));
        credentials.ifPresent(c -> b.header("Authorization", c.basicHeader()));
        HttpResponse<InputStream> r = exchange(b.build(), repository, "token from " + realm);
        byte[] body = readQuietly(r);
        if (r.statusCode() != 200) {
            throw new RegistryException(401, where(repository) + ": getting a token from " + realm + " failed: "
                    + r.statusCode() + (credentials.isEmpty() ? " (no credentials configured for " + domain + ")" : "")
                    + registryErrors(body));
        }
        String token;
        try {
            JsonNode n = OciJson.mapper().readTree(body);
            JsonNode t = n.hasNonNull("token") ? n.get("token") : n.get("access_token");
            if (t == null || !t.isTextual() || t.asText().isEmpty()) {
                throw new RegistryException(401, where(repository) + ": the token response from " + realm + " has no token");
            }
            token = t.asText();
        } catch (IOException e) {
            throw new RegistryException(401, where(repository) + ": the token response from " + realm + " is not JSON", e);
        }
        authorizations.put(scope, "Bearer " + token);
    }

    private static String scope(String repository) {
        return "repository:" + repository + ":pull";
    }

    private HttpResponse<InputStream> exchange(HttpRequest request, String repository, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new RegistryException(0, where(repository) + ": " + what + ": cannot connect to " + base
                    + " (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")", e);
        } catch (HttpTimeoutException e) {
            throw new RegistryException(0, where(repository) + ": " + what + ": timed out talking to " + base, e);
        } catch (IOException e) {
            throw new RegistryException(0, where(repository) + ": " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(0, where(repository) + ": " + what + ": interrupted", e);
        }
    }

    private static byte[] readQuietly(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing to do: the connection is discarded
        }
    }

    private String where(String repository) {
        return domain + "/" + repository;
    }

    private RegistryException unreachable(String repository, String what, IOException e) {
        return new RegistryException(0, where(repository) + ": " + what + ": " + e, e);
    }

    private RegistryException error(int status, String repository, String what, byte[] body) {
        String reason = switch (status) {
            case 404 -> "not found";
            case 401 -> "unauthorized";
            case 403 -> "denied";
            case 429 -> "too many requests";
            default -> "HTTP " + status;
        };
        return new RegistryException(status, where(repository) + ": " + what + ": " + status + " " + reason
                + registryErrors(body));
    }

    /** The registry's error codes and messages ({@code {"errors":[{"code":..,"message":..}]}}), if any. */
    private static String registryErrors(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            JsonNode n = OciJson.mapper().readTree(body);
            JsonNode errors = n == null ? null : n.get("errors");
            if (errors == null || !errors.isArray() || errors.isEmpty()) {
                return "";
            }
            StringBuilder sb = new StringBuilder(" (");
            for (JsonNode e : errors) {
                if (sb.length() > 2) {
                    sb.append("; ");
                }
                sb.append(e.path("code").asText("").toLowerCase(Locale.ROOT).replace('_', ' '));
                String msg = e.path("message").asText("");
                if (!msg.isEmpty() && !msg.equalsIgnoreCase(e.path("code").asText("").replace('_', ' '))) {
                    sb.append(": ").append(msg);
                }
            }
            return sb.append(')').toString();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Interrupts the reading thread when no data arrived for the timeout; the interrupt makes the blocked
     * read fail with an IOException, which the download treats as a broken connection and resumes.
     */
    private static final class StallGuard {
        private final Thread reader = Thread.currentThread();
        private final long limit;
        private final ScheduledFuture<?> task;
        private volatile long last = System.nanoTime();
        private boolean active = true;
        private boolean fired;

        StallGuard(Duration timeout) {
            this.limit = timeout.toNanos();
            long period = Math.max(50, timeout.toMillis() / 4);
            this.task = WATCHDOG.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progress() {
            last = System.nanoTime();
        }

        private synchronized void check() {
            if (active && System.nanoTime() - last > limit) {
                fired = true;
                reader.interrupt();
            }
        }

        /** Stops watching (idempotent, called by the reader); true if it interrupted the reader, whose flag is cleared. */
        synchronized boolean stop() {
            active = false;
            task.cancel(false);
            if (fired) {
                Thread.interrupted();
            }
            return fired;
        }
    }
}
