package dev.switchboard.faq.match;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises messages that must never get an automatic FAQ answer however well they score, because a similar
 * question is not the same request: asking for a person, requests about the customer's own order or account,
 * instructions aimed at the bot, small talk, and several questions at once. It also tells the message's language
 * ({@link Languages}), which decides the entries it may be answered from. Patterns work on
 * {@link TextNormalizer#folded folded} text (lower case, no accents).
 */
final class MessageGuards {

    /** Which guards a message trips. */
    record Flags(boolean wantsHuman, boolean injection, boolean accountSpecific, boolean smallTalk,
                 boolean multiQuestion, String language) {

        /** True when any guard forbids an automatic answer. */
        boolean blocksAutoAnswer() {
            return wantsHuman || injection || accountSpecific || smallTalk || multiQuestion;
        }

        /**
         * The guard that keeps a question from an FAQ answer: "instructions", "own-account" or "several-questions";
         * null when none does (asking for a person and small talk are told apart by their own flags).
         */
        String refusal() {
            return injection ? "instructions" : accountSpecific ? "own-account" : multiQuestion ? "several-questions"
                    : null;
        }
    }

    private static Pattern p(String regex) {
        return Pattern.compile(regex);
    }

    private static final List<Pattern> WANTS_HUMAN = List.of(
            // English
            p("\\b(talk|speak|chat|connect|transfer|put)(ing)?\\b[^.?!]{0,30}\\b(human|person|agent|someone|somebody"
                    + "|representative|rep|operator|staff|people|real|employee|manager|supervisor)\\b"),
            p("\\b(real|live|actual|human)\\s+(person|human|being|agent|people|support|operator|representative)\\b"),
            p("\\b(get|want|need|give)\\s+(me\\s+)?(a|an|to a|some)?\\s*(human|person|agent|representative|operator)\\b"),
            p("^\\W*(human|agent|operator|representative|person)\\W*(please|pls|plz|now|asap)?\\W*$"),
            p("\\b(operator|representative)\\b\\W*(please|pls|plz|now)?\\W*$"),
            p("\\b(no|not|stop|hate)\\s+(talking\\s+to\\s+)?(a\\s+)?(bot|robot|machine|ai)s?\\b"),
            p("\\bcustomer\\s+(service|support|care)\\s+(agent|rep|representative|person|team member)\\b"),
            p("\\b(connect|transfer|put|pass)\\s+me\\s+(through\\s+)?(to|with)\\s+(customer\\s+)?(service|support|care"
                    + "|someone|somebody|a\\s+(person|human|manager|supervisor))\\b"),
            p("\\b(useless|stupid|dumb|terrible|pointless)\\s+(bot|robot|chatbot|ai)\\b|\\b(bot|chatbot)\\s+is\\s+(useless"
                    + "|stupid|not\\s+helping)\\b"),
            // German
            p("\\b(mit\\s+)?(einem|einer|nem|ner)\\s+(menschen|mensch|mitarbeiter(in)?|berater(in)?|echten\\s+person"
                    + "|person)\\b"),
            p("\\b(mensch|mitarbeiter)\\s+(bitte|sprechen|reden)\\b"),
            // French
            p("\\b(parler|discuter)\\s+(a|avec)\\s+(un|une|quelqu'un|quelqu un|une\\s+vraie|un\\s+vrai)\\b"),
            p("\\b(un|une)\\s+(humain|conseiller|conseillere|operateur|operatrice|vraie\\s+personne|personne\\s+reelle)\\b"),
            // Spanish
            p("\\b(hablar|comunicarme|hablar\\s+con)\\s+con\\s+(un|una|alguien|el|la)\\b"),
            p("\\b(un|una)\\s+(humano|persona\\s+real|persona\\s+de\\s+verdad|agente|operador(a)?|asesor(a)?)\\b"),
            // Dutch
            p("\\b(een\\s+)?(mens|medewerker|echt\\s+persoon|echte\\s+persoon)\\s+(spreken|praten|alstublieft"
                    + "|alsjeblieft|aub|graag)\\b"),
            p("\\b(met|naar)\\s+een\\s+(mens|medewerker|echt\\s+persoon|echte\\s+persoon)\\b"),
            // Italian
            p("\\b(parlare|chattare)\\s+con\\s+(un|una|qualcuno|l'operatore|un'operatrice)\\b"),
            p("\\b(un|una)\\s+(operatore|operatrice|persona\\s+reale|persona\\s+vera|umano)\\b"),
            // Portuguese
            p("\\b(falar)\\s+com\\s+(um|uma|alguem|o|a)\\b"),
            p("\\b(um|uma)\\s+(humano|atendente|pessoa\\s+real|agente|operador(a)?)\\b"));

    private static final List<Pattern> INJECTION = List.of(
            p("\\b(ignore|disregard|forget|override|bypass|skip)\\b[^.?!]{0,30}\\b(instruction|instructions|rules"
                    + "|prompt|prompts|directions|guidelines|programming|restrictions|everything|context)\\b"),
            p("\\b(system|initial|hidden|original)\\s+(prompt|message|instructions)\\b"),
            p("\\b(instructions|rules|prompt|guidelines)\\s+(were\\s+you|you\\s+were|have\\s+you\\s+been|did\\s+you\\s+get)"
                    + "\\s+(given|told|get|got)?"),
            p("(^|\\n|[.!?]\\s)\\s*(system|assistant|developer|admin|administrator)\\s*:"),
            p("\\b(you\\s+are\\s+now|from\\s+now\\s+on|act\\s+as|pretend\\s+(to\\s+be|you)|roleplay|role-play"
                    + "|you\\s+must\\s+now|new\\s+instructions|developer\\s+mode|jailbreak|dan\\s+mode)\\b"),
            p("\\b(reveal|print|show|repeat|output|display|leak)\\b[^.?!]{0,20}\\b(your|the)\\s+(instructions|prompt"
                    + "|rules|configuration|guidelines|source)\\b"),
            p("\\b(respond|reply|answer)\\s+only\\s+with\\b"),
            p("\\b(say|write|type)\\s+(exactly|only)\\b"),
            p("<\\|?/?(system|im_start|im_end|assistant|user)\\|?>|\\[/?inst\\]|###\\s*(system|instruction)"),
            p("\\b(ignoriere|vergiss)\\b[^.?!]{0,30}\\b(anweisungen|regeln)\\b"),
            p("\\b(ignore[zr]?|oublie[zr]?)\\b[^.?!]{0,30}\\b(instructions|consignes|regles)\\b"),
            p("\\b(ignora|olvida)\\b[^.?!]{0,30}\\b(instrucciones|reglas|istruzioni|regole)\\b"));

    private static final String MY = "(my|our|mine)";
    private static final String THING = "(order|orders|package|parcel|delivery|shipment|refund|money|payment|item"
            + "|items|purchase|return|stuff|account|subscription|card|invoice|tracking|box|replacement|exchange"
            + "|credit|voucher|points|balance|password|email|address|phone|number|details|data)";
    private static final String ACTION = "(cancel|change|update|edit|modify|refund|return|delete|remove|close|check"
            + "|look\\s+up|look\\s+into|find|locate|send|resend|re-send|fix|add|apply|reset|reactivate|unlock|unblock"
            + "|process|expedite|upgrade|downgrade|switch|move|transfer|redirect|reroute|hold|stop|speed\\s+up"
            + "|confirm|verify|issue|give|credit|reimburse|replace|ship|track|trace|void|merge|split)";

    private static final List<Pattern> ACCOUNT_SPECIFIC = List.of(
            // identifiers: order numbers, tracking codes, e-mail addresses, phone numbers
            p("#\\s?\\d{3,}"),
            p("\\b\\d{5,}\\b"),
            p("\\b(order|ordr|oder|invoice|tracking|ref|reference|case|ticket)\\s*(number|no|nr|num|id|#)?\\s*[:#]?\\s*"
                    + "[a-z]{0,3}-?\\d{3,}\\b"),
            p("\\b[a-z]{1,3}\\d{6,}[a-z]{0,3}\\b"),
            p("[\\w.+-]+@[\\w-]+\\.[\\w.]+"),
            p("\\+?\\d[\\d -]{8,}\\d"),
            // asking someone to act on the customer's things ("can you cancel my order", "please refund me")
            p("\\b(can|could|would|will)\\s+(you|u|someone|somebody|ya)\\s+(please\\s+|pls\\s+|just\\s+|kindly\\s+)?"
                    + ACTION + "\\b"),
            p("\\b(i\\s+)?(need|want|would\\s+like|'d\\s+like)\\s+(you|u|someone|somebody)\\s+to\\b"),
            p("(^|[.!?]\\s*)(please\\s+|pls\\s+|plz\\s+|kindly\\s+)?" + ACTION
                    + "\\s+(my|our|the|this|that|it|me)\\b"),
            p("\\b(please|pls|plz|kindly)\\s+" + ACTION + "\\s+(my|our|the|this|that|it|me)\\b"),
            p("\\b(refund|reimburse|credit|compensate)\\s+me\\b"),
            p("\\b(i\\s+)?(want|need|demand|would\\s+like|'d\\s+like)\\s+(my|a|the)\\s+(money\\s+back|refund|full\\s+refund)\\b"),
            p("\\b(did|have|has|when\\s+will|will)\\s+(you|u|ya|your\\s+team|someone)\\s+(\\w+\\s+)?(receive|received|get|got"
                    + "|process|processed|ship|shipped|send|sent|refund|refunded|cancel|cancelled|check|checked)\\s+"
                    + MY + "\\b"),
            // the state of the customer's own things ("where is my order", "has my refund gone through")
            p("\\b(where|wheres|where's|what|whats|what's|how)\\s*(is|s|'s|are|about)?\\s+(the\\s+)?(status\\s+of\\s+)?"
                    + MY + "\\s+(\\w+\\s+)?" + THING + "\\b"),
            p("\\b(when|why)\\s+(will|would|is|isn't|has|hasn't|did|didn't|does|doesn't|was|wasn't)\\s+" + MY
                    + "\\s+(\\w+\\s+)?" + THING + "\\b"),
            p("\\b(has|have|did|is|was)\\s+" + MY + "\\s+(\\w+\\s+)?" + THING
                    + "\\s+(been\\s+)?(ship|shipped|sent|arrive|arrived|processed|received|dispatched|go|gone"
                    + "|come|delivered|approved|cancelled|canceled|refunded)\\b"),
            p("\\b" + MY + "\\s+(\\w+\\s+)?" + THING + "\\s+(still\\s+)?(has|have|hasn't|haven't|has\\s+not|have\\s+not"
                    + "|never|didn't|did\\s+not|is\\s+still|is\\s+stuck|is\\s+late|was\\s+never)\\b"),
            p("\\b(i|we)\\s+(still\\s+)?(haven't|have\\s+not|never|didn't|did\\s+not|still\\s+haven't)\\s+"
                    + "(received|gotten|got|get|receive|heard)\\b"),
            p("\\b(i|we)\\s+(was|were|got|have\\s+been|'ve\\s+been|been)\\s+(double\\s+|twice\\s+|over)?"
                    + "(charged|billed|overcharged|debited)\\b"),
            p("\\b" + MY + "\\s+account\\s+(is|was|has\\s+been|got)\\s+(locked|blocked|hacked|suspended|closed"
                    + "|disabled|compromised|deleted)\\b"),
            p("\\b(ordered|bought|purchased|paid|placed\\s+(an|my|the)\\s+order)\\b[^.?!]{0,40}\\b(yesterday|today"
                    + "|last\\s+(week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|ago|on\\s+the"
                    + "\\s+\\d+|on\\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\\b[^?]*"
                    + "\\b(not|never|no|still|hasn't|haven't|didn't|wrong|missing|yet|where)\\b"));

    /** Greetings, thanks and pleasantries: a message made only of these is small talk. */
    private static final Set<String> SMALL_TALK_WORDS = Set.of(
            "hi", "hello", "hey", "hiya", "yo", "morning", "good", "afternoon", "evening", "night", "thanks",
            "thank", "you", "thx", "ty", "cheers", "bye", "goodbye", "ok", "okay", "great", "cool", "nice", "awesome",
            "perfect", "how", "are", "r", "u", "doing", "today", "there", "whats", "what's", "up", "sup", "lol",
            "haha", "yes", "no", "yeah", "nope", "sure", "fine", "alright", "bot", "a", "is", "this", "am", "i",
            "talking", "to", "who", "what", "your", "name", "meet", "much", "so", "very", "lot", "see",
            "later", "have", "day", "weekend", "well", "too", "hmm", "hm", "oh", "ah", "k", "kk", "welcome", "all",
            "the", "and", "it", "again", "just", "testing", "test", "hallo", "guten", "tag", "bonjour", "hola",
            "ciao", "hoi", "ola", "gracias", "merci", "danke", "grazie", "obrigado", "dank", "je", "wel", "real",
            "robot", "ai", "are you", "human", "mate", "dear", "sir", "madam", "please", "help", "me", "can", "need");

    private MessageGuards() {}

    static Flags inspect(String message) {
        String folded = TextNormalizer.folded(message).replaceAll("\\s+", " ").strip();
        List<String> words = Lexicon.words(message);
        return new Flags(
                any(WANTS_HUMAN, folded),
                any(INJECTION, folded),
                any(ACCOUNT_SPECIFIC, folded),
                isSmallTalk(words),
                Questions.askingParts(message).size() >= 2,
                Languages.detect(message));
    }

    static boolean wantsHuman(String message) {
        return any(WANTS_HUMAN, TextNormalizer.folded(message).replaceAll("\\s+", " ").strip());
    }

    private static boolean any(List<Pattern> patterns, String text) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(text).find()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSmallTalk(List<String> words) {
        for (String w : words) {
            if (!SMALL_TALK_WORDS.contains(w)) {
                return false;
            }
        }
        return true;
    }
}
