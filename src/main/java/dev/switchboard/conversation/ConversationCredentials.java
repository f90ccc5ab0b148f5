package dev.switchboard.conversation;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;

/**
 * What a conversation request carries beyond the caller's identity (which the security mechanisms read): the
 * visitor token that opens one conversation to a widget, and the browser's origin. The query parameter exists for
 * EventSource, which cannot set headers (a visitor token in a URL is scoped to one conversation).
 */
public class ConversationCredentials {

    @HeaderParam("X-Visitor-Token")
    String visitorTokenHeader;

    @QueryParam("visitor_token")
    String visitorTokenParam;

    @HeaderParam("Origin")
    String origin;

    /** Where the browser sent the request: an Origin with this authority is Switchboard's own page. */
    @HeaderParam("Host")
    String host;

    String visitorToken() {
        return visitorTokenHeader != null ? visitorTokenHeader : visitorTokenParam;
    }
}
