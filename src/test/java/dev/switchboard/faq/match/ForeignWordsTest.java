package dev.switchboard.faq.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForeignWordsTest {

    @Test
    void germanInflectionsMapOntoOneKeyAndFunctionWordsAreDropped() {
        assertEquals(Lexicon.contentStems("Rechnung", "de"), Lexicon.contentStems("Rechnungen", "de"));
        assertEquals(Lexicon.contentStems("kündigen", "de"), Lexicon.contentStems("Kündigung", "de"));
        assertEquals(Lexicon.contentStems("Abonnement", "de"), Lexicon.contentStems("des Abonnements", "de"));
        assertEquals(List.of("rechn", "ander"), Lexicon.contentStems("Wie kann ich die Rechnung ändern?", "de"));
    }

    @Test
    void frenchAndSpanishPluralsAndElisionsMapOntoOneKey() {
        assertEquals(Lexicon.contentStems("facture récurrente", "fr"),
                Lexicon.contentStems("des factures récurrentes", "fr"));
        assertEquals(Lexicon.contentStems("application", "fr"), Lexicon.contentStems("l'application", "fr"));
        assertEquals(Lexicon.contentStems("repartidor", "es"), Lexicon.contentStems("los repartidores", "es"));
        assertEquals(Lexicon.contentStems("propina", "es"), Lexicon.contentStems("las propinas", "es"));
        assertEquals(List.of(), Lexicon.contentStems("puedes", "es"));
    }

    @Test
    void englishTextKeepsItsOwnStopWordsAndStemmer() {
        // "son" and "sale" are function words in French or Spanish, content in English
        assertEquals(List.of("son", "sal"), Lexicon.contentStems("my son and the sale", "en"));
        assertNotEquals(List.of(), Lexicon.contentStems("the sale", "en"));
    }

    @Test
    void aCompoundPartMatchesOnlyInCompoundingLanguages() {
        assertEquals(0.8, ForeignWords.compoundPart("gutschein", "gutscheincod", "de"));
        assertEquals(0.8, ForeignWords.compoundPart("testphas", "test", "de"));
        assertEquals(0.0, ForeignWords.compoundPart("abo", "abonnement", "de"));
        assertEquals(0.0, ForeignWords.compoundPart("account", "accountant", "en"));
    }
}
