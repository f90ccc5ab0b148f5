package dev.switchboard.common.security;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.UUID;

/** The attributes the identity providers put on a {@link SecurityIdentity}, and typed reads of them. */
public final class Identities {

    /** The workspace an API key or site key belongs to. */
    public static final String WORKSPACE = "switchboard.workspace";
    /** The SHA-256 of the API key: its rate-limit bucket. */
    public static final String KEY_HASH = "switchboard.key-hash";
    /** The dashboard session (agent id, CSRF token). */
    public static final String SESSION = "switchboard.session";

    private Identities() {}

    public static UUID workspace(SecurityIdentity identity) {
        return identity.getAttribute(WORKSPACE);
    }

    public static String keyHash(SecurityIdentity identity) {
        return identity.getAttribute(KEY_HASH);
    }

    /**
     * The dashboard session, or null when the identity is not an agent's. Typed by the caller (a dashboard
     * AgentSession): common sits below dashboard and cannot name it.
     */
    public static <S> S session(SecurityIdentity identity) {
        return identity.getAttribute(SESSION);
    }
}
