package org.edgesbc.core.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A client of the SBC's admin API ({@code /admin/...} on the management listener, bearer token), for the CLI's
 * subcommands: each is a thin wrapper around one request. Query values and path segments are URL-encoded here.
 * Not tied to picocli; {@link AdminOptions} builds one from the command line.
 */
public final class AdminClient {
    /** How long a connection and an answer may take: the admin API waits at most a few seconds for the SBC. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The admin API's answer: the HTTP status and the (JSON) body. */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base the management listener, e.g. {@code http://127.0.0.1:9090}
     * @param token the admin bearer token ({@code management.token})
     */
    public AdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Sends one request to the admin API.
     *
     * @param method GET, POST or DELETE
     * @param path below {@code /admin/}, segments already joined with {@link #segment}
     * @param query parameters, in order; null values are left out
     * @throws IOException when the SBC cannot be reached or does not answer in time
     */
    public Answer send(String method, String path, Map<String, String> query) throws IOException,
            InterruptedException {
        StringBuilder target = new StringBuilder(base.toString().replaceAll("/+$", "")).append("/admin/").append(path);
        char separator = '?';
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            if (parameter.getValue() != null) {
                target.append(separator).append(encode(parameter.getKey())).append('=')
                        .append(encode(parameter.getValue()));
                separator = '&';
            }
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.toString())).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The JDK's messages are often empty (a refused connection): say what was tried.
            throw new IOException("cannot reach the admin API at " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        return new Answer(response.statusCode(), response.body());
    }

    /** One path segment, such as a Call-ID (which may hold {@code @}, {@code /} or {@code %}), URL-encoded. */
    public static String segment(String value) {
        return encode(value).replace("+", "%20");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
