package dev.switchboard.support;

import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;

/** The chat widget on whatever page the browser shows, driven as a customer would: open it, type, read the log. */
public final class WidgetPage {

    /** Everything the shadow root shows in the conversation log, as [class, text, message id]. */
    private static final String LOG = """
            const r = document.querySelector('[data-switchboard]').shadowRoot;
            return [...r.querySelectorAll('.g > *')].map(n => [n.className, n.textContent, n.dataset.id || '']);""";

    private final Browser browser;

    public WidgetPage(Browser browser) {
        this.browser = browser;
    }

    /** Clicks the launcher once the widget has loaded, and waits for the panel. */
    public void open() {
        WebElement launcher = browser.await("the launcher", d -> shadowOrNull() == null ? null
                : shadowOrNull().findElement(By.cssSelector(".l")));
        launcher.click();
        browser.await("the panel", d -> shadow().findElement(By.cssSelector(".p")).isDisplayed());
    }

    /** Types the text and presses Enter; returns once it is in the log (or an error is shown). */
    public void ask(String text) {
        WebElement input = shadow().findElement(By.cssSelector("form textarea"));
        int before = messageIds().size();
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
        browser.await("'" + text + "' sent", d -> messageIds().size() > before || !text(".e").isEmpty());
    }

    public SearchContext shadowOrNull() {
        List<WebElement> hosts = browser.driver().findElements(By.cssSelector("[data-switchboard]"));
        return hosts.isEmpty() ? null : hosts.getFirst().getShadowRoot();
    }

    public SearchContext shadow() {
        return browser.driver().findElement(By.cssSelector("[data-switchboard]")).getShadowRoot();
    }

    /** The text of the first element in the widget matching the selector. */
    public String text(String css) {
        return (String) js("return document.querySelector('[data-switchboard]').shadowRoot.querySelector(arguments[0])"
                + ".textContent", css);
    }

    @SuppressWarnings("unchecked")
    public List<List<String>> log() {
        return (List<List<String>>) js(LOG);
    }

    /** Ids of the stored messages shown, in order. */
    public List<String> messageIds() {
        List<String> ids = new ArrayList<>();
        for (List<String> m : log()) {
            if (!m.get(2).isEmpty()) {
                ids.add(m.get(2));
            }
        }
        return ids;
    }

    /** The conversation the widget remembers for this site (local storage). */
    public String conversationId() {
        return (String) js("const k = document.querySelector('script[data-site-key]').dataset.siteKey;"
                + "return JSON.parse(localStorage.getItem('switchboard:' + k)).id");
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
    }
}
