package dev.switchboard.demo;

import java.util.List;

/** The demo shop's FAQ: the questions an online shop's customers ask most. */
final class DemoFaq {

    record Entry(String question, String answer) {}

    static final List<Entry> ENTRIES = List.of(
            new Entry("How much does shipping cost?",
                    "Standard shipping within Germany costs EUR 4.95 and is free for orders over EUR 50. Express "
                            + "shipping costs EUR 9.95."),
            new Entry("How long does delivery take?",
                    "Orders placed before 2 pm on a working day ship the same day. Standard delivery takes 2-3 working "
                            + "days within Germany, express delivery 1 working day."),
            new Entry("Do you ship internationally?",
                    "Yes, we ship to all EU countries, Switzerland, the UK and Norway. Shipping costs EUR 12.95 and "
                            + "delivery takes 3-7 working days; duties for non-EU countries are paid on delivery."),
            new Entry("How can I track my order?",
                    "As soon as your parcel leaves our warehouse we email you a tracking link. You also find it under "
                            + "'My orders' in your account."),
            new Entry("What is your return policy?",
                    "You can return unused items in their original packaging within 30 days of delivery for a full "
                            + "refund. Sale items can be returned too; gift cards cannot."),
            new Entry("How do I return an item?",
                    "Open 'My orders' in your account, choose 'Return items' and print the free return label. Drop "
                            + "the parcel at any DHL point; we email you when it arrives."),
            new Entry("When will I get my refund?",
                    "We refund within 5 working days after your return arrives, to the payment method you used. Your "
                            + "bank may take a few more days to show it."),
            new Entry("Which payment methods do you accept?",
                    "We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay, Klarna (pay later) "
                            + "and bank transfer in advance."),
            new Entry("What are your customer service opening hours?",
                    "Our customer service is available Monday to Friday 8 am to 6 pm and Saturday 9 am to 1 pm (CET). "
                            + "This chat answers common questions around the clock."),
            new Entry("Can I change or cancel my order?",
                    "You can change or cancel an order within one hour of placing it under 'My orders'. After that it "
                            + "is being packed: please return it once it arrives instead."),
            new Entry("Can I exchange an item for a different size?",
                    "Yes: return the item as usual and place a new order for the size you need. That way the new size "
                            + "ships at once instead of waiting for the return."),
            new Entry("Do you sell gift cards?",
                    "Yes, digital gift cards from EUR 10 to EUR 500 arrive by email within minutes and are valid for "
                            + "three years. They can be combined with other payment methods."));

    private DemoFaq() {}
}
