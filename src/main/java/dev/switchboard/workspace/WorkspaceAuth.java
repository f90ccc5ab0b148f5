package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.protection.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.UUID;

/** Resolves workspace credentials: an API key (Authorization: Bearer) or a site key (X-Site-Key). */
@ApplicationScoped
public class WorkspaceAuth {

    @Inject
    WorkspaceService workspaces;

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
     * An API key when one is sent, else a site key; a site-key caller from a browser origin the workspace does not
     * allow gets a 403.
     */
    public Caller require(String authorization, String siteKey, String origin) {
        if (authorization != null) {
            return new Caller(requireApiKey(authorization), true);
        }
        if (siteKey == null || siteKey.isBlank()) {
            throw ApiException.unauthorized(
                    "Send a site key (X-Site-Key header or site_key parameter) or Authorization: Bearer <API key>");
        }
        Workspace workspace = Workspace.findBySiteKey(siteKey.strip())
                .orElseThrow(() -> ApiException.unauthorized("The site key is not valid"));
        if (origin != null && workspace.allowedOrigins.length > 0
                && Arrays.stream(workspace.allowedOrigins).noneMatch(origin::equalsIgnoreCase)) {
            throw ApiException.forbidden("Origin '" + origin + "' is not an allowed widget origin of this workspace");
        }
        return new Caller(workspace.id, false);
    }
}
