package dev.switchboard.support;

import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.interactions.Actions;

/** The chat widget on whatever page the browser shows, driven as a customer would: open it, type, read the log. */
public final class WidgetPage {

    /** The widget's closed shadow root, as a script expression (see {@link Browser}'s observer). */
    public static final String ROOT = "window.__shadowOf(document.querySelector('[data-switchboard]'))";

    /** Everything the shadow root shows in the conversation log, as [class, text, message id]. */
    private static final String LOG = "const r = " + ROOT + ";"
            + "return [...r.querySelectorAll('.g > *')].map(n => [n.className, n.textContent, n.dataset.id || '']);";

    private final Browser browser;

    public WidgetPage(Browser browser) {
        this.browser = browser;
    }

    /** Clicks the launcher once the widget has loaded, unless the panel is open already, and waits for the panel. */
    public void open() {
        browser.await("the launcher", d -> shadowOrNull() != null && !shadow().findElements(By.cssSelector(".l")).isEmpty());
        if (!panelShown()) {
            click(".l");
        }
        browser.await("the panel", d -> panelShown());
    }

    private boolean panelShown() {
        return (Boolean) js("const p = " + ROOT + ".querySelector('.p'); return !p.hidden && p.getBoundingClientRect().height > 0");
    }

    /** Types the text and presses Enter; returns once it is in the log (or an error is shown). */
    public void ask(String text) {
        int before = messageIds().size();
        type("form textarea", text, Keys.ENTER);
        browser.await("'" + text + "' sent", d -> messageIds().size() > before || !text(".e").isEmpty());
    }

    /**
     * Clicks the middle of the widget's element as a mouse would. Input goes to screen coordinates: WebDriver's own
     * element click refuses elements of a closed shadow root (the page's hit test only ever sees the host).
     */
    public void click(String css) {
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) js("const e = " + ROOT + ".querySelector(arguments[0]);"
                + "e.scrollIntoView({block: 'nearest'}); const b = e.getBoundingClientRect();"
                + "return [Math.floor(b.x + b.width / 2), Math.floor(b.y + b.height / 2)]", css);
        new Actions(browser.driver()).moveToLocation(at.get(0).intValue(), at.get(1).intValue()).click().perform();
    }

    /** Clicks into the widget's element and types there, key by key. */
    public void type(String css, CharSequence... keys) {
        click(css);
        new Actions(browser.driver()).sendKeys(keys).perform();
    }

    public SearchContext shadowOrNull() {
        return (SearchContext) js("return " + ROOT);
    }

    public SearchContext shadow() {
        SearchContext root = shadowOrNull();
        if (root == null) {
            throw new org.openqa.selenium.NoSuchElementException("no widget on the page");
        }
        return root;
    }

    /** The text of the first element in the widget matching the selector. */
    public String text(String css) {
        return (String) js("return " + ROOT + ".querySelector(arguments[0]).textContent", css);
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
