package dev.switchboard.conversation;

import static dev.switchboard.common.db.NativeRows.rows;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Validation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Full-text search over a workspace's messages with PostgreSQL's text search ({@code messages.search_vector}, GIN
 * index, the 'simple' configuration: see migration V12). Every word of the query must occur, as a word or a word's
 * start; a conversation is one hit, with the snippet of its latest matching message, and hits come most recently
 * active first, as in the inbox. Pages follow by keyset on (last activity, conversation id): a cursor names the last
 * hit, so a page costs the same however deep it is; a conversation that gets a message while one pages moves above
 * the cursor, so it is never shown twice (a new search shows it first).
 *
 * <p>Ranking every match by relevance cost most of a second for a common word on 100,000 conversations: all its
 * matching rows had to be read. In recency order the search first walks the newest {@link #WALK} conversations and
 * keeps those with a match, which fills a page of a common word after a few dozen; only when that finds less than a
 * page (the words are rare in this workspace) does it collect the matching messages from the GIN index, which is
 * then cheap, and order their conversations.
 */
@ApplicationScoped
public class MessageSearch {

    public static final int MAX_LIMIT = 50;
    public static final int MAX_TERMS = 8;
    public static final int MAX_QUERY = 200;
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    /** Private-use characters mark the matches in ts_headline's output; they are taken out of the text first. */
    private static final char START = '\uE000';
    private static final char STOP = '\uE001';
    private static final String HEADLINE_OPTIONS = "StartSel=" + START + ", StopSel=" + STOP
            + ", MaxWords=35, MinWords=15";

    /** Where the previous page ended: the last hit's last activity (to the microsecond, as stored) and id. */
    public record Cursor(Instant lastActivity, UUID conversationId) {

        public String encode() {
            long micros = lastActivity.getEpochSecond() * 1_000_000 + lastActivity.getNano() / 1_000;
            String raw = Long.toHexString(micros) + ":" + conversationId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
        }

        public static Cursor decode(String cursor) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII)
                        .split(":", 2);
                long micros = Long.parseUnsignedLong(parts[0], 16);
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                        Math.floorMod(micros, 1_000_000) * 1_000L), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw ApiException.badRequest("Parameter 'cursor' is not a cursor this search returned");
            }
        }
    }

    /** The assignee filter's value for conversations no agent is assigned to. */
    public static final String NO_ASSIGNEE = "none";

    /** The filters as a request gives them (each null or blank when absent), checked by {@link #query}. */
    public record Filters(String status, String label, String assignee, String team, String from, String to) {}

    /** A search: the words, the filters, where to continue (null: from the top) and how many hits. */
    public record Query(String text, List<SearchFilter> filters, Cursor after, int limit) {}

    /**
     * A conversation that matched. snippet: HTML (the message's text escaped, the matched words in {@code <mark>}).
     */
    public record Hit(UUID conversationId, String visitorId, String visitorName, ConversationStatus status,
            UUID messageId, MessageRole role, Instant createdAt, Instant lastActivityAt, String snippet,
            List<LabelView> labels) {

        public String visitor() {
            return VisitorNames.of(visitorId, visitorName);
        }
    }

    /** nextCursor: null on the last page. */
    public record Page(List<Hit> hits, String nextCursor) {}

    @Inject
    Labels labels;

    /** Conversations the first step walks, newest first, looking for a page of hits (see the class comment). */
    static final int WALK = 1_000;

    @Transactional
    public Page search(UUID workspaceId, Query query) {
        return search(workspaceId, query, WALK);
    }

    /** As {@link #search(UUID, Query)}, walking at most {@code walk} conversations before collecting from the index. */
    @Transactional
    Page search(UUID workspaceId, Query query, int walk) {
        if (query.limit() < 1 || query.limit() > MAX_LIMIT) {
            throw ApiException.badRequest("Parameter 'limit' must be between 1 and " + MAX_LIMIT);
        }
        String text = tsQuery(query.text());
        List<Object> params = new ArrayList<>(List.of(text, workspaceId));
        String onConversation = conditions(query.filters(), false, params);
        String matches = matches(query.filters(), params);
        if (query.after() != null) {
            params.add(query.after().lastActivity());
            params.add(query.after().conversationId());
            onConversation += " and (c.last_activity_at, c.id) < (?%d, ?%d)".formatted(params.size() - 1,
                    params.size());
        }
        params.add(query.limit() + 1); // one more tells whether a next page exists
        int limit = params.size();
        String walked = """
                select c.id, c.last_activity_at
                  from (select c.id, c.last_activity_at from conversations c
                         where c.workspace_id = ?2%s
                         order by c.last_activity_at desc, c.id desc limit ?%d) c
                 where exists (select 1 from messages m where m.conversation_id = c.id and %s)
                 order by c.last_activity_at desc, c.id desc limit ?%d""".formatted(onConversation, limit + 1,
                matches, limit);
        EntityManager em = Conversation.getEntityManager();
        List<Object> walkParams = new ArrayList<>(params);
        walkParams.add(walk);
        List<Object[]> found = rows(em, walked, walkParams.toArray());
        if (found.size() <= query.limit()) {
            // Less than a page among the newest conversations: the words are rare here, so the index's matches are
            // few; materialized, so that the planner cannot walk every conversation instead.
            String collected = """
                    with matched as materialized (select distinct m.conversation_id from messages m where %s)
                    select c.id, c.last_activity_at from conversations c join matched x on x.conversation_id = c.id
                     where c.workspace_id = ?2%s
                     order by c.last_activity_at desc, c.id desc limit ?%d""".formatted(matches, onConversation,
                    limit);
            found = rows(em, collected, params.toArray());
        }
        boolean more = found.size() > query.limit();
        List<UUID> ids = (more ? found.subList(0, query.limit()) : found).stream().map(r -> (UUID) r[0]).toList();
        List<Hit> hits = ids.isEmpty() ? List.of() : hits(em, ids, text, query.filters());
        String next = more ? new Cursor(hits.getLast().lastActivityAt(), hits.getLast().conversationId()).encode()
                : null;
        return new Page(hits, next);
    }

    /** The page's conversations, in order, each with its latest matching message's snippet. */
    private List<Hit> hits(EntityManager em, List<UUID> ids, String text, List<SearchFilter> filters) {
        List<Object> params = new ArrayList<>(List.of(text));
        String matches = matches(filters, params);
        params.add(ids);
        params.add(String.valueOf(START) + STOP);
        params.add(HEADLINE_OPTIONS);
        int n = params.size();
        String sql = """
                select c.id, c.visitor_id, c.visitor_name, c.status, h.id, h.role, h.created_at, c.last_activity_at,
                       ts_headline('simple', translate(h.content, ?%d, ''), to_tsquery('simple', ?1), ?%d)
                  from conversations c cross join lateral (
                         select m.id, m.role, m.created_at, m.content from messages m
                          where m.conversation_id = c.id and %s order by m.seq desc limit 1) h
                 where c.id in (?%d)
                 order by c.last_activity_at desc, c.id desc""".formatted(n - 1, n, matches, n - 2);
        Map<UUID, List<LabelView>> labelled = labels.ofConversations(ids);
        return rows(em, sql, params.toArray()).stream().map(r -> new Hit((UUID) r[0], (String) r[1], (String) r[2],
                ConversationStatus.fromCode((String) r[3]), (UUID) r[4], MessageRole.fromCode((String) r[5]),
                instant(r[6]), instant(r[7]), highlight((String) r[8]), labelled.getOrDefault((UUID) r[0], List.of())))
                .toList();
    }

    /** A matching message ({@code m}): the words (always parameter 1), not a handoff notice, the message filters. */
    private static String matches(List<SearchFilter> filters, List<Object> params) {
        return "m.search_vector @@ to_tsquery('simple', ?1) and m.role <> 'system'" + conditions(filters, true, params);
    }

    /** The filters on the message or on the conversation as SQL, their values appended to {@code params}. */
    private static String conditions(List<SearchFilter> filters, boolean onMessage, List<Object> params) {
        StringBuilder sql = new StringBuilder();
        for (SearchFilter f : filters) {
            if (f.onMessage() == onMessage) {
                if (f.value() != null) {
                    params.add(f.value());
                }
                sql.append(" and ").append(f.sql().replace("?", "?" + params.size()));
            }
        }
        return sql.toString();
    }

    /**
     * A query from request parameters (API and dashboard alike; blank means absent): status, a label of the
     * workspace (by id), the assigned agent (by id, or {@code none}), the assigned team (by id), from/to as a UTC day
     * (to inclusive) or an instant (to exclusive), a cursor from an earlier page; each wrong one is a 400 naming it.
     */
    public Query query(UUID workspaceId, String text, Filters given, String cursor, int limit) {
        tsQuery(text);
        List<SearchFilter> filters = new ArrayList<>();
        if (present(given.status())) {
            filters.add(SearchFilter.status(Arrays.stream(ConversationStatus.values())
                    .filter(s -> s.code().equals(given.status().strip())).findFirst()
                    .orElseThrow(() -> ApiException.badRequest("Parameter 'status' must be one of "
                            + Arrays.stream(ConversationStatus.values()).map(ConversationStatus::code).toList()))));
        }
        if (present(given.label())) {
            UUID labelId = labelId(workspaceId, given.label().strip());
            filters.add(SearchFilter.label(labelId));
        }
        if (present(given.assignee())) {
            filters.add(NO_ASSIGNEE.equals(given.assignee().strip()) ? SearchFilter.unassigned()
                    : SearchFilter.assignee(Validation.id(given.assignee(), "assignee",
                            "an agent's id or '" + NO_ASSIGNEE + "'")));
        }
        if (present(given.team())) {
            filters.add(SearchFilter.team(Validation.id(given.team(), "team", "a team's id")));
        }
        if (present(given.from())) {
            filters.add(SearchFilter.from(time(given.from().strip(), "from", false)));
        }
        if (present(given.to())) {
            filters.add(SearchFilter.to(time(given.to().strip(), "to", true)));
        }
        return new Query(text, filters, present(cursor) ? Cursor.decode(cursor.strip()) : null, limit);
    }

    private UUID labelId(UUID workspaceId, String label) {
        try {
            UUID id = UUID.fromString(label);
            if (labels.list(workspaceId).stream().anyMatch(l -> l.id.equals(id))) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // a 400 below
        }
        throw ApiException.badRequest("Parameter 'label' must be the id of one of the workspace's labels");
    }

    /** A day (UTC; as an upper bound it includes the whole day) or an ISO-8601 instant. */
    private static Instant time(String value, String parameter, boolean upper) {
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (upper ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("Parameter '" + parameter + "' must be a day (2026-01-31) or an instant "
                    + "(2026-01-31T09:00:00Z)");
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * Every word of the text as a prefix ({@code refund:* & parcel:*}). Only letters and digits reach to_tsquery, so
     * no input can be a syntax error there.
     */
    static String tsQuery(String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("Parameter 'q' is required: the words to search for");
        }
        if (text.length() > MAX_QUERY) {
            throw ApiException.badRequest("Parameter 'q' has " + text.length() + " characters; at most " + MAX_QUERY
                    + " are allowed");
        }
        List<String> terms = Arrays.stream(NOT_WORD.split(text.toLowerCase(Locale.ROOT)))
                .filter(t -> !t.isEmpty()).distinct().toList();
        if (terms.isEmpty()) {
            throw ApiException.badRequest("Parameter 'q' needs at least one word (letters or digits)");
        }
        if (terms.size() > MAX_TERMS) {
            throw ApiException.badRequest("Parameter 'q' has " + terms.size() + " words; at most " + MAX_TERMS
                    + " are allowed");
        }
        return String.join(" & ", terms.stream().map(t -> t + ":*").toList());
    }

    /** The headline's text HTML-escaped, its match markers as {@code <mark>}. */
    static String highlight(String headline) {
        StringBuilder html = new StringBuilder(headline.length() + 32);
        headline.codePoints().forEach(cp -> {
            switch (cp) {
                case START -> html.append("<mark>");
                case STOP -> html.append("</mark>");
                case '&' -> html.append("&amp;");
                case '<' -> html.append("&lt;");
                case '>' -> html.append("&gt;");
                case '"' -> html.append("&quot;");
                case '\'' -> html.append("&#39;");
                default -> html.appendCodePoint(cp);
            }
        });
        return html.toString();
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case Instant i -> i;
            case Timestamp t -> t.toInstant();
            case OffsetDateTime o -> o.toInstant();
            default -> throw new IllegalStateException("not a timestamp: " + value.getClass());
        };
    }
}
