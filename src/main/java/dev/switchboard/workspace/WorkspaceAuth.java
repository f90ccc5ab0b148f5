package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.protection.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.UUID;

/** Resolves workspace credentials: an API key (Authorization: Bearer) or a site key (X-Site-Key). */
@ApplicationScoped
public class WorkspaceAuth {

    @Inject
    WorkspaceService workspaces;

    @Inject
    WidgetCors cors;

    @Inject
    RateLimiter rateLimiter;

    /** The workspace of a valid API key, or a 401 problem; a 429 when the key is over its request limit. */
    public UUID requireApiKey(String authorization) {
        String key = Secrets.bearerToken(authorization);
        if (key == null) {
            throw ApiException.unauthorized("This endpoint needs a workspace API key: Authorization: Bearer <API key>");
        }
        UUID workspaceId = workspaces.workspaceOfApiKey(key)
                .orElseThrow(() -> ApiException.unauthorized("The API key is not valid (unknown or rotated)"));
        rateLimiter.apiRequest(workspaceId, Secrets.sha256Hex(key));
        return workspaceId;
    }

    /**
     * An API key when one is sent, else a site key. A site-key caller from a browser (an Origin header) must come
     * from one of the workspace's allowed origins or from Switchboard's own pages (same origin, e.g. the demo page),
     * else 403: an empty list therefore keeps the widget off every other site until the business names its own,
     * since a site key is public and anyone could otherwise put a workspace's bot on their pages. Callers without an
     * Origin (servers, curl) are not browsers and are not limited.
     *
     * @param host the request's Host header, which the browser sets to Switchboard's own authority
     */
    public Caller require(String authorization, String siteKey, String origin, String host) {
        if (authorization != null) {
            return new Caller(requireApiKey(authorization), true);
        }
        if (siteKey == null || siteKey.isBlank()) {
            throw ApiException.unauthorized(
                    "Send a site key (X-Site-Key header or site_key parameter) or Authorization: Bearer <API key>");
        }
        Workspace workspace = Workspace.findBySiteKey(siteKey.strip())
                .orElseThrow(() -> ApiException.unauthorized("The site key is not valid"));
        if (origin != null) {
            if (!sameOrigin(origin, host)
                    && Arrays.stream(workspace.allowedOrigins).noneMatch(origin::equalsIgnoreCase)) {
                // Which origins are allowed is not said: the list may name hosts (staging) the owner keeps private.
                throw ApiException.forbidden("Origin '" + origin + "' is not an allowed widget origin of this "
                        + "workspace; its owner can add it to the workspace's allowedOrigins");
            }
            cors.accept(origin);
        }
        return new Caller(workspace.id, false);
    }

    /** Whether a browser origin is Switchboard's own (its host[:port] is the Host the browser sent the request to). */
    static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin);
            return uri.getHost() != null
                    && (uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")).equalsIgnoreCase(host.strip());
        } catch (URISyntaxException e) {
            return false; // e.g. "null" from sandboxed frames and file: pages
        }
    }
}
