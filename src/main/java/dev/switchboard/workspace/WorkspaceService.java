package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.ShortLivedCache;
import dev.switchboard.common.Times;
import dev.switchboard.common.Validation;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class WorkspaceService {

    static final int MAX_NAME = 200;
    static final int MAX_ORIGINS = 50;

    /** How long this replica trusts an API key it checked without asking the database again. */
    static final Duration API_KEY_CHECK_KEPT = Duration.ofSeconds(5);

    @Inject
    Clock clock;

    @Inject
    TransactionSynchronizationRegistry transactions;

    /** Active API keys' workspaces by key hash: every API request is authenticated by one. */
    private ShortLivedCache<String, UUID> apiKeys;

    @PostConstruct
    void init() {
        apiKeys = new ShortLivedCache<>(clock, API_KEY_CHECK_KEPT, 10_000);
    }

    /** A new workspace with its first API key, in plain text for the one response that shows it. */
    public record Created(Workspace workspace, String apiKey) {}

    @Transactional
    public Created create(String name, List<String> allowedOrigins) {
        return create(UUID.randomUUID(), name, allowedOrigins);
    }

    /** Creates a workspace with a chosen id (the demo workspace has a fixed one). */
    @Transactional
    public Created create(UUID id, String name, List<String> allowedOrigins) {
        Workspace workspace = new Workspace();
        workspace.id = id;
        workspace.name = Validation.requireText(name, "name", MAX_NAME).strip();
        workspace.siteKey = Secrets.newToken("sk_");
        workspace.allowedOrigins = normaliseOrigins(allowedOrigins == null ? List.of() : allowedOrigins);
        workspace.createdAt = Times.now(clock);
        workspace.persist();
        return new Created(workspace, issueApiKey(id));
    }

    public List<Workspace> list() {
        return Workspace.list("order by createdAt, id");
    }

    /** All workspaces by name (for people choosing one). */
    public List<Workspace> listByName() {
        return Workspace.list("order by name, id");
    }

    /** The workspaces of these ids that exist, by name. */
    public List<Workspace> byName(Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : Workspace.list("id in ?1 order by name, id", ids);
    }

    /** The workspace whose widget presents this site key. */
    public Optional<Workspace> findBySiteKey(String siteKey) {
        return Workspace.findBySiteKey(siteKey);
    }

    public Optional<Workspace> find(UUID id) {
        return Workspace.findByIdOptional(id);
    }

    public Workspace get(UUID id) {
        return Workspace.<Workspace>findByIdOptional(id)
                .orElseThrow(() -> ApiException.notFound("No workspace with id '" + id + "'"));
    }

    /** Changes the fields given (null leaves a field as it is). */
    @Transactional
    public Workspace update(UUID id, String name, List<String> allowedOrigins) {
        Workspace workspace = get(id);
        if (name != null) {
            workspace.name = Validation.requireText(name, "name", MAX_NAME).strip();
        }
        if (allowedOrigins != null) {
            workspace.allowedOrigins = normaliseOrigins(allowedOrigins);
        }
        return workspace;
    }

    /** Issues a new API key and revokes all earlier ones of the workspace. */
    @Transactional
    public String rotateApiKey(UUID workspaceId) {
        get(workspaceId);
        apiKeys.forgetWhenDone(transactions, (keyHash, workspace) -> workspace.equals(workspaceId));
        ApiKey.update("revokedAt = ?1 where workspaceId = ?2 and revokedAt is null", Times.now(clock), workspaceId);
        return issueApiKey(workspaceId);
    }

    public Optional<UUID> workspaceOfApiKey(String apiKey) {
        return workspaceOfApiKeyHash(Secrets.sha256Hex(apiKey));
    }

    /**
     * The workspace of the active API key with this SHA-256; a key rotated on another replica may still be accepted
     * here for {@link #API_KEY_CHECK_KEPT} (on this one it is refused at once).
     */
    public Optional<UUID> workspaceOfApiKeyHash(String keyHash) {
        return apiKeys.get(keyHash, h -> ApiKey.findActiveByHash(h).map(k -> k.workspaceId));
    }

    /** As {@link #workspaceOfApiKeyHash}, but only from what this replica checked lately: no database read. */
    public Optional<UUID> recentWorkspaceOfApiKeyHash(String keyHash) {
        return apiKeys.peek(keyHash);
    }

    private String issueApiKey(UUID workspaceId) {
        String plain = Secrets.newToken("sb_");
        ApiKey key = new ApiKey();
        key.id = UUID.randomUUID();
        key.workspaceId = workspaceId;
        key.keyHash = Secrets.sha256Hex(plain);
        key.createdAt = Times.now(clock);
        key.persist();
        return plain;
    }

    /** Browser origins are exactly scheme://host[:port]; anything else would never match an Origin header. */
    static String[] normaliseOrigins(List<String> origins) {
        if (origins.size() > MAX_ORIGINS) {
            throw ApiException.badRequest("Field 'allowedOrigins' has " + origins.size() + " entries; at most "
                    + MAX_ORIGINS + " are allowed");
        }
        return origins.stream().map(WorkspaceService::normaliseOrigin).distinct().toArray(String[]::new);
    }

    private static String normaliseOrigin(String origin) {
        String problem = "Field 'allowedOrigins' has '" + origin
                + "', which is not an origin like https://shop.example or http://localhost:8080";
        if (origin == null) {
            throw ApiException.badRequest(problem);
        }
        try {
            URI uri = new URI(origin.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
                throw ApiException.badRequest(problem);
            }
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(problem);
        }
    }
}
