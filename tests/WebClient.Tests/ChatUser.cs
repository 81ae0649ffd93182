using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WellWon.WebClient.Tests;

/// <summary>A person at the web client: their own browser context, network path and page, driven through the UI.</summary>
public sealed class ChatUser : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private int _sockets;

    private ChatUser(string name, NetworkLink link, IBrowserContext context, IPage page)
    {
        Name = name;
        Link = link;
        Context = context;
        Page = page;
        Username = $"{name.ToLowerInvariant()}{Guid.NewGuid():N}"[..20];
        DisplayName = $"{name} {Username[^4..]}";
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => ConsoleErrors.Enqueue("page error: " + error);
        page.Request += (_, request) => Requests.Enqueue(request);
        page.WebSocket += (_, socket) =>
        {
            var id = Interlocked.Increment(ref _sockets);
            socket.FrameSent += (_, frame) => FramesSent.Enqueue(new Frame(id, frame.Text ?? ""));
            socket.FrameReceived += (_, frame) => FramesReceived.Enqueue(new Frame(id, frame.Text ?? ""));
        };
    }

    public string Name { get; }

    public string Username { get; }

    public string DisplayName { get; }

    public NetworkLink Link { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public ConcurrentQueue<string> ConsoleErrors { get; } = new();

    public ConcurrentQueue<IRequest> Requests { get; } = new();

    /// <summary>Gateway frames the page sent, in order, with the number of the WebSocket (1, 2, ...) they went on.</summary>
    public ConcurrentQueue<Frame> FramesSent { get; } = new();

    public ConcurrentQueue<Frame> FramesReceived { get; } = new();

    /// <summary>Contents of the confirmed messages (not pending sends) of the open channel, oldest first.</summary>
    public ILocator MessageContents => Page.Locator("[data-testid=message-list] [data-testid=message] [data-testid=message-content]");

    public ILocator Typing => Page.GetByTestId("typing-indicator");

    public ILocator Connection => Page.GetByTestId("connection-status");

    public static async Task<ChatUser> OpenAsync(WebClientHost host, string name)
    {
        var link = host.NewLink();
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = link.Address.ToString() });
        context.SetDefaultTimeout((float)WebClientHost.Timeout.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var user = new ChatUser(name, link, context, page);
        return user;
    }

    public ILocator ChannelItem(string channelId) =>
        Page.Locator($"[data-testid=channel-item][data-channel-id='{channelId}']");

    public async Task<IResponse?> RegisterAsync()
    {
        var response = await Page.GotoAsync("/");
        await Page.GetByTestId("auth-tab-register").ClickAsync();
        await Page.GetByTestId("auth-username").FillAsync(Username);
        await Page.GetByTestId("auth-password").FillAsync(Password);
        await Page.GetByTestId("auth-display-name").FillAsync(DisplayName);
        await Page.GetByTestId("auth-submit").ClickAsync();
        await Expect(Page.GetByTestId("me-name")).ToHaveTextAsync(DisplayName);
        await Expect(Connection).ToHaveAttributeAsync("data-state", "connected");
        return response;
    }

    public async Task JoinChannelAsync(string channelId)
    {
        await Page.Locator("[data-testid=join-panel] > summary").ClickAsync();
        await Page.GetByTestId("join-channel-id").FillAsync(channelId);
        await Page.GetByTestId("join-submit").ClickAsync();
    }

    /// <summary>Opens (creating if needed) the direct channel with <paramref name="other"/>; returns its ID.</summary>
    public async Task<string> OpenDirectChannelAsync(ChatUser other)
    {
        await Page.Locator("[data-testid=direct-panel] > summary").ClickAsync();
        await Page.GetByTestId("direct-username").FillAsync(other.Username);
        await Page.GetByTestId("direct-submit").ClickAsync();
        await Expect(Page.GetByTestId("channel-title")).ToHaveTextAsync(other.DisplayName);
        return (await Page.GetByTestId("channel-id").TextContentAsync())!;
    }

    /// <summary>Creates a channel (<c>group</c> or <c>public</c>) through the sidebar form and opens it; returns its ID.</summary>
    public async Task<string> CreateChannelAsync(string name, string type = "group")
    {
        await Page.Locator("[data-testid=new-channel-panel] > summary").ClickAsync();
        await Page.GetByTestId("new-channel-name").FillAsync(name);
        await Page.GetByTestId("new-channel-type").SelectOptionAsync(type);
        await Page.GetByTestId("new-channel-submit").ClickAsync();
        await Expect(Page.GetByTestId("channel-title")).ToHaveTextAsync(name);
        return (await Page.GetByTestId("channel-id").TextContentAsync())!;
    }

    public Task TypeAsync(string text) => Page.GetByTestId("composer-input").FillAsync(text);

    public async Task SendAsync(string text)
    {
        await TypeAsync(text);
        await Page.GetByTestId("send-button").ClickAsync();
    }

    /// <summary>Saves a screenshot next to the test assembly (for a failing test).</summary>
    public async Task ScreenshotAsync(string test)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        try
        {
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{test}-{Name}.png"), FullPage = true });
        }
        catch (PlaywrightException)
        {
            // The page may be gone; the original failure matters more.
        }
    }

    /// <summary>
    /// Runs a test body; when it fails, saves a screenshot of each person's page before rethrowing. With
    /// WELLWON_SCREENSHOTS=1 it saves them after a passing run too (to look at the client).
    /// </summary>
    public static async Task ScreenshotsOnFailureAsync(ChatUser[] users, Func<Task> test, [CallerMemberName] string name = "")
    {
        try
        {
            await test();
            if (Environment.GetEnvironmentVariable("WELLWON_SCREENSHOTS") == "1")
            {
                foreach (var user in users)
                {
                    await user.ScreenshotAsync(name);
                }
            }
        }
        catch
        {
            foreach (var user in users)
            {
                await user.ScreenshotAsync(name);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await Link.DisposeAsync();
    }
}

/// <summary>A gateway frame and the number of the page's WebSocket it went over.</summary>
public sealed record Frame(int Socket, string Text)
{
    public bool IsOp(string op) => Text.Contains($"\"op\":\"{op}\"", StringComparison.Ordinal);
}
