package dev.switchboard.faq.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LexiconTest {

    @Test
    void inflectionsOfOneWordShareAStem() {
        assertEquals(Lexicon.stem("ship"), Lexicon.stem("shipped"));
        assertEquals(Lexicon.stem("ship"), Lexicon.stem("ships"));
        assertEquals(Lexicon.stem("change"), Lexicon.stem("changed"));
        assertEquals(Lexicon.stem("refund"), Lexicon.stem("refunds"));
        assertEquals(Lexicon.stem("country"), Lexicon.stem("countries"));
    }

    @Test
    void contentStemsDropFunctionWordsAndMergeShopSynonyms() {
        assertEquals(List.of("parcel"), Lexicon.contentStems("Where is the package?"));
        assertEquals(Lexicon.contentStems("delivery costs"), Lexicon.contentStems("shipping fees"));
        assertEquals(List.of("ruckgab"), Lexicon.contentStems("Rückgabe"));
    }

    @Test
    void supportVocabularyAndTwoWordPhrasingsMergeIntoOneKey() {
        assertEquals(Lexicon.contentStems("forgot password"), Lexicon.contentStems("remember my passcode"));
        assertEquals(Lexicon.contentStems("return"), Lexicon.contentStems("send back"));
        assertEquals(Lexicon.contentStems("cancel subscription"), Lexicon.contentStems("terminate membership"));
        assertEquals(Lexicon.contentStems("refund"), Lexicon.contentStems("money back"));
        assertEquals(Lexicon.contentStems("discount"), Lexicon.contentStems("money off"));
        assertEquals(Lexicon.contentStems("size guide"), Lexicon.contentStems("size chart"));
        assertEquals(Lexicon.contentStems("yearly plan"), Lexicon.contentStems("annual plan"));
        assertEquals(Lexicon.contentStems("import a CSV file"), Lexicon.contentStems("import a spreadsheet file"));
        // "close" is no synonym: closing a shop is not deleting an account
        assertTrue(!Lexicon.contentStems("close account").equals(Lexicon.contentStems("delete account")));
    }

    @Test
    void fillerIsNoContentButWordsThatCanChangeTheAnswerAre() {
        assertEquals(Lexicon.contentStems("cancel subscription"),
                Lexicon.contentStems("can I actually cancel my subscription anytime now, is that a thing?"));
        assertTrue(Lexicon.contentStems("can you deliver tomorrow").contains("tomorrow"));
    }

    @Test
    void quantifiersAndLightVerbsNameNoSubjectButTopicWordsDo() {
        assertTrue(Lexicon.namesNoSubject(Lexicon.stem("another")));
        assertTrue(Lexicon.namesNoSubject(Lexicon.stem("finding")));
        assertFalse(Lexicon.namesNoSubject(Lexicon.stem("refund")));
        assertFalse(Lexicon.namesNoSubject(Lexicon.stem("two")));
    }

    @Test
    void typosScoreAsNearMatchesButShortWordsAndNumbersMustBeExact() {
        assertEquals(0.8, Lexicon.similarity("adress", "address"));
        assertEquals(0.8, Lexicon.similarity("retrun", "return"));
        assertEquals(0.8, Lexicon.similarity("instalment", "installment"));
        assertEquals(0.0, Lexicon.similarity("cat", "car"));
        assertEquals(0.0, Lexicon.similarity("12345", "12346"));
        assertEquals(0.0, Lexicon.similarity("return", "refund"));
        assertEquals(1.0, Lexicon.similarity("return", "return"));
    }

    @Test
    void editDistanceCountsAnAdjacentSwapAsOneAndStopsAtTheLimit() {
        assertEquals(1, Lexicon.editDistance("form", "from", 2));
        assertEquals(3, Lexicon.editDistance("abcdef", "uvwxyz", 2));
        assertTrue(Lexicon.editDistance("kitten", "sitting", 5) == 3);
    }
}
