package dev.switchboard.conversation;

import dev.switchboard.common.Ids;
import dev.switchboard.workspace.Caller;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Turns a request's credentials into a caller, and a conversation id into a conversation that caller may see. */
@ApplicationScoped
class ConversationAccess {

    @Inject
    WorkspaceAuth auth;

    @Inject
    ConversationService conversations;

    Caller caller(ConversationCredentials credentials) {
        return auth.caller(credentials.origin, credentials.host);
    }

    Conversation accessible(ConversationCredentials credentials, String id) {
        return accessible(caller(credentials), credentials, id);
    }

    /** For a request that needs the caller too: its credentials are checked (and API-key requests counted) once. */
    Conversation accessible(Caller caller, ConversationCredentials credentials, String id) {
        return conversations.requireAccessible(caller, Ids.parse(id, "conversation"), credentials.visitorToken());
    }
}
