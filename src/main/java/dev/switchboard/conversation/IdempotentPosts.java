package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.Validation;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Idempotency-Key for posts that store something: the first request with a key runs and its response is kept for
 * {@link #KEPT} hours; a retry with the same key and body gets that response again (Idempotent-Replayed: true) and
 * stores nothing. A key is claimed before the request runs, so two concurrent tries cannot both store (the second is
 * a 409 while the first runs); a request that fails releases its key for the next try.
 */
@ApplicationScoped
class IdempotentPosts {

    static final String HEADER = "Idempotency-Key";
    static final Duration KEPT = Duration.ofHours(24);
    private static final int MAX_KEY = 255;

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    private record Stored(String requestHash, int status, String location, String body) {}

    /** The action's response, run at most once per (workspace, scope, key); without a key simply the action's. */
    Response once(UUID workspaceId, String scope, String key, Object request, Supplier<Response> action) {
        if (key == null) {
            return action.get();
        }
        if (key.isEmpty() || key.length() > MAX_KEY || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.badRequest("Header 'Idempotency-Key' must be 1 to " + MAX_KEY
                    + " visible ASCII characters");
        }
        Validation.requireValidCharacters(key, HEADER);
        String requestHash = Secrets.sha256Hex(write(request));
        Instant now = clock.instant();
        boolean claimed = QuarkusTransaction.requiringNew()
                .call(() -> claim(workspaceId, scope, key, requestHash, now));
        if (!claimed) {
            Stored stored = QuarkusTransaction.requiringNew().call(() -> find(workspaceId, scope, key));
            if (stored == null) {
                throw ApiException.conflict("A request with this Idempotency-Key is in progress; retry shortly");
            }
            if (!stored.requestHash().equals(requestHash)) {
                throw new ApiException(422, "Unprocessable Content",
                        "This Idempotency-Key was used with a different request body");
            }
            if (stored.status() == 0) {
                throw ApiException.conflict("A request with this Idempotency-Key is in progress; retry shortly");
            }
            Response.ResponseBuilder replay = Response.status(stored.status()).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(stored.body()).header("Idempotent-Replayed", "true");
            return (stored.location() == null ? replay : replay.location(URI.create(stored.location()))).build();
        }
        Response response;
        try {
            response = action.get();
        } catch (RuntimeException e) {
            QuarkusTransaction.requiringNew().run(() -> release(workspaceId, scope, key));
            throw e;
        }
        String body = write(response.getEntity());
        String location = response.getLocation() == null ? null : response.getLocation().toString();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update idempotency_keys set status = ?1, "
                + "location = ?2, body = ?3 where workspace_id = ?4 and scope = ?5 and key = ?6")
                .setParameter(1, response.getStatus()).setParameter(2, location).setParameter(3, body)
                .setParameter(4, workspaceId).setParameter(5, scope).setParameter(6, key).executeUpdate());
        return response;
    }

    private boolean claim(UUID workspaceId, String scope, String key, String requestHash, Instant now) {
        em.createNativeQuery("delete from idempotency_keys where workspace_id = ?1 and scope = ?2 and key = ?3 "
                + "and created_at < ?4").setParameter(1, workspaceId).setParameter(2, scope).setParameter(3, key)
                .setParameter(4, Timestamp.from(now.minus(KEPT))).executeUpdate();
        return em.createNativeQuery("insert into idempotency_keys (workspace_id, scope, key, request_hash, status, "
                + "created_at) values (?1, ?2, ?3, ?4, 0, ?5) on conflict do nothing")
                .setParameter(1, workspaceId).setParameter(2, scope).setParameter(3, key)
                .setParameter(4, requestHash).setParameter(5, Timestamp.from(now)).executeUpdate() == 1;
    }

    private Stored find(UUID workspaceId, String scope, String key) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select request_hash, status, location, body from idempotency_keys "
                + "where workspace_id = ?1 and scope = ?2 and key = ?3").setParameter(1, workspaceId)
                .setParameter(2, scope).setParameter(3, key).getResultList();
        return rows.isEmpty() ? null : new Stored((String) rows.getFirst()[0], ((Number) rows.getFirst()[1]).intValue(),
                (String) rows.getFirst()[2], (String) rows.getFirst()[3]);
    }

    private void release(UUID workspaceId, String scope, String key) {
        em.createNativeQuery("delete from idempotency_keys where workspace_id = ?1 and scope = ?2 and key = ?3 "
                + "and status = 0").setParameter(1, workspaceId).setParameter(2, scope).setParameter(3, key)
                .executeUpdate();
    }

    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "delete from idempotency_keys where created_at < ?1")
                .setParameter(1, Timestamp.from(clock.instant().minus(KEPT))).executeUpdate());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request or response record is always JSON", e);
        }
    }
}
