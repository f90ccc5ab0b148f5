package dev.switchboard.faq.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuestionsTest {

    @Test
    void theAskingSentenceOfAStoryIsFound() {
        String story = "Hello! I'm planning a trip to the Alps in ten days. I live in Vienna. How many days does "
                + "delivery take? Thanks in advance, a friend recommended you.";
        assertEquals(List.of("How many days does delivery take?"), Questions.askingParts(story));
    }

    @ParameterizedTest
    @ValueSource(strings = {"so how does the referral thing work", "Wie lange dauert der Versand",
            "Combien coûte la livraison", "Puis-je annuler ma commande", "Cuánto tarda el envío",
            "Before I check out I wanted to understand what delivery costs",
            "I was wondering whether you ship to Norway", "quanto costa la spedizione", "hoe lang duurt het"})
    void questionsWithoutAQuestionMarkAskInEverySupportedLanguage(String sentence) {
        assertTrue(Questions.asks(sentence), sentence);
    }

    @ParameterizedTest
    @ValueSource(strings = {"I ordered two pairs of boots.", "Ich habe zwei Paar Schuhe bestellt.",
            "Thanks so much in advance"})
    void statementsDoNotAsk(String sentence) {
        assertFalse(Questions.asks(sentence), sentence);
    }

    @Test
    void aBareAreYouThereAsksNothingAnEntryAnswers() {
        assertEquals(List.of("How long does shipping take?"),
                Questions.askingParts("Are you there? How long does shipping take?"));
    }
}
