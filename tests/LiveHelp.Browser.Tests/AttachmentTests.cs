using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>Files in the widget and the console: a customer's photo to the agent, an agent's PDF to the customer.</summary>
public sealed class AttachmentTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    /// <summary>A name that would run script if it were ever read as markup.</summary>
    private const string PhotoName = "<img src=x onerror=window.__xss=1>broken part.png";

    [Fact]
    public async Task A_customers_photo_shows_as_a_thumbnail_in_the_console_that_opens_full_size_and_the_agents_pdf_reaches_the_widget_as_a_card()
    {
        var (alice, customer) = await ChattingAsync();

        // The customer picks a photo (on a phone the same picker offers the camera).
        var picker = customer.Locator("form.composer input[type=file]");
        await Expect(picker).ToHaveAttributeAsync("accept", "image/*,application/pdf");
        await picker.SetInputFilesAsync(new FilePayload { Name = PhotoName, MimeType = "image/png", Buffer = TestFiles.Png(320, 240) });

        // Both sides see it as a thumbnail, the name only ever as text.
        var mine = customer.Locator(".msg.mine[data-seq] img.lh-file__thumb");
        await Expect(mine).ToHaveAttributeAsync("alt", PhotoName);
        var thumbnail = Log(alice).Locator("img.lh-file__thumb");
        await Expect(thumbnail).ToHaveAttributeAsync("alt", PhotoName);
        await Expect(thumbnail).ToHaveJSPropertyAsync("naturalWidth", 320);
        Assert.True(await thumbnail.EvaluateAsync<int>("i => i.clientWidth") <= 240, "the thumbnail is smaller than the photo");
        await Expect(ConversationItem(alice, "Ada")).ToContainTextAsync("File: " + PhotoName);

        // Opening it shows the whole photo at full size.
        await Log(alice).GetByRole(AriaRole.Button, new() { Name = $"Open image {PhotoName} full size" }).ClickAsync();
        var viewer = alice.GetByRole(AriaRole.Dialog, new() { Name = PhotoName });
        await Expect(viewer).ToBeVisibleAsync();
        var full = viewer.Locator("img");
        await Expect(full).ToHaveJSPropertyAsync("naturalWidth", 320);
        var shown = await full.EvaluateAsync<int[]>("i => [i.clientWidth, i.clientHeight]");
        Assert.Equal([320, 240], shown);
        await ScreenshotAsync(alice, "attachment-1-full-size");
        await alice.Keyboard.PressAsync("Escape");
        await Expect(viewer).ToHaveCountAsync(0);

        // Alice sends a PDF; the customer gets a card with its name and size that downloads it.
        await alice.Locator(".composer input[type=file]").SetInputFilesAsync(new FilePayload { Name = "manual.pdf", MimeType = "application/pdf", Buffer = TestFiles.Pdf() });
        var card = customer.GetByRole(AriaRole.Link, new() { Name = "Download manual.pdf" });
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync($"manual.pdf{TestFiles.Pdf().Length} B");
        await ScreenshotAsync(customer, "attachment-2-pdf-card");
        var download = await customer.RunAndWaitForDownloadAsync(() => card.ClickAsync());
        Assert.Equal("manual.pdf", download.SuggestedFilename);
        Assert.Equal(TestFiles.Pdf(), await File.ReadAllBytesAsync((await download.PathAsync())!));

        Assert.False(await customer.EvaluateAsync<bool>("() => window.__xss !== undefined"));
        Assert.False(await alice.EvaluateAsync<bool>("() => window.__xss !== undefined"));
        Assert.Empty(PageErrors);
    }

    [Fact]
    public async Task A_screenshot_pasted_into_the_widgets_composer_is_sent_and_the_agent_sees_it()
    {
        var (alice, customer) = await ChattingAsync();
        var composer = customer.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });

        // As a paste from the clipboard after taking a screenshot: a file named image.png, and no text.
        await composer.EvaluateAsync(
            """
            (input, png) => {
              const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], "image.png", { type: "image/png" }));
              input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
            }
            """,
            Convert.ToBase64String(TestFiles.Png(64, 48)));

        var thumbnail = Log(alice).Locator("img.lh-file__thumb");
        await Expect(thumbnail).ToHaveJSPropertyAsync("naturalWidth", 64);
        await Expect(thumbnail).ToHaveAttributeAsync("alt", new Regex(@"^screenshot-[0-9-]+\.png$"));
        await Expect(composer).ToHaveValueAsync("");
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_or_pdf_is_refused_in_the_widget_with_the_reason()
    {
        var (alice, customer) = await ChattingAsync();

        await customer.Locator("form.composer input[type=file]").SetInputFilesAsync(
            new FilePayload { Name = "drawing.png", MimeType = "image/png", Buffer = TestFiles.Svg() });

        await Expect(customer.Locator(".msg.upload.failed [role=alert]")).ToHaveTextAsync("Only photos and images (PNG, JPEG, GIF, WebP) and PDF files can be sent.");
        await Expect(Log(alice).Locator(".lh-file")).ToHaveCountAsync(0);
    }

    /// <summary>Alice in the console, chatting with a customer in the widget on the demo page.</summary>
    private async Task<(IPage Alice, IPage Customer)> ChattingAsync()
    {
        Assertions.SetDefaultExpectTimeout(15_000);
        await Host.CreateAgentAsync("alice", ["general"]);
        var alice = await ConsoleAsync("alice");
        await SetStatusAsync(alice, "online");
        var customer = await OpenAsync("/");
        await WidgetTestBase.StartChatAsync(customer, "general", name: "Ada");
        await alice.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(customer.Locator(".card .main")).ToHaveTextAsync("Alice");
        return (alice, customer);
    }
}
