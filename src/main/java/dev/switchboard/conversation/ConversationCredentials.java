package dev.switchboard.conversation;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * The credentials a conversation request may carry. Query parameters exist for EventSource, which cannot set
 * headers (site keys are public; a visitor token in a URL is scoped to one conversation).
 */
public class ConversationCredentials {

    @HeaderParam(HttpHeaders.AUTHORIZATION)
    String authorization;

    @HeaderParam("X-Site-Key")
    String siteKeyHeader;

    @QueryParam("site_key")
    String siteKeyParam;

    @HeaderParam("X-Visitor-Token")
    String visitorTokenHeader;

    @QueryParam("visitor_token")
    String visitorTokenParam;

    @HeaderParam("Origin")
    String origin;

    /** Where the browser sent the request: an Origin with this authority is Switchboard's own page. */
    @HeaderParam("Host")
    String host;

    String siteKey() {
        return siteKeyHeader != null ? siteKeyHeader : siteKeyParam;
    }

    String visitorToken() {
        return visitorTokenHeader != null ? visitorTokenHeader : visitorTokenParam;
    }
}
