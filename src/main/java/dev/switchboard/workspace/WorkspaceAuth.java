package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.security.Identities;
import dev.switchboard.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import dev.switchboard.protection.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.UUID;

/**
 * The workspace of the request's identity (an API key or a site key, authenticated by dev.switchboard.security),
 * with the checks that depend on the request: the API key's rate limit and the widget's allowed origins.
 */
@ApplicationScoped
public class WorkspaceAuth {

    @Inject
    WorkspaceService workspaces;

    @Inject
    WidgetCors cors;

    @Inject
    RateLimiter rateLimiter;

    @Inject
    SecurityIdentity identity;

    /** The workspace of the API key (the endpoint allows Roles.API only); a 429 when the key is over its limit. */
    public UUID apiWorkspace() {
        UUID workspaceId = Identities.workspace(identity);
        rateLimiter.apiRequest(workspaceId, Identities.keyHash(identity));
        return workspaceId;
    }

    /**
     * The API key's or the site key's caller. A site-key caller from a browser (an Origin header) must come
     * from one of the workspace's allowed origins or from Switchboard's own pages (same origin, e.g. the demo page),
     * else 403: an empty list therefore keeps the widget off every other site until the business names its own,
     * since a site key is public and anyone could otherwise put a workspace's bot on their pages. Callers without an
     * Origin (servers, curl) are not browsers and are not limited.
     *
     * @param host the request's Host header, which the browser sets to Switchboard's own authority
     */
    public Caller caller(String origin, String host) {
        if (identity.hasRole(Roles.API)) {
            return new Caller(apiWorkspace(), true);
        }
        Workspace workspace = workspaces.get(Identities.workspace(identity));
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
