package dev.watchllm.servlet;

import static dev.watchllm.servlet.AdminFixture.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.testing.TestClock;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's {@code chromium} driven through its {@code chromedriver}
 * by Selenium (the system binaries only: no driver is downloaded). Usage is seeded by real calls
 * through the gateway to the fake provider; the test then reads the figures the page rendered, mints
 * and revokes a key with its buttons, and leaves a screenshot in {@code target/dashboard.png}
 * (the README's {@code docs/dashboard.png} is a copy of it). Skipped, saying why, where Chromium is
 * not installed; {@code .ci/run} installs it, so CI runs it.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final TestClock clock = new TestClock("2026-03-10T05:10:00Z");
    Gateway gw;
    ChromeDriver browser;
    WebDriverWait wait;

    @TempDir
    Path profile;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (/usr/bin/chromium, /usr/bin/chromedriver): apt-get install chromium chromium-driver");
        gw = AdminFixture.gateway(null, clock);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,900", "--lang=en-US");
        // the system driver, given explicitly: Selenium Manager (which would download one) is never asked
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class); // the page re-renders rows as answers arrive
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) browser.quit();
        if (gw != null) gw.close();
    }

    /** A chat call through the gateway with the OpenAI SDK; each prompt is new, so no cache can answer it. */
    void call(String key, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            gw.client(key).chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                    .addUserMessage("question " + clock.millis() + "-" + i).build());
            gw.nextUsage();
        }
    }

    void seed() throws Exception {
        int[][] hours = {{5, 2, 1}, {7, 4, 0}, {8, 1, 2}, {10, 6, 1}, {11, 3, 0}, {13, 5, 2}};
        for (int[] h : hours) { // test-proj: 21 calls, other-proj: 6, spread over the morning (UTC)
            clock.set(Instant.parse("2026-03-10T" + (h[0] < 10 ? "0" : "") + h[0] + ":10:00Z"));
            call(gw.key, h[1]);
            call(gw.otherKey, h[2]);
        }
        // the exact cache is not on this branch: hits are recorded in the engine's ledger as the cache settles them
        for (int i = 0; i < 3; i++) {
            gw.engine.usage().add(new UsageRecord(clock.instant(), "req-hit-" + i, "test-proj", "k1", "/chat/completions", "gpt-4o-mini",
                    "gpt-4o-mini", null, false, "HIT", Double.NaN, 12, 0, 7, 0, false, false, 0, 6, 0, 200));
        }
        clock.set(Instant.parse("2026-03-10T14:20:00Z"));
    }

    String cell(String project, String field) {
        return browser.findElement(By.cssSelector("#projects tr[data-project='" + project + "'] td[data-field='" + field + "']")).getText();
    }

    WebElement card(String project) {
        return browser.findElement(By.cssSelector("#cards .card[data-project='" + project + "']"));
    }

    void waitReady() {
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-state", "ready"));
    }

    @Test
    void theDashboardShowsEachProjectsFiguresChartsAndKeys() throws Exception {
        seed();
        browser.get(AdminFixture.base(gw) + "/#key=" + ADMIN_KEY);
        waitReady();
        assertFalse(browser.getCurrentUrl().contains(ADMIN_KEY), "the key leaves the address bar: " + browser.getCurrentUrl());
        assertEquals("Month so far: 2026-03 (UTC)", browser.findElement(By.id("period")).getText());

        // the table: 21 calls at $0.000006 each plus 3 hits of answers that cost $0.000006 when bought
        assertEquals("pro", cell("test-proj", "plan"));
        assertEquals("24", cell("test-proj", "requests"));
        assertEquals("3", cell("test-proj", "cacheHits"));
        assertEquals("12.5%", cell("test-proj", "hitRate"));
        assertEquals("$0.000126", cell("test-proj", "cost"));
        assertEquals("$0.000018", cell("test-proj", "savings"));
        assertEquals("$0.049874 of $0.05", cell("test-proj", "budgetLeft"));
        assertEquals("1", cell("test-proj", "keys"));
        assertEquals("starter", cell("other-proj", "plan"));
        assertEquals("6", cell("other-proj", "requests"));
        assertEquals("0.0%", cell("other-proj", "hitRate"));
        assertEquals("$0.000036", cell("other-proj", "cost"));
        assertEquals("$0", cell("other-proj", "savings"));
        assertEquals("—", cell("other-proj", "budgetLeft"));

        // a chart per project: the last 24 hours, one bar per hour, the calls where they were made
        WebElement chart = card("test-proj").findElement(By.cssSelector(".chart svg"));
        List<WebElement> bars = chart.findElements(By.cssSelector("rect.bar-requests"));
        assertEquals(24, bars.size());
        Map<String, Integer> byHour = Map.of("05", 2, "07", 4, "08", 1, "10", 6, "11", 3, "13", 5);
        int total = 0;
        for (WebElement bar : bars) {
            String hour = bar.getAttribute("data-start").substring(11, 13);
            int requests = Integer.parseInt(bar.getAttribute("data-requests"));
            assertEquals(byHour.getOrDefault(hour, 0), requests, "hour " + hour);
            assertEquals(requests > 0, Double.parseDouble(bar.getAttribute("height")) > 0, "hour " + hour);
            total += requests;
        }
        assertEquals(21, total);
        assertFalse(chart.findElement(By.cssSelector("polyline.line-cost")).getAttribute("points").isEmpty());
        assertEquals("21 requests · 0 cache hits (0.0%) · $0.000126 cost in the last 24 hours",
                card("test-proj").findElement(By.cssSelector(".summary")).getText());
        assertEquals("6 requests · 0 cache hits (0.0%) · $0.000036 cost in the last 24 hours",
                card("other-proj").findElement(By.cssSelector(".summary")).getText());

        // keys: the config key, masked, with its last use
        WebElement k1 = card("test-proj").findElement(By.cssSelector("table.keys tr[data-key='k1']"));
        assertEquals("k1 lgw_… config config file 2026-03-10 13:10 UTC active Revoke", k1.getText());

        screenshot();

        // the daily view of the same usage
        browser.findElement(By.cssSelector("#range button[data-bucket='day']")).click();
        wait.until(ExpectedConditions.textToBePresentInElement(card("test-proj").findElement(By.cssSelector(".summary")), "30 days"));
        waitReady();
        assertEquals(30, card("test-proj").findElements(By.cssSelector(".chart rect.bar-requests")).size());
        // day buckets come from the ledger, which has the three hits too
        assertEquals("24 requests · 3 cache hits (12.5%) · $0.000126 cost in the last 30 days",
                card("test-proj").findElement(By.cssSelector(".summary")).getText());

        // mint a key with the button: shown once, listed masked, usable at once
        WebElement env = card("other-proj").findElement(By.cssSelector("form.mint input[name='env']"));
        env.clear();
        env.sendKeys("prod");
        card("other-proj").findElement(By.cssSelector("form.mint button")).click();
        WebElement shown = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".card[data-project='other-proj'] .new-key code.new-key-value")));
        String minted = shown.getText();
        assertTrue(ApiKeys.isWellFormed(minted) && minted.startsWith("lgw_prod_"), minted);
        waitReady();
        assertEquals("2", cell("other-proj", "keys"));
        List<WebElement> rows = card("other-proj").findElements(By.cssSelector("table.keys tbody tr"));
        assertEquals(2, rows.size());
        WebElement mintedRow = rows.get(1);
        assertTrue(mintedRow.getText().contains(ApiKeys.mask(minted)), mintedRow.getText());
        assertFalse(mintedRow.getText().contains(minted), "the list shows the key masked");
        assertTrue(mintedRow.getText().contains("2026-03-10 14:20 UTC never active"), mintedRow.getText());
        call(minted, 1);

        // revoke it: a second click confirms; refused from the next request on
        WebElement revoke = mintedRow.findElement(By.cssSelector("button"));
        revoke.click();
        assertEquals("Confirm revoke", revoke.getText());
        revoke.click();
        wait.until(ExpectedConditions.attributeContains(
                By.cssSelector(".card[data-project='other-proj'] table.keys tbody tr:nth-child(2)"), "class", "revoked"));
        waitReady();
        assertEquals("1", cell("other-proj", "keys"));
        assertTrue(card("other-proj").findElement(By.cssSelector("table.keys tbody tr:nth-child(2) td.status")).getText().equals("revoked"));
        try {
            call(minted, 1);
            throw new AssertionError("a revoked key was accepted");
        } catch (UnauthorizedException expected) {
            // 401 invalid_api_key
        }
    }

    @Test
    void signingInTakesOnlyAnAdminKey() throws Exception {
        browser.get(AdminFixture.base(gw) + "/");
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-state", "login"));
        assertTrue(browser.findElement(By.id("login")).isDisplayed());
        assertFalse(browser.findElement(By.id("overview")).isDisplayed());

        signIn("lgwa_" + "x".repeat(40));
        wait.until(ExpectedConditions.textToBe(By.id("message"), "Incorrect admin key provided."));
        signIn(gw.key);
        wait.until(ExpectedConditions.textToBe(By.id("message"), "Project keys cannot use the admin API; send an admin key (lgwa_...)."));
        assertFalse(browser.findElement(By.id("overview")).isDisplayed());

        signIn(ADMIN_KEY);
        waitReady();
        assertTrue(browser.findElement(By.id("overview")).isDisplayed());
        assertFalse(browser.findElement(By.id("message")).isDisplayed());
        assertEquals("0", cell("test-proj", "requests"));
        assertEquals("0.0%", cell("test-proj", "hitRate"));
        assertEquals("$0.05 of $0.05", cell("test-proj", "budgetLeft"));

        browser.findElement(By.id("logout")).click();
        assertTrue(browser.findElement(By.id("login")).isDisplayed());
        assertFalse(browser.findElement(By.id("overview")).isDisplayed());
    }

    void signIn(String key) {
        WebElement input = browser.findElement(By.id("admin-key"));
        input.clear();
        input.sendKeys(key);
        browser.findElement(By.cssSelector("#login-form button[type='submit']")).click();
    }

    /** The whole page, as the README shows it. */
    void screenshot() throws Exception {
        long height = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(4000, height + 120)));
        File png = browser.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
